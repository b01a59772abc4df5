"""Query budgets: every HR and portal page (GET) stays within a fixed number of SQL queries.

The pages are found by walking the URL resolver of the `hr` and `portal` namespaces, so a new page
without a budget here fails `test_every_page_has_a_budget`. Each page is requested with more than
one row of everything it lists (a query per row would show as a budget overrun), by a signed-in
manager (HR) or employee (portal), or anonymously for the pages that are meant for that.

The HR budgets are the counts measured when they were set, plus a little room; the portal's are
exact (its pages are the ones every employee opens on pay day, bench/README.md). The session read,
its refresh (IdleTimeoutMiddleware, with the test transaction's savepoints) and the user look-up
(which brings the employee and employer along, essportal/backends.py) are part of every count.
Raise a budget only when a page really needs another query, never for one per row.
"""

import datetime

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from invitations.collective import grant_batch_run
from invitations.services import grant_batch_start, invitation_grant
from tests.conftest import signed_in
from tests.employees.factories import (
    AnnualStatementFactory,
    LeaveBalanceFactory,
    LeaveRequestFactory,
    LeaveTypeFactory,
    PayslipFactory,
    PayslipLineFactory,
    sign_in,
)
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

# url name -> (max queries for a GET, expected status). 405: the URL takes only POST (a signed-in
# request still reads the session and user and saves the session: 5 queries with the test
# transaction's savepoints). HR sessions are verified with a second factor: django-otp's
# middleware reads that device on every request (+1; a removed or reset device ends the
# verification at once). Every page with an employer's menu counts that employer's leave requests
# awaiting a decision for the menu's badge (+1, one count; none without the leave module).
HR_BUDGETS = {
    "login": (6, 200),
    "logout": (6, 405),
    "home": (8, 302),
    "switch_employer": (7, 302),
    "notifications": (8, 200),  # + the user's mail settings
    # + the counts on the access-state tabs, one query; none when they come from the cache, as
    # from the second look on (test_the_employee_list_reads_its_tab_counts_from_the_cache).
    "employee_list": (11, 200),
    "employee_new": (9, 200),
    "audit_log": (10, 200),
    "employee_detail": (12, 200),
    "employee_edit": (11, 200),
    "invitation_grant": (6, 405),
    "invitation_resend": (6, 405),
    "invitation_revoke": (9, 200),  # GET asks first (the confirmation page)
    "collective_grant": (16, 200),
    "invitations_requeue_undelivered": (6, 405),
    "collective_batch": (12, 200),  # + where the mails stand (one grouped count)
    "collective_batch_progress": (10, 200),
    "collective_batch_csv": (9, 200),
    "account_block": (9, 200),  # GET asks first (the confirmation page)
    "account_unblock": (6, 405),
    "account_send_username": (6, 405),
    "account_two_factor_reset": (6, 405),
    "collective_block": (11, 200),
    "collective_unblock": (11, 200),
    "leave_requests": (10, 200),
    "leave_approve": (6, 405),
    "leave_reject": (6, 405),
    "email_texts": (10, 200),
    "email_text_edit": (11, 200),
    "email_text_preview": (10, 200),  # GET: the text sent now, in the frame beside the editor
    "email_text_test": (6, 405),
    "email_text_restore": (6, 405),
    "email_sender": (6, 405),
    # Select and act, the preview of every employee in the world (scope=all, HR_QUERIES): the
    # counts per outcome in one query, and the names of each group present (grant: at most 6
    # groups, the world fills 4; the others at most 3), never a query per employee; and the
    # menu's leave badge.
    "selection_grant": (16, 200),
    "selection_resend": (14, 200),
    "selection_revoke": (14, 200),
    "selection_block": (13, 200),
    "selection_unblock": (13, 200),
    "two_step_policy": (9, 200),
    # The manager of one employer is not the provider's: not found (only provider staff see it).
    "provider_two_step_policy": (8, 404),
}
# The query string of a page that needs one to show what it is for.
HR_QUERIES = {
    name: {"scope": "all"}
    for name in (
        "selection_grant",
        "selection_resend",
        "selection_revoke",
        "selection_block",
        "selection_unblock",
    )
}
# (max queries, expected status, who asks: "employee" signed in or "anonymous"). The activation
# pages without an opened link in the session are a 404 and touch no table.
PORTAL_BUDGETS = {
    "login": (0, 200, "anonymous"),
    "logout": (5, 405, "employee"),
    "signed_out": (0, 200, "anonymous"),
    "forgot_password": (0, 200, "anonymous"),
    "forgot_username": (0, 200, "anonymous"),
    "password_reset_confirm": (5, 302, "anonymous"),
    "password_reset_invalid": (0, 410, "anonymous"),
    "account": (5, 200, "employee"),
    "change_password": (5, 200, "employee"),
    "home": (9, 200, "employee"),
    "payslips": (6, 200, "employee"),  # the payslips and their years in one read
    "payslip": (7, 200, "employee"),
    "payslip_pdf": (7, 200, "employee"),
    "statements": (6, 200, "employee"),
    "statement": (6, 200, "employee"),
    "statement_pdf": (6, 200, "employee"),
    "leave": (7, 200, "employee"),
    "leave_request": (8, 200, "employee"),
    "leave_cancel": (5, 405, "employee"),
    "details": (6, 200, "employee"),  # the record, and the changes of the address
}
# A link whose token is not even well formed is refused before any lookup (and redirected to the
# page that says so, which without a signed reason is the plain "not valid" page).
INVITATION_BUDGETS = {
    "open": (0, 302, "anonymous"),
    "link_state": (0, 404, "anonymous"),
    "activate": (0, 404, "anonymous"),
    "activate_account": (0, 404, "anonymous"),
}


