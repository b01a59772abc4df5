import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from employees.leave.selectors import leave_overview
from employees.models import LeaveRequest, LeaveType
from tests.employees.factories import (
    LeaveBalanceFactory,
    LeaveRequestFactory,
    LeaveTypeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]
TODAY = datetime.date(2026, 4, 10)


@pytest.fixture
def statutory(employer):
    return LeaveTypeFactory(employer=employer, code="WV", name="Wettelijk verlof")


@pytest.fixture
def extra(employer):
    return LeaveTypeFactory(
        employer=employer,
        code="BWV",
        name="Bovenwettelijk verlof",
        kind=LeaveType.Kind.EXTRA_STATUTORY,
    )


@pytest.fixture
def balances(employee, statutory, extra):
    LeaveBalanceFactory(
        employee=employee, leave_type=statutory, entitlement_hours=152, taken_hours=16
    )
    LeaveBalanceFactory(employee=employee, leave_type=extra, entitlement_hours=40, taken_hours=0)


def valid(own_type, **changes):
    """The form's data; dates given as "dd-mm-yyyy" are typed into their three fields."""
    data = {
        "leave_type": own_type.pk,
        "start_date": "06-07-2026",
        "end_date": "10-07-2026",
        "hours": "40",
        "note": "Zomervakantie",
        **changes,
    }
    for name in ("start_date", "end_date"):
        day, month, year = (data.pop(name).split("-") + ["", "", ""])[:3]
        data.update({f"{name}_day": day, f"{name}_month": month, f"{name}_year": year})
    return data


def test_balance_is_entitlement_minus_taken_minus_planned(employee, statutory, balances):
    LeaveRequestFactory(
        employee=employee, leave_type=statutory, status=LeaveRequest.Status.APPROVED, hours=24
    )
    # Waiting, rejected and past approved leave do not count as planned.
    LeaveRequestFactory(
        employee=employee,
        leave_type=statutory,
        start_date=datetime.date(2026, 8, 3),
        end_date=datetime.date(2026, 8, 3),
        hours=8,
    )
    LeaveRequestFactory(
        employee=employee,
        leave_type=statutory,
        status=LeaveRequest.Status.APPROVED,
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 3, 2),
        hours=8,
    )
    rows = leave_overview(employee, year=2026, today=TODAY)
    assert [row.leave_type.code for row in rows] == ["WV", "BWV"]
    assert rows[0].planned == Decimal(24)
    assert rows[0].balance == Decimal(152 - 16 - 24)
    assert rows[1].balance == Decimal(40)


def test_leave_page_shows_balances_and_requests(portal, employee, statutory, balances):
    LeaveRequestFactory(employee=employee, leave_type=statutory, note="Zomervakantie")
    response = portal.get(reverse("portal:leave"), HTTP_ACCEPT_LANGUAGE="nl")
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["nav"] == "leave"
    assert "Wettelijk verlof" in content and "Bovenwettelijk verlof" in content
    assert "136" in content  # 152 - 16
    assert "Zomervakantie" in content


def test_leave_pages_do_not_exist_when_the_module_is_off(portal, employer, employee, statutory):
    employer.leave_module = False
    employer.save()
    own = LeaveRequestFactory(employee=employee, leave_type=statutory)
    assert portal.get(reverse("portal:leave")).status_code == 404
    assert portal.get(reverse("portal:leave_request")).status_code == 404
    assert portal.post(reverse("portal:leave_request"), valid(statutory)).status_code == 404
    assert portal.post(reverse("portal:leave_cancel", args=[own.pk])).status_code == 404
    assert reverse("portal:leave") not in portal.get(reverse("portal:home")).content.decode()


def test_the_menu_shows_leave_when_the_module_is_on(portal):
    assert reverse("portal:leave") in portal.get(reverse("portal:home")).content.decode()


