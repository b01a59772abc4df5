"""The employee's pages are kept rendered in the cache (employees/portal/page_cache.py) until
something they show changes. Every write path below must make the next look show the change:
each test first looks (and so keeps the page), then changes one thing the way the product does,
and expects the page to show it at once. Without the path's call (or signal) the kept page
would still be shown."""

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from employees.leave.services import (
    leave_request_cancel,
    leave_request_create,
    leave_request_decide,
)
from employees.models import LeaveRequest, Payslip
from employees.payroll.demo import demo_payroll
from employees.payroll.importing.services import payroll_import
from employees.portal.page_cache import csrf_placeholder
from employees.records.services import employee_update
from essportal.web import generation_cache
from tests.employees.factories import (
    AnnualStatementFactory,
    LeaveBalanceFactory,
    LeaveRequestFactory,
    LeaveTypeFactory,
    PayslipFactory,
    sign_in,
)
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

DOCUMENT_TABLES = ("employees_payslip", "employees_annualstatement", "employees_leave")


@pytest.fixture(autouse=True)
def kept(settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 600


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Commit the block's writes. What the test's setup noted is forgotten first: its transaction
    never commits, and its scopes would otherwise ride along with the block's."""

    def _run():
        generation_cache.forget_pending()
        return django_capture_on_commit_callbacks(execute=True)

    return _run


@pytest.fixture
def hr(employer_manager):
    return employer_manager


def local(*parts) -> datetime.datetime:
    """A moment in the portal's own time zone (Europe/Amsterdam), where its days begin."""
    return timezone.make_aware(datetime.datetime(*parts))


def look(portal, url: str, **headers) -> str:
    response = portal.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def look_again_from_the_cache(portal, url: str, **headers) -> str:
    """The page again, asserting it came from the cache: no query read a document."""
    with CaptureQueriesContext(connection) as queries:
        content = look(portal, url, **headers)
    read = [q["sql"] for q in queries if any(table in q["sql"] for table in DOCUMENT_TABLES)]
    assert read == []
    return content


def main_of(page: str) -> str:
    """The page's own part (the header around it holds a CSRF token masked anew each time)."""
    return page[page.index("<main") : page.index("</main>")]


def import_file(employer, records: dict):
    data = json.dumps(records).encode()
    result = payroll_import(employer=employer, file=io.BytesIO(data), today=datetime.date.today())
    assert result.ok, result.error_lines()


def imported_payslip(employee, **changes) -> dict:
    return {
        "employee_number": employee.number,
        "year": 2026,
        "period": 3,
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "pay_date": "2026-03-25",
        "publish_date": "2026-03-23",
        "gross_wage": "3400.00",
        "net_pay": "2650.66",
        "lines": [{"code": "1000", "description": "Salaris", "kind": "earning", "amount": "3400"}],
        **changes,
    }


# Kept, and never shared


@pytest.mark.parametrize("name", ["home", "payslips", "statements", "leave"])
def test_a_second_look_at_a_page_reads_no_document(portal, employee, name):
    PayslipFactory(employee=employee, period=3)
    AnnualStatementFactory(employee=employee)
    LeaveBalanceFactory(employee=employee)
    first = look(portal, reverse(f"portal:{name}"))
    assert main_of(look_again_from_the_cache(portal, reverse(f"portal:{name}"))) == main_of(first)


def test_a_second_look_at_a_payslip_and_a_statement_reads_nothing_of_them(portal, employee):
    slip = PayslipFactory(employee=employee, period=3)
    statement = AnnualStatementFactory(employee=employee)
    for url in (
        reverse("portal:payslip", args=[slip.pk]),
        reverse("portal:statement", args=[statement.pk]),
    ):
        first = look(portal, url)
        assert main_of(look_again_from_the_cache(portal, url)) == main_of(first)


def test_another_employees_payslip_stays_a_404_after_its_owner_looked(client, portal, employee):
    owner = EmployeeFactory(employer=employee.employer)
    slip = PayslipFactory(employee=owner, period=3)
    url = reverse("portal:payslip", args=[slip.pk])
    assert look(sign_in(client.__class__(), owner), url)  # the owner's page is kept
    assert portal.get(url).status_code == 404
    assert portal.get(url).status_code == 404


def test_each_employee_gets_their_own_page_at_the_same_address(client, portal, employee):
    colleague = EmployeeFactory(employer=employee.employer, first_name="Bram")
    PayslipFactory(employee=employee, period=3, net_pay="1111.11")
    PayslipFactory(employee=colleague, period=3, net_pay="2222.22")
    assert "1.111,11" in look(portal, reverse("portal:payslips"))
    theirs = look(sign_in(client.__class__(), colleague), reverse("portal:payslips"))
    assert "2.222,22" in theirs and "1.111,11" not in theirs


def test_each_language_has_its_own_kept_page(portal):
    assert "Loonstroken" in look(portal, reverse("portal:payslips"), HTTP_ACCEPT_LANGUAGE="nl")
    portal.cookies["django_language"] = "en"
    english = look(portal, reverse("portal:payslips"))
    assert "<title>Payslips" in english and "Loonstroken" not in english


def test_a_payslip_appears_at_midnight_of_its_publish_date_and_not_before(client, employee):
    # R1: published on 11 April; the page kept on the 10th must not hide it on the 11th.
    PayslipFactory(employee=employee, period=4, publish_date=datetime.date(2026, 4, 11))
    with time_machine.travel(local(2026, 4, 10, 23, 59, 59), tick=False):
        portal = sign_in(client, employee)
        assert "april" not in look(portal, reverse("portal:payslips"))
        assert "april" not in look_again_from_the_cache(portal, reverse("portal:payslips"))
    with time_machine.travel(local(2026, 4, 11, 0, 0, 0), tick=False):
        assert "april" in look(portal, reverse("portal:payslips"))


def test_a_kept_annual_statement_names_the_employer(portal, employee):
    statement = AnnualStatementFactory(employee=employee)
    url = reverse("portal:statement", args=[statement.pk])
    for page in (look(portal, url), look_again_from_the_cache(portal, url)):
        assert "Bakkerij Jansen B.V.</dd>" in main_of(page)


def test_text_written_as_the_placeholder_stays_text(portal, employee):
    # The placeholder is derived from SECRET_KEY: a leave note cannot guess it, and the text
    # a note does hold is shown as it is, never replaced by a token.
    LeaveRequestFactory(employee=employee, note="csrf-portal-page-csrf-token-placeholder")
    assert csrf_placeholder() != "csrf-portal-page-csrf-token-placeholder"
    look(portal, reverse("portal:leave"))
    page = look_again_from_the_cache(portal, reverse("portal:leave"))
    assert "csrf-portal-page-csrf-token-placeholder" in page
    assert csrf_placeholder() not in page


def test_a_made_up_year_in_the_address_is_never_kept(portal, employee, django_assert_num_queries):
    PayslipFactory(employee=employee, period=3)
    look(portal, reverse("portal:payslips") + "?year=1000")
    with CaptureQueriesContext(connection) as queries:
        look(portal, reverse("portal:payslips") + "?year=1000")
    assert any("employees_payslip" in q["sql"] for q in queries)


def test_the_withdraw_buttons_of_a_kept_leave_page_carry_this_requests_token(
    portal, employee, on_commit
):
    portal.handler.enforce_csrf_checks = True
    waiting = LeaveRequestFactory(employee=employee)
    look(portal, reverse("portal:leave"))
    page = look_again_from_the_cache(portal, reverse("portal:leave"))
    assert csrf_placeholder() not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    with on_commit():
        response = portal.post(
            reverse("portal:leave_cancel", args=[waiting.pk]), {"csrfmiddlewaretoken": token}
        )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == LeaveRequest.Status.CANCELLED


def test_with_the_cache_down_the_pages_are_rendered_and_right(portal, employee, unreachable_cache):
    PayslipFactory(employee=employee, period=3, net_pay="2634.57")
    assert "2.634,57" in look(portal, reverse("portal:payslips"))
    assert "2.634,57" in look(portal, reverse("portal:payslips"))


def test_a_change_around_every_service_shows_within_the_cache_seconds(portal, employee):
    slip = PayslipFactory(employee=employee, period=3, net_pay="2634.57")
    look(portal, reverse("portal:payslips"))
    Payslip.objects.filter(pk=slip.pk).update(net_pay=Decimal("1000.00"))  # SQL by hand
    assert "2.634,57" in look(portal, reverse("portal:payslips"))  # still kept
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=601), tick=False):
        assert "1.000,00" in look(portal, reverse("portal:payslips"))


