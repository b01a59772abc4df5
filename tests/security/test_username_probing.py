"""Whoever holds a link and the birth date must not be able to test, without limit, which usernames
exist (HR's included): every "this username is taken" answer is counted against the invitation,
and the tenth locks it until HR resends."""

import threading
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection, connections
from django.urls import reverse

from employers.models import AuditEvent
from essportal.models import User
from invitations.acceptance import InvitationLocked, UsernameTaken, invitation_accept
from invitations.models import Invitation
from invitations.services import invitation_resend
from tests.factories import EmployeeFactory, UserFactory
from tests.invitations.helpers import (
    ACCOUNT,
    ACTIVATE,
    AFTER_ACTIVATION,
    BIRTH_DATE,
    CREDENTIALS,
    sent_invitation,
)

CAP = 10  # INVITATION_MAX_TAKEN_USERNAMES
WEAK = {"password1": "short", "password2": "short"}


@pytest.fixture
def at_credentials(client, opened):
    """The birth date was right: the employee is choosing a username."""
    assert client.post(ACTIVATE, BIRTH_DATE)["Location"] == ACCOUNT
    return opened


@pytest.fixture
def taken(db):
    """Usernames that exist: HR staff and other employees."""
    return [UserFactory(username=f"hr.medewerker{n}").username for n in range(CAP + 2)]


def choose(client, username, **data):
    return client.post(ACCOUNT, {**CREDENTIALS, "username": username, **data})


def test_the_cap_is_ten():
    assert settings.INVITATION_MAX_TAKEN_USERNAMES == CAP


def test_nine_taken_usernames_leave_the_invitation_open(client, at_credentials, taken, employee):
    for n, name in enumerate(taken[: CAP - 1], start=1):
        response = choose(client, name)
        assert "username" in response.context["form"].errors
        assert response.context["usernames_left"] == CAP - n
    at_credentials.refresh_from_db()
    assert at_credentials.status == "pending" and at_credentials.taken_usernames == CAP - 1
    assert choose(client, "anna.bakker")["Location"] == AFTER_ACTIVATION
    employee.refresh_from_db()
    assert employee.user.username == "anna.bakker"


def test_the_tenth_taken_username_locks_the_invitation_until_hr_resends(
    client, at_credentials, taken, employee, on_commit
):
    for name in taken[:CAP]:
        response = choose(client, name)
    assert response.status_code == 410 and response.context["state"] == "locked"
    at_credentials.refresh_from_db()
    assert at_credentials.status == "locked" and at_credentials.taken_usernames == CAP
    assert AuditEvent.objects.filter(employee=employee, action="username_taken").count() == CAP
    assert (
        AuditEvent.objects.filter(employee=employee, action="locked_taken_usernames").count() == 1
    )
    # A free name no longer helps, nor does the eleventh taken one count.
    assert choose(client, "anna.bakker").status_code == 410
    assert choose(client, taken[CAP]).status_code == 410
    at_credentials.refresh_from_db()
    assert at_credentials.taken_usernames == CAP and employee.user_id is None
    with on_commit():
        fresh = invitation_resend(employee=employee)
    assert fresh.taken_usernames == 0 and fresh.status == "pending"


@pytest.mark.parametrize("spelling", ["PIET.HR", "Piet.Hr", "piet.HR"])
def test_a_taken_name_in_another_case_counts_too(client, at_credentials, spelling):
    UserFactory(username="piet.hr")
    response = choose(client, spelling)
    assert "username" in response.context["form"].errors
    at_credentials.refresh_from_db()
    assert at_credentials.taken_usernames == 1


def test_a_form_with_other_errors_says_nothing_about_the_name(client, at_credentials, taken):
    """Otherwise a weak password would make a free oracle: the name's answer would come without
    the name being counted."""
    on_taken = choose(client, taken[0], **WEAK).context["form"].errors
    on_free = choose(client, "nog.vrij", **WEAK).context["form"].errors
    assert "username" not in on_taken and "username" not in on_free
    assert on_taken == on_free
    at_credentials.refresh_from_db()
    assert at_credentials.taken_usernames == 0


def test_a_name_taken_between_the_check_and_the_save_is_counted_too(at_credentials, taken):
    with (
        mock.patch("invitations.acceptance.username_taken", return_value=False),
        pytest.raises(UsernameTaken),
    ):
        invitation_accept(
            invitation_id=at_credentials.pk, username=taken[0], password=CREDENTIALS["password1"]
        )
    at_credentials.refresh_from_db()
    assert at_credentials.taken_usernames == 1 and at_credentials.status == "pending"


def test_the_page_says_how_many_taken_names_remain_and_why_it_locked(client, at_credentials, taken):
    """In the employee's language (Dutch here, the factory's default)."""
    for name in taken[: CAP - 1]:
        page = choose(client, name).content.decode()
    assert "Na nog 1 gebruikersnaam die al in gebruik is" in page
    locked = choose(client, taken[CAP - 1]).content.decode()
    assert "te veel gebruikersnamen geprobeerd die al in gebruik zijn" in locked
    assert "geboortedatum" not in locked


def test_hr_sees_that_taken_usernames_locked_it(manager_client, at_credentials, employee, taken):
    Invitation.objects.filter(pk=at_credentials.pk).update(status="locked", taken_usernames=CAP)
    page = manager_client.get(reverse("hr:employee_detail", args=[employee.pk])).content.decode()
    assert "te veel gebruikersnamen geprobeerd die al in gebruik zijn" in page


@pytest.mark.integration
def test_parallel_taken_usernames_are_never_answered_past_the_cap(transactional_db, employer):
    if connection.vendor != "postgresql":
        pytest.skip("row-level races are proven on PostgreSQL (make test-integration)")
    employee = EmployeeFactory(employer=employer)
    invitation = sent_invitation(employee, token_hash="e" * 64)
    names = [UserFactory(username=f"bezet{n}").username for n in range(CAP + 5)]
    barrier = threading.Barrier(len(names))
    results: list = [None] * len(names)

    def probe(i):
        try:
            barrier.wait()
            results[i] = invitation_accept(
                invitation_id=invitation.pk, username=names[i], password="lange wachtzin hier"
            )
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=probe, args=(i,)) for i in range(len(names))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    invitation.refresh_from_db()
    assert invitation.taken_usernames == CAP and invitation.status == "locked"
    assert sum(isinstance(r, UsernameTaken) for r in results) == CAP - 1
    assert sum(isinstance(r, InvitationLocked) for r in results) == 1
    assert User.objects.count() == len(names)
