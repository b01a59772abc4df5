"""Someone else's ids in the URL: every HR and portal URL is found by reflecting over the URL
configuration, so a URL added later is tried here without anyone remembering to add it."""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from employees.models import LeaveRequest
from employers.models import AuditEvent, EmailText
from invitations.models import GrantBatch, Invitation
from tests.employees.factories import (
    AnnualStatementFactory,
    LeaveRequestFactory,
    PayslipFactory,
    sign_in,
)
from tests.factories import EmployeeFactory, UserFactory


def url_patterns(resolver=None, namespace=""):
    """(namespace:name, converters) of every named URL."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            full = f"{namespace}:{inner}".strip(":") if inner else namespace
            yield from url_patterns(pattern, full)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}".strip(":"), dict(pattern.pattern.converters)


ALL_URLS = dict(url_patterns())
HR_URLS = sorted(name for name in ALL_URLS if name.startswith("hr:") and ALL_URLS[name])

# Parameters that name an object of a tenant: each must be filled with someone else's object.
HR_ID_PARAMS = {"employer_id", "employee_id", "batch_id", "request_id", "owner_id", "provider_id"}
# Parameters that choose among fixed values, not objects.
HR_FIXED_PARAMS = {
    "level": ["employer", "provider"],
    "kind": ["invitation"],
    "language": ["nl"],
    "field_name": ["subject"],
}
PORTAL_ID_PARAMS = {"payslip_id", "statement_id", "request_id"}
# A person's own sign-in methods (employees.mfa), for HR staff and employees alike.
MFA_ID_PARAMS = {"device_id"}
# URLs whose parameters are secrets, not ids (their tampering is tested in test_links.py).
NOT_AN_ID = {"invitations:open", "portal:password_reset_confirm"}
# Django's admin (operators, is_staff) and the ESP webhooks (basic auth) have no tenant ids.
OPERATOR_ONLY = ("admin:", "anymail:")
PORTAL_URLS = sorted(
    name
    for name, converters in ALL_URLS.items()
    if name.startswith("portal:") and converters and name not in NOT_AN_ID
)
MFA_URLS = sorted(name for name in ALL_URLS if name.startswith("mfa:") and ALL_URLS[name])


def test_every_url_with_an_id_parameter_is_covered_here():
    for name, converters in ALL_URLS.items():
        if not converters or name in NOT_AN_ID or name.startswith(OPERATOR_ONLY):
            continue
        params = set(converters)
        if name.startswith("hr:"):
            unknown = params - HR_ID_PARAMS - set(HR_FIXED_PARAMS)
        elif name.startswith("portal:"):
            unknown = params - PORTAL_ID_PARAMS
        elif name.startswith("mfa:"):
            unknown = params - MFA_ID_PARAMS
        else:
            unknown = params
        assert not unknown, f"{name} has parameters this suite cannot fill: {unknown}"
        assert name in HR_URLS + PORTAL_URLS + MFA_URLS, (
            f"{name} is not tried with someone else's ids"
        )


# --- HR ---------------------------------------------------------------------------------------


def tenant_objects(employer):
    employee = EmployeeFactory(employer=employer)
    return {
        "employer": employer,
        "employee": employee,
        "batch": GrantBatch.objects.create(employer=employer, status="done"),
        "leave": LeaveRequestFactory(employee=employee),
    }


def hr_kwargs(name, objects, level="employer", own=None):
    """URL kwargs with the objects of `objects`; with `own`, the employer is ours and only the
    object inside it is someone else's."""
    kwargs = {}
    for param in ALL_URLS[name]:
        if param == "employer_id":
            kwargs[param] = (own or objects)["employer"].pk
        elif param == "employee_id":
            kwargs[param] = objects["employee"].pk
        elif param == "batch_id":
            kwargs[param] = objects["batch"].pk
        elif param == "request_id":
            kwargs[param] = objects["leave"].pk
        elif param == "provider_id":
            kwargs[param] = objects["employer"].provider_id
        elif param == "owner_id":
            owner = objects["employer"]
            kwargs[param] = owner.provider_id if level == "provider" else owner.pk
        elif param == "level":
            kwargs[param] = level
        else:
            kwargs[param] = HR_FIXED_PARAMS[param][0]
    return kwargs


def hr_cases():
    for name in HR_URLS:
        levels = HR_FIXED_PARAMS["level"] if "level" in ALL_URLS[name] else ["employer"]
        for level in levels:
            yield pytest.param(name, level, id=f"{name}-{level}")


@pytest.fixture(params=["manager vs other provider", "manager vs sister", "provider vs other"])
def attack(request, employer, sister_employer, other_employer, manager_client, provider_client):
    """(client, the foreign tenant's objects, our own objects)."""
    who, _vs, whom = request.param.partition(" vs ")
    client = manager_client if who == "manager" else provider_client
    target = sister_employer if whom == "sister" else other_employer
    return client, tenant_objects(target), tenant_objects(employer)


def assert_untouched(objects):
    employee, leave = objects["employee"], objects["leave"]
    assert not Invitation.objects.filter(employee=employee).exists()
    assert not AuditEvent.objects.filter(employee=employee).exists()
    assert LeaveRequest.objects.get(pk=leave.pk).status == leave.status
    assert not EmailText.objects.exists()
    objects["employer"].refresh_from_db()
    assert objects["employer"].reply_to_email == ""