# Every write path shows at once


def test_a_payroll_import_shows_at_once(portal, employer, employee, on_commit):
    assert "maart" not in look(portal, reverse("portal:payslips"))
    with on_commit():
        import_file(employer, {"payslips": [imported_payslip(employee)]})
    assert "maart" in look(portal, reverse("portal:payslips"))


def test_a_payroll_import_that_corrects_a_payslip_shows_at_once(
    portal, employer, employee, on_commit
):
    with on_commit():
        import_file(employer, {"payslips": [imported_payslip(employee)]})
    url = reverse("portal:payslip", args=[Payslip.objects.get().pk])
    assert "2.650,66" in look(portal, url)
    with on_commit():
        import_file(employer, {"payslips": [imported_payslip(employee, net_pay="2700.00")]})
    assert "2.700,00" in look(portal, url)


def test_an_imported_annual_statement_shows_at_once(portal, employer, employee, on_commit):
    look(portal, reverse("portal:statements"))
    statement = {
        "employee_number": employee.number,
        "year": 2025,
        "fiscal_wage": "41234.00",
        "wage_tax_withheld": "8000.00",
        "tax_credit_applied": True,
        "insured_wage": "42000.00",
        "zvw_wage": "42000.00",
        "zvw_contribution": "2734.20",
        "employer_tax_number": "123456789L01",
        "publish_date": "2026-01-20",
    }
    with on_commit():
        import_file(employer, {"annual_statements": [statement]})
    assert "41.234,00" in look(portal, reverse("portal:statements"))


