"""HR corrects the address of an invited employee: the link mailed to the old address stops
working in the same transaction, and a new one goes to the new address."""

import datetime
import io
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from employees.models import Employee
from employees.records.importing import employee_import_csv
from employees.records.services import employee_update
from employers.models import AuditEvent
from invitations.models import Invitation
from tests.invitations.helpers import ACTIVATE, BIRTH_DATE, last_token, link_path
from tests.mfa_helpers import force_login_verified

TYPO = "anna.bakker@gmial.com"
RIGHT = "anna.bakker@gmail.com"


@pytest.fixture
def mistyped(employee, grant):
    """HR invited Anna at a mistyped address, and the mail went out: (invitation, raw token)."""
    Employee.objects.filter(pk=employee.pk).update(email=TYPO)
    employee.refresh_from_db()
    invitation = grant(employee)
    invitation.refresh_from_db()
    assert mail.outbox[-1].to == [TYPO]
    return invitation, last_token()


def correct_the_address(client, employee, email=RIGHT):
    url = reverse("hr:employee_edit", args=[employee.pk])
    return client.post(url, {"email": email, "language": employee.language})


def test_correcting_the_address_replaces_the_invitation_and_mails_the_new_address(
    manager_client, employee, mistyped, on_commit, employer_manager
):
    old, old_token = mistyped
    with on_commit():
        assert correct_the_address(manager_client, employee).status_code == 302
    old.refresh_from_db()
    assert old.status == "superseded" and old.closed_at
    new = Invitation.objects.get(employee=employee, status="pending")
    assert new.pk != old.pk and new.created_by == employer_manager
    assert len(mail.outbox) == 2
    assert mail.outbox[-1].to == [RIGHT]
    new_token = last_token()
    assert new_token != old_token
    resent = AuditEvent.objects.get(employee=employee, action="resent")
    assert resent.actor == employer_manager
    assert "a***@gmial.com" in resent.detail and "a***@gmail.com" in resent.detail
    assert TYPO not in resent.detail and RIGHT not in resent.detail


def test_the_link_mailed_to_the_wrong_address_no_longer_activates(
    client, manager_client, employee, mistyped, on_commit
):
    _, old_token = mistyped
    with on_commit():
        correct_the_address(manager_client, employee)
    response = client.get(link_path(old_token), follow=True)
    assert (response.status_code, response.context["state"]) == (410, "superseded")
    assert client.get(link_path(last_token()))["Location"] == ACTIVATE


def test_whoever_opened_the_old_link_before_the_correction_cannot_go_on(
    client, manager_client, employee, mistyped, on_commit
):
    _, old_token = mistyped
    client.get(link_path(old_token))  # the stranger at the mistyped address, mid-way
    with on_commit():
        correct_the_address(manager_client, employee)
    response = client.post(ACTIVATE, BIRTH_DATE)
    assert (response.status_code, response.context["state"]) == (410, "superseded")
    assert not Employee.objects.get(pk=employee.pk).user_id


def test_a_locked_invitation_is_replaced_with_a_fresh_counter(
    manager_client, employee, mistyped, on_commit
):
    old, _ = mistyped
    Invitation.objects.filter(pk=old.pk).update(status="locked", failed_attempts=5)
    with on_commit():
        correct_the_address(manager_client, employee)
    new = Invitation.objects.get(employee=employee, status="pending")
    assert new.failed_attempts == 0
    assert Invitation.objects.get(pk=old.pk).status == "superseded"
    assert mail.outbox[-1].to == [RIGHT]


def test_a_mail_still_queued_for_the_old_address_is_never_sent(manager_client, employee, on_commit):
    from invitations.services import invitation_grant

    Employee.objects.filter(pk=employee.pk).update(email=TYPO)
    employee.refresh_from_db()
    queued = invitation_grant(employee=employee)  # the mail task has not run yet
    with on_commit():
        correct_the_address(manager_client, employee)
    from invitations.outbox import invitations_send_mail

    assert invitations_send_mail(invitation_ids=[queued.pk]).skipped == 1
    assert [m.to for m in mail.outbox] == [[RIGHT]]