def _patterns(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace:  # another namespace has budgets of its own (or none)
                continue
            yield from _patterns(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry


def url_names(namespace: str) -> set[str]:
    _prefix, resolver = get_resolver().namespace_dict[namespace]
    return {pattern.name for pattern in _patterns(resolver.url_patterns)}


def url_parameters(namespace: str, name: str) -> list[str]:
    _prefix, resolver = get_resolver().namespace_dict[namespace]
    ((_possibility, parameters),) = [
        (possibility, params)
        for possibility, _pattern, _defaults, _converters in resolver.reverse_dict.getlist(name)
        for possibility, params in possibility
    ][:1]
    return list(parameters)


@pytest.mark.parametrize(
    "namespace, budgets",
    [("hr", HR_BUDGETS), ("portal", PORTAL_BUDGETS), ("invitations", INVITATION_BUDGETS)],
)
def test_every_page_has_a_budget(namespace, budgets):
    pages = url_names(namespace)
    assert pages - set(budgets) == set(), f"pages without a query budget in {namespace}"
    assert set(budgets) - pages == set(), f"budgets for pages that no longer exist in {namespace}"


@pytest.fixture
def world(employer, employer_manager):
    """An employer with several employees in every state, so that lists have many rows."""
    people = [EmployeeFactory(employer=employer) for _ in range(6)]
    for person in people[:2]:
        invitation_grant(employee=person, actor=employer_manager)
    for person in people[2:4]:
        person.user = UserFactory()
        person.save(update_fields=["user"])
    EmployeeFactory(employer=employer, email="")
    EmployeeFactory(employer=employer, end_date=datetime.date(2024, 12, 31))
    batch = grant_batch_run(batch_id=grant_batch_start(employer=employer).pk)
    leave_type = LeaveTypeFactory(employer=employer)
    requests = [
        LeaveRequestFactory(employee=person, leave_type=leave_type) for person in people[2:4]
    ]
    return {
        "employer_id": employer.pk,
        "employee_id": people[0].pk,
        "batch_id": batch.pk,
        "request_id": requests[0].pk,
        "level": "employer",
        "owner_id": employer.pk,
        "provider_id": employer.provider_id,
        "kind": "invitation",
        "language": "nl",
        "field_name": "subject",
    }


@pytest.mark.parametrize("name", sorted(HR_BUDGETS))
def test_hr_page_query_budget(name, world, employer_manager, django_assert_max_num_queries):
    from django.urls import reverse

    budget, status = HR_BUDGETS[name]
    url = reverse(f"hr:{name}", kwargs={p: world[p] for p in url_parameters("hr", name)})
    client = signed_in(employer_manager)
    with django_assert_max_num_queries(budget):
        response = client.get(url, HR_QUERIES.get(name, {}))
    assert response.status_code == status, (url, response.status_code)


def test_the_employee_list_reads_its_tab_counts_from_the_cache(world, employer_manager, settings):
    """The first look counts the tabs (one query over all the employer's employees); the next
    ones read them from the cache until an employee's access changes (employees/access_cache.py)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("hr:employee_list", kwargs={"employer_id": world["employer_id"]})
    client = signed_in(employer_manager)

    def look() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    look()  # the first request of a session does more (its refresh)
    uncached = look()
    settings.ACCESS_COUNTS_CACHE_SECONDS = 60
    assert look() == uncached  # counted, and kept
    assert look() == uncached - 1 <= HR_BUDGETS["employee_list"][0] - 1


@pytest.fixture
def portal_world(employee):
    """A signed-in employee with several payslips, statements and leave rows."""
    payslips = [PayslipFactory(employee=employee, period=period) for period in (1, 2, 3)]
    for payslip in payslips:
        for order in range(3):
            PayslipLineFactory(payslip=payslip, sort_order=order)
    statements = [AnnualStatementFactory(employee=employee, year=year) for year in (2024, 2025)]
    leave_type = LeaveTypeFactory(employer=employee.employer)
    LeaveBalanceFactory(employee=employee, leave_type=leave_type)
    requests = [LeaveRequestFactory(employee=employee, leave_type=leave_type) for _ in range(3)]
    return {
        "payslip_id": payslips[-1].pk,
        "statement_id": statements[-1].pk,
        "request_id": requests[0].pk,
    }


@pytest.mark.parametrize(
    "namespace, name",
    [("portal", name) for name in sorted(PORTAL_BUDGETS)]
    + [("invitations", name) for name in sorted(INVITATION_BUDGETS)],
)
def test_portal_page_query_budget(
    namespace, name, portal_world, employee, client, django_assert_max_num_queries
):
    from django.urls import reverse

    budgets = PORTAL_BUDGETS if namespace == "portal" else INVITATION_BUDGETS
    budget, status, who = budgets[name]
    sign_in(client, employee)
    values = {
        **portal_world,
        "uidb64": urlsafe_base64_encode(force_bytes(employee.user.pk)),
        "token": default_token_generator.make_token(employee.user),
    }
    if who == "anonymous":
        client.logout()
    if namespace == "invitations":
        values["token"] = "not-a-token"
    kwargs = {p: values[p] for p in url_parameters(namespace, name)}
    url = reverse(f"{namespace}:{name}", kwargs=kwargs)
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == status, (url, response.status_code)


def test_the_collective_job_costs_the_same_queries_per_chunk(employer, settings):
    """The collective grant job (R5) runs over chunks; every chunk costs the same number of
    queries: N chunks cost a fixed overhead plus N times that constant. Within a chunk the
    inserts are bulk; the only per-row queries are the deliberate one-row commit after each mail
    is handed over, its sent mark and its audit row (invitations/sent_marks.py `mark_sent`: a killed
    worker resends at most one mail and loses no audit row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.COLLECTIVE_CHUNK_SIZE = 20

    def queries_for(chunks: int) -> int:
        for _ in range(chunks * settings.COLLECTIVE_CHUNK_SIZE):
            EmployeeFactory(employer=employer)  # only these new ones are still to be invited
        batch = grant_batch_start(employer=employer)
        with CaptureQueriesContext(connection) as queries:
            batch = grant_batch_run(batch_id=batch.pk)
        assert batch.invited == chunks * settings.COLLECTIVE_CHUNK_SIZE
        return len(queries)

    one, two, three = queries_for(1), queries_for(2), queries_for(3)
    per_chunk = two - one
    assert three - two == per_chunk, (one, two, three)
    size = settings.COLLECTIVE_CHUNK_SIZE
    # Per mail: one statement on PostgreSQL (+2 a chunk: SET/RESET synchronous_commit around
    # its mails); elsewhere, inside the test's transaction, SAVEPOINT, UPDATE, INSERT, RELEASE.
    per_mail = 1 if connection.vendor == "postgresql" else 4
    assert per_chunk <= per_mail * size + 22, f"{per_chunk} queries per chunk of {size}"
    assert one - per_chunk <= 20, (one, per_chunk)  # the fixed overhead: plan, finish


def test_the_provider_home_costs_the_same_queries_for_two_employers_as_for_six(
    provider, provider_staff, django_assert_max_num_queries
):
    """The provider's home shows per employer its employees, those with access, the invited and
    the leave awaiting a decision: grouped counts (three queries), never one per employer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.factories import EmployerFactory

    client = signed_in(provider_staff)

    def queries_for_home() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("hr:home"))
        assert response.status_code == 200
        return len(queries)

    def employer_with_people():
        employer = EmployerFactory(provider=provider)
        leave_type = LeaveTypeFactory(employer=employer)
        for _ in range(2):
            person = EmployeeFactory(employer=employer, user=UserFactory())
            LeaveRequestFactory(employee=person, leave_type=leave_type)
        return employer

    for _ in range(2):
        employer_with_people()
    queries_for_home()  # the first request of a session also refreshes it
    two = queries_for_home()
    for _ in range(4):
        employer_with_people()
    assert queries_for_home() == two
    with django_assert_max_num_queries(9):  # the session, user and device, then three reads
        client.get(reverse("hr:home"))
