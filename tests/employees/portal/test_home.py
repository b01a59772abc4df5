import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from employees.models import LeaveRequest
from employees.portal.signals import PREVIOUS_LOGIN_SESSION_KEY
from tests.employees.factories import (
    AnnualStatementFactory,
    LeaveBalanceFactory,
    LeaveRequestFactory,
    PayslipFactory,
    sign_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def test_home_shows_the_latest_published_payslip(portal, employee):
    PayslipFactory(employee=employee, period=2)
    march = PayslipFactory(employee=employee, period=3, net_pay="2634.57")
    PayslipFactory(employee=employee, period=4)  # published on 23 April
    response = portal.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.context["latest"] == march
    assert response.context["nav"] == "home"
    content = response.content.decode()
    assert "€ 2.634,57" in content and "25-03-2026" in content
    assert reverse("portal:payslip", args=[march.pk]) in content


def test_home_never_shows_another_employees_payslip(portal, other_employee):
    PayslipFactory(employee=other_employee, period=3)
    assert portal.get(reverse("portal:home")).context["latest"] is None


def test_home_shows_the_leave_summary_only_with_the_module_on(portal, employer, employee):
    LeaveBalanceFactory(employee=employee, entitlement_hours=152, taken_hours=16)
    assert portal.get(reverse("portal:home")).context["leave"]["balance"] == 136
    employer.leave_module = False
    employer.save()
    assert portal.get(reverse("portal:home")).context["leave"] is None


def test_whats_new_lists_documents_of_the_last_30_days(portal, employee):
    recent = PayslipFactory(employee=employee, period=3)  # published 23 March
    PayslipFactory(employee=employee, period=2)  # published 23 February: not new
    statement = AnnualStatementFactory(employee=employee, publish_date=datetime.date(2026, 4, 1))
    news = portal.get(reverse("portal:home")).context["news"]
    assert news.payslips == [recent]
    assert news.statements == [statement]


def test_whats_new_lists_leave_decisions_since_the_previous_sign_in(portal, employee):
    session = portal.session
    session[PREVIOUS_LOGIN_SESSION_KEY] = (timezone.now() - datetime.timedelta(days=2)).isoformat()
    session.save()
    new = LeaveRequestFactory(
        employee=employee,
        status=LeaveRequest.Status.APPROVED,
        decided_at=timezone.now() - datetime.timedelta(days=1),
    )
    LeaveRequestFactory(
        employee=employee,
        leave_type=new.leave_type,
        status=LeaveRequest.Status.REJECTED,
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2026, 9, 1),
        decided_at=timezone.now() - datetime.timedelta(days=3),
    )
    assert portal.get(reverse("portal:home")).context["news"].decisions == [new]


def test_signing_in_remembers_the_previous_sign_in(client, employee):
    sign_in(client, employee)
    employee.user.refresh_from_db()
    first = employee.user.last_login
    client.logout()
    sign_in(client, employee)
    assert client.session[PREVIOUS_LOGIN_SESSION_KEY] == first.isoformat()


def test_home_stays_within_a_few_queries(portal, employee, django_assert_max_num_queries):
    for period in range(1, 4):
        PayslipFactory(employee=employee, period=period)
    LeaveBalanceFactory(employee=employee)
    LeaveRequestFactory(
        employee=employee, status=LeaveRequest.Status.APPROVED, decided_at=timezone.now()
    )
    with django_assert_max_num_queries(10):
        assert portal.get(reverse("portal:home")).status_code == 200


def test_a_visitor_at_the_front_page_learns_what_the_site_is_and_where_to_sign_in(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "payslips, annual statements and leave" in page
    assert f'href="{reverse("portal:login")}"' in page
    assert f'href="{reverse("hr:login")}"' in page


def test_a_signed_in_hr_user_without_an_employee_record_is_not_shown_the_welcome(
    manager_client,
):
    assert manager_client.get("/").status_code == 403