@pytest.mark.parametrize("name, level", list(hr_cases()))
def test_an_hr_url_with_another_tenants_ids_is_404(attack, name, level):
    client, foreign, _own = attack
    url = reverse(name, kwargs=hr_kwargs(name, foreign, level))
    statuses = {method: getattr(client, method)(url).status_code for method in ("get", "post")}
    assert set(statuses.values()) <= {404, 405}, statuses
    assert 404 in statuses.values(), statuses
    assert_untouched(foreign)


MIXED = [name for name in HR_URLS if "employer_id" in ALL_URLS[name] and len(ALL_URLS[name]) > 1]


@pytest.mark.parametrize("name", MIXED)
def test_our_employer_with_another_tenants_object_inside_is_404(attack, name):
    client, foreign, own = attack
    url = reverse(name, kwargs=hr_kwargs(name, foreign, own=own))
    statuses = {method: getattr(client, method)(url).status_code for method in ("get", "post")}
    assert set(statuses.values()) <= {404, 405}, statuses
    assert 404 in statuses.values(), statuses


@pytest.mark.parametrize("name, level", list(hr_cases()))
def test_the_same_hr_url_with_our_own_ids_is_not_404(provider_client, employer, name, level):
    """The control: the 404s above are about tenancy, not about a broken URL."""
    url = reverse(name, kwargs=hr_kwargs(name, tenant_objects(employer), level))
    statuses = {
        method: getattr(provider_client, method)(url).status_code for method in ("get", "post")
    }
    assert any(s not in (404, 405) for s in statuses.values()), statuses
    assert 500 not in statuses.values()


def test_an_employee_signed_in_to_the_portal_gets_403_on_hr_urls(client, employee, employer):
    sign_in(client, employee)
    own = tenant_objects(employer)
    for name, level in [(p.values[0], p.values[1]) for p in hr_cases()]:
        url = reverse(name, kwargs=hr_kwargs(name, own, level))
        assert client.post(url).status_code in (403, 405), name


@pytest.mark.parametrize("who", ["manager", "provider"])
def test_hr_staff_do_not_get_into_the_operators_admin(who, manager_client, provider_client):
    client = manager_client if who == "manager" else provider_client
    for url in (reverse("admin:index"), reverse("admin:essportal_user_changelist")):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- Portal -----------------------------------------------------------------------------------


def portal_objects(employee):
    return {
        "payslip_id": PayslipFactory(
            employee=employee,
            year=2025,
            period=1,
            publish_date=datetime.date(2025, 1, 23),
        ).pk,
        "statement_id": AnnualStatementFactory(employee=employee).pk,
        "request_id": LeaveRequestFactory(employee=employee).pk,
    }


@pytest.fixture(params=["colleague", "stranger"])
def other_person(request, employer, other_employee):
    if request.param == "stranger":
        return other_employee
    colleague = EmployeeFactory(employer=employer)
    colleague.user = UserFactory()
    colleague.save(update_fields=["user"])
    return colleague


@pytest.mark.parametrize("name", PORTAL_URLS)
def test_a_portal_url_with_another_employees_ids_is_404(client, employee, other_person, name):
    sign_in(client, employee)
    theirs = portal_objects(other_person)
    url = reverse(name, kwargs={p: theirs[p] for p in ALL_URLS[name]})
    statuses = {method: getattr(client, method)(url).status_code for method in ("get", "post")}
    assert set(statuses.values()) <= {404, 405}, statuses
    assert 404 in statuses.values(), statuses
    assert LeaveRequest.objects.get(pk=theirs["request_id"]).status == "requested"


@pytest.mark.parametrize("name", PORTAL_URLS)
def test_the_same_portal_url_with_my_own_ids_works(client, employee, name):
    sign_in(client, employee)
    mine = portal_objects(employee)
    url = reverse(name, kwargs={p: mine[p] for p in ALL_URLS[name]})
    statuses = {method: getattr(client, method)(url).status_code for method in ("get", "post")}
    assert any(s in (200, 302) for s in statuses.values()), statuses


@pytest.mark.parametrize("name", [n for n in PORTAL_URLS if n.endswith("_pdf")])
def test_documents_are_never_cached(client, employee, name):
    sign_in(client, employee)
    mine = portal_objects(employee)
    response = client.get(reverse(name, kwargs={p: mine[p] for p in ALL_URLS[name]}))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", PORTAL_URLS)
def test_a_signed_out_visitor_is_sent_to_the_login(client, employee, name):
    mine = portal_objects(employee)
    url = reverse(name, kwargs={p: mine[p] for p in ALL_URLS[name]})
    response = client.get(url)
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("portal:login"))


# --- Sign-in methods ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", MFA_URLS)
@pytest.mark.parametrize("whose", ["colleague", "hr"])
def test_someone_elses_authenticator_app_is_404(
    client, employee, employer_manager, other_person, name, whose
):
    from tests.mfa_helpers import force_login_verified, passkey_for, totp_device

    if other_person.user is None:
        other_person.user = UserFactory()
        other_person.save(update_fields=["user"])
    owner = other_person.user if whose == "colleague" else employer_manager
    theirs = passkey_for(owner) if "passkey" in name else totp_device(owner)
    sign_in(client, employee)
    force_login_verified(client, employee.user)
    url = reverse(name, kwargs={"device_id": theirs.pk})
    statuses = {method: getattr(client, method)(url).status_code for method in ("get", "post")}
    assert set(statuses.values()) <= {404, 405}, statuses
    assert 404 in statuses.values(), statuses
    assert type(theirs).objects.filter(pk=theirs.pk, name=theirs.name).exists()
