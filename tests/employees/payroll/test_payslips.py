import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from employees.formatting import format_euro, format_hours
from employees.models import Payslip, PayslipLine
from employees.payroll import pdf
from tests.employees.factories import PayslipFactory, PayslipLineFactory, sign_in
from tests.factories import EmployeeFactory

TODAY = datetime.date(2026, 4, 10)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def march(employee):
    payslip = PayslipFactory(employee=employee, period=3, net_pay=Decimal("2634.57"))
    PayslipLineFactory(payslip=payslip, sort_order=1, description="Salaris", amount="3500.00")
    PayslipLineFactory(
        payslip=payslip,
        sort_order=2,
        code="4000",
        description="Loonheffing",
        kind=PayslipLine.Kind.DEDUCTION,
        amount="672.43",
    )
    PayslipLineFactory(
        payslip=payslip,
        sort_order=3,
        code="9000",
        description="Reservering vakantiegeld",
        kind=PayslipLine.Kind.INFO,
        amount="280.00",
    )
    return payslip


@pytest.fixture
def future(employee):
    """April's payslip exists, but the employee may see it only from 23 April."""
    return PayslipFactory(employee=employee, period=4)


@pytest.fixture
def others(other_employee):
    return PayslipFactory(employee=other_employee, period=3)


def test_it_requires_sign_in(client):
    response = client.get(reverse("portal:payslips"))
    assert response.status_code == 302
    assert reverse("portal:login") in response["Location"]


def test_hr_staff_without_employee_record_are_refused(manager_client):
    assert manager_client.get(reverse("portal:payslips")).status_code == 403


def test_list_shows_published_payslips_newest_first_with_period_label(portal, employee, march):
    PayslipFactory(employee=employee, period=2)
    with translation.override("nl"):
        response = portal.get(reverse("portal:payslips"), HTTP_ACCEPT_LANGUAGE="nl")
    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("maart 2026") < content.index("februari 2026")
    assert "€ 2.634,57" in content


def test_list_hides_payslips_before_their_publish_date(portal, march, future):
    content = portal.get(reverse("portal:payslips")).content.decode()
    assert "april" not in content.lower()


def test_list_never_shows_another_employees_payslips(portal, march, others):
    response = portal.get(reverse("portal:payslips"))
    assert list(response.context["payslips"]) == [march]


def test_list_filters_by_year_and_offers_the_years_there_are(portal, employee, march):
    old = PayslipFactory(employee=employee, year=2025, period=12)
    response = portal.get(reverse("portal:payslips"), {"year": "2025"})
    assert list(response.context["payslips"]) == [old]
    assert response.context["years"] == [2026, 2025]


@pytest.mark.parametrize("year", ["", "abc", "99999999999999999999", "1900"])
def test_list_survives_a_bad_year(portal, march, year):
    assert portal.get(reverse("portal:payslips"), {"year": year}).status_code == 200


def test_four_weekly_periods_get_a_period_label(employee):
    payslip = PayslipFactory(
        employee=employee, period_kind=Payslip.PeriodKind.FOUR_WEEKLY, period=3
    )
    with translation.override("en"):
        assert payslip.period_label == "period 3 (4-weekly) 2026"


def test_detail_shows_lines_and_fiscal_figures(portal, march):
    response = portal.get(reverse("portal:payslip", args=[march.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert (
        "Salaris" in content and "Loonheffing" in content and "Reservering vakantiegeld" in content
    )
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", ["portal:payslip", "portal:payslip_pdf"])
def test_another_employees_payslip_is_not_found(portal, others, name):
    assert portal.get(reverse(name, args=[others.pk])).status_code == 404


@pytest.mark.parametrize("name", ["portal:payslip", "portal:payslip_pdf"])
def test_a_payslip_before_its_publish_date_is_not_found(portal, future, name):
    assert portal.get(reverse(name, args=[future.pk])).status_code == 404


def test_a_payslip_becomes_visible_on_its_publish_date(portal, employee, future):
    with time_machine.travel(datetime.datetime(2026, 4, 23, 8, 0), tick=False):
        sign_in(portal, employee)  # a fresh session: the old one timed out meanwhile
        assert portal.get(reverse("portal:payslip", args=[future.pk])).status_code == 200


def test_pdf_is_a_dutch_payslip_download(portal, march, monkeypatch):
    monkeypatch.setattr(pdf, "PAGE_COMPRESSION", 0)
    response = portal.get(reverse("portal:payslip_pdf", args=[march.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="loonstrook-2026-03.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    assert b"2.634,57" in response.content
    assert march.employee.employer.name.encode() in response.content


def test_pdf_is_compressed_by_default(portal, march):
    response = portal.get(reverse("portal:payslip_pdf", args=[march.pk]))
    assert response.content.startswith(b"%PDF")
    assert b"2.634,57" not in response.content


def test_list_stays_within_a_few_queries(portal, employee, django_assert_max_num_queries):
    for period in range(1, 4):
        PayslipFactory(employee=employee, period=period)
    with django_assert_max_num_queries(10):
        portal.get(reverse("portal:payslips"))


def test_list_reads_the_payslips_and_their_years_in_one_query(portal, employee, march):
    PayslipFactory(employee=employee, year=2025, period=12)
    portal.get(reverse("portal:payslips"))  # the session's first write is out of the way
    with CaptureQueriesContext(connection) as queries:
        response = portal.get(reverse("portal:payslips"))
    payslip_reads = [q for q in queries if "employees_payslip" in q["sql"]]
    assert len(payslip_reads) == 1
    assert response.context["years"] == [2026, 2025]
    assert response.context["year"] == 2026


def test_a_year_without_payslips_is_shown_empty_with_the_years_there_are(portal, march):
    response = portal.get(reverse("portal:payslips"), {"year": "2019"})
    assert response.context["year"] == 2019
    assert list(response.context["payslips"]) == []
    assert response.context["years"] == [2026]


def test_row_links_lead_to_the_payslip_and_its_pdf(portal, march):
    content = portal.get(reverse("portal:payslips")).content.decode()
    assert f'href="{reverse("portal:payslip", args=[march.pk])}"' in content
    assert f'href="{reverse("portal:payslip_pdf", args=[march.pk])}"' in content


def test_money_is_written_the_way_the_language_does():
    with translation.override("nl"):
        assert format_euro(Decimal("1234.5")) == "€ 1.234,50"
        assert format_euro(Decimal("-12")) == "€ -12,00"
        assert format_hours(Decimal("7.50")) == "7,5"
    with translation.override("en"):
        assert format_euro(Decimal("1234567.891")) == "€ 1,234,567.89"
        assert format_hours(Decimal("16.00")) == "16"


def test_the_payslip_pdf_of_a_four_weekly_period_is_named_after_it(portal, employee):
    payslip = PayslipFactory(
        employee=employee, period_kind=Payslip.PeriodKind.FOUR_WEEKLY, period=3
    )
    response = portal.get(reverse("portal:payslip_pdf", args=[payslip.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="loonstrook-2026-p03.pdf"'


def test_an_employee_of_another_employer_with_the_same_number_sees_nothing(client, march):
    stranger = EmployeeFactory(number=march.employee.number)
    response = sign_in(client, stranger).get(reverse("portal:payslip", args=[march.pk]))
    assert response.status_code == 404