def test_a_valid_request_is_saved_as_requested(portal, employee, statutory):
    response = portal.post(reverse("portal:leave_request"), valid(statutory))
    assert response.status_code == 302
    leave_request = LeaveRequest.objects.get()
    assert leave_request.employee == employee
    assert leave_request.status == LeaveRequest.Status.REQUESTED
    assert leave_request.hours == Decimal(40)
    assert leave_request.start_date == datetime.date(2026, 7, 6)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_date": "03-07-2026"}, "end_date"),
        ({"hours": "0"}, "hours"),
        ({"hours": "-8"}, "hours"),
        ({"hours": "abc"}, "hours"),
        ({"hours": "61"}, "hours"),  # 5 days, at most 12 hours a day
        ({"start_date": "01-04-2026", "end_date": "01-04-2026", "hours": "8"}, "start_date"),
        ({"start_date": "31-02-2026"}, "start_date"),
        ({"start_date": ""}, "start_date"),
        ({"end_date": "10-07-2028"}, "end_date"),
        ({"note": "x" * 501}, "note"),
    ],
)
def test_bad_input_gives_a_field_error_and_saves_nothing(portal, statutory, changes, field):
    response = portal.post(reverse("portal:leave_request"), valid(statutory, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not LeaveRequest.objects.exists()


def test_another_employers_leave_type_is_refused(portal, statutory, other_employer):
    foreign = LeaveTypeFactory(employer=other_employer)
    response = portal.post(reverse("portal:leave_request"), valid(statutory, leave_type=foreign.pk))
    assert "leave_type" in response.context["form"].errors
    assert not LeaveRequest.objects.exists()


@pytest.mark.parametrize("status", [LeaveRequest.Status.REQUESTED, LeaveRequest.Status.APPROVED])
def test_a_request_overlapping_an_open_one_is_refused(portal, employee, statutory, status):
    LeaveRequestFactory(
        employee=employee,
        leave_type=statutory,
        status=status,
        start_date=datetime.date(2026, 7, 9),
        end_date=datetime.date(2026, 7, 14),
    )
    response = portal.post(reverse("portal:leave_request"), valid(statutory))
    assert "start_date" in response.context["form"].errors
    assert LeaveRequest.objects.count() == 1


def test_a_request_may_overlap_a_rejected_or_cancelled_one(portal, employee, statutory):
    for status in (LeaveRequest.Status.REJECTED, LeaveRequest.Status.CANCELLED):
        LeaveRequestFactory(employee=employee, leave_type=statutory, status=status)
    assert portal.post(reverse("portal:leave_request"), valid(statutory)).status_code == 302


def test_another_employees_request_does_not_block_mine(portal, employer, statutory):
    from tests.factories import EmployeeFactory

    LeaveRequestFactory(employee=EmployeeFactory(employer=employer), leave_type=statutory)
    assert portal.post(reverse("portal:leave_request"), valid(statutory)).status_code == 302


def test_an_employee_withdraws_a_waiting_request(portal, employee, statutory):
    own = LeaveRequestFactory(employee=employee, leave_type=statutory)
    response = portal.post(reverse("portal:leave_cancel", args=[own.pk]))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == LeaveRequest.Status.CANCELLED


def test_a_decided_request_cannot_be_withdrawn(portal, employee, statutory):
    own = LeaveRequestFactory(
        employee=employee, leave_type=statutory, status=LeaveRequest.Status.APPROVED
    )
    portal.post(reverse("portal:leave_cancel", args=[own.pk]))
    own.refresh_from_db()
    assert own.status == LeaveRequest.Status.APPROVED


def test_another_employees_request_cannot_be_withdrawn(portal, other_employee):
    others = LeaveRequestFactory(employee=other_employee)
    assert portal.post(reverse("portal:leave_cancel", args=[others.pk])).status_code == 404
    others.refresh_from_db()
    assert others.status == LeaveRequest.Status.REQUESTED


def test_withdrawing_needs_a_post(portal, employee, statutory):
    own = LeaveRequestFactory(employee=employee, leave_type=statutory)
    assert portal.get(reverse("portal:leave_cancel", args=[own.pk])).status_code == 405