def test_imported_leave_balances_show_at_once(portal, employer, employee, on_commit):
    leave_type = LeaveTypeFactory(employer=employer, code="WET")
    LeaveBalanceFactory(employee=employee, leave_type=leave_type, entitlement_hours=152)
    assert "136" in look(portal, reverse("portal:leave"))
    balance = {
        "employee_number": employee.number,
        "leave_type_code": "WET",
        "year": 2026,
        "entitlement_hours": "200",
        "taken_hours": "16",
    }
    with on_commit():
        import_file(employer, {"leave_balances": [balance]})
    assert "184" in look(portal, reverse("portal:leave"))


def test_the_demo_payroll_shows_at_once(portal, employer, employee, on_commit):
    employer.leave_module = False  # its leave types are saved one by one: only the bulk rows
    employer.save()
    assert "Geen loonstroken" in look(portal, reverse("portal:payslips"))
    with on_commit():
        demo_payroll(employer=employer, employees=[employee], today=datetime.date(2026, 4, 10))
    assert "Geen loonstroken" not in look(portal, reverse("portal:payslips"))


def test_asking_for_leave_shows_at_once(portal, employer, employee, on_commit):
    leave_type = LeaveTypeFactory(employer=employer, name="Wettelijk verlof")
    LeaveBalanceFactory(employee=employee, leave_type=leave_type)
    assert "06-07-2026" not in look(portal, reverse("portal:leave"))
    with on_commit():
        leave_request_create(
            employee=employee,
            leave_type=leave_type,
            start_date=datetime.date(2026, 7, 6),
            end_date=datetime.date(2026, 7, 6),
            hours=Decimal("8"),
        )
    assert "06-07-2026" in look(portal, reverse("portal:leave"))


