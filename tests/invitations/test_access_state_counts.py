"""The list's tab counts work each employee's state out once (access_state_case); they must agree
with the filter of every tab (access_state_q) and with access_state_of for one employee."""

import datetime

import pytest
from django.utils import timezone

from employees.models import Employee
from invitations.models import Invitation
from invitations.selectors import (
    AccessState,
    EmployeeFilters,
    access_state_of,
    employees_in_access_state,
)
from invitations.tab_counts import access_state_counts
from invitations.tokens import token_for, token_hash, token_nonce_new
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(employee, status, *, expires_in_days=4):
    nonce = token_nonce_new()
    now = timezone.now()
    return Invitation.objects.create(
        employee=employee,
        status=status,
        token_nonce=nonce,
        token_hash=token_hash(token_for(nonce)),
        sent_at=now,
        expires_at=None if expires_in_days is None else now + datetime.timedelta(expires_in_days),
        closed_at=None if status in (Invitation.Status.PENDING, Invitation.Status.LOCKED) else now,
    )


@pytest.fixture
def world(employer):
    """Every state, and the spellings of it that a history of invitations leaves behind."""
    Status = Invitation.Status
    EmployeeFactory(employer=employer, user=UserFactory())  # active
    blocked = EmployeeFactory(employer=employer, user=UserFactory(is_active=False))
    invite(blocked, Status.ACCEPTED)
    invite(EmployeeFactory(employer=employer), Status.PENDING)  # invited
    invite(EmployeeFactory(employer=employer), Status.PENDING, expires_in_days=None)  # queued
    invite(EmployeeFactory(employer=employer), Status.PENDING, expires_in_days=-1)  # expired
    invite(EmployeeFactory(employer=employer), Status.LOCKED)
    invite(EmployeeFactory(employer=employer), Status.UNDELIVERED)
    again = EmployeeFactory(employer=employer)  # undelivered, then invited again
    invite(again, Status.UNDELIVERED)
    invite(again, Status.PENDING)
    revoked = EmployeeFactory(employer=employer)  # no access again
    invite(revoked, Status.REVOKED)
    invite(EmployeeFactory(employer=employer), Status.EXPIRED)  # closed: no access
    EmployeeFactory(employer=employer)  # never invited
    EmployeeFactory(employer=employer, email="")  # no email
    invite(EmployeeFactory(employer=employer, email=""), Status.PENDING)  # invited, address gone
    EmployeeFactory(user=UserFactory())  # another employer's: not counted


def test_every_tab_count_is_the_number_its_filter_lists(world, employer):
    counts = access_state_counts(employer, EmployeeFilters())
    for state in AccessState.values:
        assert counts[state] == employees_in_access_state(state, employer=employer).count(), state
    assert counts["all"] == Employee.objects.filter(employer=employer).count() == 13


def test_the_counts_agree_with_the_state_of_each_employee(world, employer):
    counts = access_state_counts(employer, EmployeeFilters())
    one_by_one = dict.fromkeys(AccessState.values, 0)
    for employee in Employee.objects.filter(employer=employer).select_related("user"):
        newest = employee.invitations.order_by("-id").first()
        one_by_one[access_state_of(employee, newest)] += 1
    assert {state: counts[state] for state in AccessState.values} == one_by_one
    assert one_by_one[AccessState.INVITED] == 4 and one_by_one[AccessState.NO_ACCESS] == 3