def test_removing_the_address_withdraws_the_invitation_and_mails_nobody(
    manager_client, employee, mistyped, on_commit
):
    old, old_token = mistyped
    with on_commit():
        correct_the_address(manager_client, employee, email="")
    assert Invitation.objects.get(pk=old.pk).status == "revoked"
    assert not Invitation.objects.filter(employee=employee).open().exists()
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(employee=employee, action="revoked").exists()
    page = manager_client.get(reverse("hr:employee_detail", args=[employee.pk]))
    assert page.context["access_state"] == "no_email"


def test_the_same_address_typed_differently_changes_nothing(
    manager_client, employee, mistyped, on_commit
):
    old, _ = mistyped
    with on_commit():
        correct_the_address(manager_client, employee, email="  Anna.Bakker@GMIAL.com ")
    assert Invitation.objects.get(pk=old.pk).status == "pending"
    assert len(mail.outbox) == 1
    assert not AuditEvent.objects.filter(employee=employee, action="resent").exists()


def test_an_expired_invitation_is_left_for_hr_to_grant_again(
    manager_client, employee, mistyped, on_commit, employer_manager
):
    old, _ = mistyped
    with time_machine.travel(old.expires_at + datetime.timedelta(seconds=1)):
        force_login_verified(manager_client, employer_manager)
        with on_commit():
            correct_the_address(manager_client, employee)
    assert Invitation.objects.filter(employee=employee).count() == 1
    assert len(mail.outbox) == 1


def test_changing_another_field_leaves_the_invitation_alone(
    manager_client, employee, mistyped, on_commit
):
    old, _ = mistyped
    url = reverse("hr:employee_edit", args=[employee.pk])
    with on_commit():
        manager_client.post(url, {"email": TYPO, "language": "en", "end_date": "31-12-2026"})
    assert Invitation.objects.get(pk=old.pk).status == "pending"
    assert len(mail.outbox) == 1


def test_the_address_change_and_the_replacement_commit_together(employee, mistyped):
    old, _ = mistyped
    failing = mock.patch("invitations.services._new_invitation", side_effect=RuntimeError("boom"))
    with failing, pytest.raises(RuntimeError):
        employee_update(employee=employee, data={"email": RIGHT})
    assert Employee.objects.get(pk=employee.pk).email == TYPO
    assert Invitation.objects.get(pk=old.pk).status == "pending"


def test_an_import_that_corrects_the_address_replaces_the_invitation_too(
    employer, employee, mistyped, on_commit, employer_manager
):
    old, old_token = mistyped
    csv = (
        "employee_number;first_name;last_name;birth_date;start_date;email\n"
        f"{employee.number};Anna;Bakker;14-03-1985;01-01-2020;{RIGHT}\n"
    )
    with on_commit():
        result = employee_import_csv(
            employer=employer, file=io.BytesIO(csv.encode()), actor=employer_manager
        )
    assert result.ok and result.updated == 1, result.error_lines()
    assert Invitation.objects.get(pk=old.pk).status == "superseded"
    assert mail.outbox[-1].to == [RIGHT]
    assert last_token() != old_token


def test_a_dry_run_import_replaces_nothing(employer, employee, mistyped, on_commit):
    old, _ = mistyped
    csv = (
        "employee_number;first_name;last_name;birth_date;start_date;email\n"
        f"{employee.number};Anna;Bakker;14-03-1985;01-01-2020;{RIGHT}\n"
    )
    with on_commit():
        employee_import_csv(employer=employer, file=io.BytesIO(csv.encode()), dry_run=True)
    assert Invitation.objects.get(pk=old.pk).status == "pending"
    assert len(mail.outbox) == 1


def test_another_employers_employee_cannot_be_changed(manager_client, other_employee, grant):
    grant(other_employee)
    response = correct_the_address(manager_client, other_employee, email="mallory@example.test")
    assert response.status_code == 404
    assert Invitation.objects.get(employee=other_employee).status == "pending"
    assert len(mail.outbox) == 1