def test_withdrawing_leave_shows_at_once(portal, employee, on_commit):
    waiting = LeaveRequestFactory(employee=employee)
    assert "Intrekken" in look(portal, reverse("portal:leave"))
    with on_commit():
        assert leave_request_cancel(leave_request=waiting)
    assert "Intrekken" not in look(portal, reverse("portal:leave"))


def test_hrs_decision_shows_at_once_on_the_leave_page_and_home(portal, employee, hr, on_commit):
    waiting = LeaveRequestFactory(employee=employee)
    assert "Goedgekeurd" not in look(portal, reverse("portal:leave"))
    assert "Goedgekeurd" not in look(portal, reverse("portal:home"))
    with on_commit():
        leave_request_decide(leave_request=waiting, approve=True, actor=hr)
    assert "Goedgekeurd" in look(portal, reverse("portal:leave"))
    assert "Goedgekeurd" in look(portal, reverse("portal:home"))


def test_a_payslip_changed_in_the_admin_shows_at_once(portal, employee, on_commit):
    slip = PayslipFactory(employee=employee, period=3, net_pay="2634.57")
    url = reverse("portal:payslip", args=[slip.pk])
    assert "2.634,57" in look(portal, url)
    slip.net_pay = Decimal("2000.00")
    with on_commit():
        slip.save()
    assert "2.000,00" in look(portal, url)


def test_a_deleted_payslip_is_gone_at_once(portal, employee, on_commit):
    slip = PayslipFactory(employee=employee, period=3)
    url = reverse("portal:payslip", args=[slip.pk])
    look(portal, url)
    assert "maart" in look(portal, reverse("portal:payslips"))
    with on_commit():
        slip.delete()
    assert portal.get(url).status_code == 404
    assert "maart" not in look(portal, reverse("portal:payslips"))


def test_a_changed_statement_shows_at_once(portal, employee, on_commit):
    statement = AnnualStatementFactory(employee=employee, fiscal_wage="39690.00")
    assert "39.690,00" in look(portal, reverse("portal:statements"))
    statement.fiscal_wage = Decimal("40000.00")
    with on_commit():
        statement.save()
    assert "40.000,00" in look(portal, reverse("portal:statements"))


def test_a_changed_first_name_shows_at_once_on_home(portal, employee, on_commit):
    assert "Welkom, Anna" in look(portal, reverse("portal:home"))
    with on_commit():
        employee_update(employee=employee, data={"first_name": "Annemarie"})
    assert "Welkom, Annemarie" in look(portal, reverse("portal:home"))


def test_the_leave_module_switched_off_shows_at_once_on_home(portal, employer, employee, on_commit):
    LeaveBalanceFactory(employee=employee)
    assert "Verlof 2026" in look(portal, reverse("portal:home"))
    employer.leave_module = False
    with on_commit():
        employer.save()
    assert "Verlof 2026" not in look(portal, reverse("portal:home"))
    assert portal.get(reverse("portal:leave")).status_code == 404


def test_a_renamed_leave_type_shows_at_once(portal, employer, employee, on_commit):
    leave_type = LeaveTypeFactory(employer=employer, name="Wettelijk verlof")
    LeaveBalanceFactory(employee=employee, leave_type=leave_type)
    assert "Wettelijk verlof" in look(portal, reverse("portal:leave"))
    leave_type.name = "Vakantieverlof"
    with on_commit():
        leave_type.save()
    assert "Vakantieverlof" in look(portal, reverse("portal:leave"))


def test_a_rolled_back_change_keeps_the_page(portal, employee, django_capture_on_commit_callbacks):
    slip = PayslipFactory(employee=employee, period=3)
    look(portal, reverse("portal:payslip", args=[slip.pk]))
    with django_capture_on_commit_callbacks(execute=False):
        slip.save()  # its transaction never commits: the generation is not replaced
    look_again_from_the_cache(portal, reverse("portal:payslip", args=[slip.pk]))
