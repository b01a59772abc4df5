"""Requesting leave as a Dutch employee expects it (issue 16): the dates in the portal's one date
pattern (day, month, year), the hours proposed from the working days, the statutory type first."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from employees.leave.forms import proposed_hours, working_days
from employees.models import LeaveRequest, LeaveType
from tests.employees.factories import LeaveBalanceFactory, LeaveTypeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def statutory(employer):
    LeaveTypeFactory(employer=employer, code="BWV", kind=LeaveType.Kind.EXTRA_STATUTORY)
    return LeaveTypeFactory(employer=employer, code="WV", kind=LeaveType.Kind.STATUTORY)


def request_data(leave_type, start, end, hours=""):
    data = {"leave_type": leave_type.pk, "hours": hours, "note": ""}
    for name, date in (("start_date", start), ("end_date", end)):
        day, month, year = date.split("-")
        data.update({f"{name}_day": day, f"{name}_month": month, f"{name}_year": year})
    return data


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (datetime.date(2026, 7, 6), datetime.date(2026, 7, 10), 5),  # Monday to Friday
        (datetime.date(2026, 7, 10), datetime.date(2026, 7, 13), 2),  # Friday over the weekend
        (datetime.date(2026, 7, 11), datetime.date(2026, 7, 12), 0),  # a weekend
        (datetime.date(2026, 7, 8), datetime.date(2026, 7, 8), 1),
        (datetime.date(2026, 7, 6), datetime.date(2026, 7, 19), 10),  # two full weeks
        (datetime.date(2026, 7, 6), datetime.date(2026, 7, 5), 0),  # end before start
    ],
)
def test_working_days_count_monday_to_friday_both_ends_included(start, end, days):
    assert working_days(start, end) == days


def test_empty_hours_are_proposed_from_the_working_days(portal, statutory):
    response = portal.post(
        reverse("portal:leave_request"), request_data(statutory, "10-07-2026", "13-07-2026")
    )
    assert response.status_code == 302
    assert LeaveRequest.objects.get().hours == Decimal(16)
    message = [str(m) for m in portal.get(reverse("portal:leave")).context["messages"]]
    assert any("16" in m for m in message), message


def test_hours_typed_by_the_employee_win_over_the_proposal(portal, statutory):
    data = request_data(statutory, "06-07-2026", "10-07-2026", hours="32")
    assert portal.post(reverse("portal:leave_request"), data).status_code == 302
    assert (
        LeaveRequest.objects.get().hours
        == Decimal(32)
        != proposed_hours(datetime.date(2026, 7, 6), datetime.date(2026, 7, 10))
    )


def test_a_weekend_without_hours_asks_for_the_hours_and_saves_nothing(portal, statutory):
    data = request_data(statutory, "11-07-2026", "12-07-2026")
    response = portal.post(reverse("portal:leave_request"), data)
    assert response.status_code == 200 and "hours" in response.context["form"].errors
    assert not LeaveRequest.objects.exists()


@pytest.mark.parametrize(
    "start",
    ["31-02-2026", "6-7-26", "٦-7-2026", "-7-2026", "x-7-2026"],
)
def test_a_date_that_is_not_one_is_an_error_on_that_date(portal, statutory, start):
    response = portal.post(
        reverse("portal:leave_request"), request_data(statutory, start, "10-07-2026", hours="8")
    )
    assert response.status_code == 200 and "start_date" in response.context["form"].errors
    assert not LeaveRequest.objects.exists()


def test_the_form_offers_the_statutory_type_first_and_three_labelled_date_fields(portal, statutory):
    response = portal.get(reverse("portal:leave_request"), HTTP_ACCEPT_LANGUAGE="nl")
    page = response.content.decode()
    first_option = re.search(r'<option value="(\d+)"', page).group(1)
    assert first_option == str(statutory.pk)  # no empty choice: the first one is chosen
    for name in ("start_date", "end_date"):
        for index, (part, label) in enumerate(
            (("day", "Dag"), ("month", "Maand"), ("year", "Jaar"))
        ):
            field_id = f"id_{name}_{index}"
            assert f'name="{name}_{part}"' in page and f'<label for="{field_id}">{label}' in page
    assert 'type="date"' not in page  # not the browser's own picker with its own order
    # Every hint a field points screen readers at exists on the page.
    for ids in re.findall(r'aria-describedby="([^"]+)"', page):
        for described in ids.split():
            assert f'id="{described}"' in page, described


def test_a_leave_type_whose_name_says_its_kind_does_not_repeat_it(portal, employer, employee):
    LeaveTypeFactory(employer=employer, code="WV", name="Wettelijk verlof")
    LeaveTypeFactory(employer=employer, code="VK", name="Vakantie")
    for leave_type in LeaveType.objects.all():
        LeaveBalanceFactory(employee=employee, leave_type=leave_type, year=2026)
    page = portal.get(reverse("portal:leave"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Wettelijk verlof <span" not in page and "Wettelijk verlof</td>" in page
    assert 'Vakantie <span class="muted">(wettelijk)</span>' in page
