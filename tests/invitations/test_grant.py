import datetime
import hashlib

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from employers.models import AuditEvent
from invitations.models import Invitation
from invitations.services import InvitationError, invitation_grant
from tests.factories import EmployeeFactory, UserFactory
from tests.invitations.helpers import last_token, links_in_outbox


def test_granting_queues_an_invitation_and_mails_a_personal_link(grant, employee):
    invitation = grant(employee)
    invitation.refresh_from_db()
    assert invitation.status == "pending" and invitation.mail_status == "sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [employee.email]
    assert employee.employer.name in message.subject
    assert len(links_in_outbox()) == 1
    html = message.alternatives[0][0]
    assert last_token() in html


def test_the_link_is_valid_for_four_days_from_sending(grant, employee):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC), tick=False):
        invitation = grant(employee)
    invitation.refresh_from_db()
    assert invitation.sent_at == datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=4)
    # Shown in Amsterdam time in the mail: 10:30 on 6 March.
    assert "06-03-2026" in mail.outbox[0].body and "10:30" in mail.outbox[0].body


def test_only_the_hash_of_the_token_is_stored(grant, employee):
    invitation = grant(employee)
    token = last_token()
    invitation.refresh_from_db()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM invitations_invitation")
        rows = cursor.fetchall()
    assert token not in repr(rows)


def test_tokens_carry_256_bits(grant, employee, employer):
    grant(employee)
    grant(EmployeeFactory(employer=employer))
    first, second = links_in_outbox()
    assert len(first) == 43 and first != second


def test_the_mail_goes_out_in_the_employees_language(grant, employer):
    employee = EmployeeFactory(employer=employer, language="en")
    grant(employee)
    assert "Your access to the employee portal" in mail.outbox[0].subject
    assert "Dear Jan" in mail.outbox[0].body


def test_the_mail_is_dutch_by_default(grant, employee):
    grant(employee)
    assert "Beste Anna" in mail.outbox[0].body


def test_the_link_uses_site_url_whatever_the_request_host(manager_client, employee, on_commit):
    with on_commit():
        manager_client.post(
            reverse("hr:invitation_grant", args=[employee.pk]), HTTP_HOST="localhost"
        )
    assert "localhost" not in mail.outbox[0].body
    assert links_in_outbox()


def test_a_forged_host_header_is_refused(manager_client, employee):
    response = manager_client.post(
        reverse("hr:invitation_grant", args=[employee.pk]), HTTP_HOST="evil.example.com"
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_granting_needs_an_email_address(employee):
    employee.email = ""
    employee.save()
    with pytest.raises(InvitationError):
        invitation_grant(employee=employee)
    assert not Invitation.objects.exists()


def test_an_employee_with_an_account_cannot_be_invited(employee):
    employee.user = UserFactory()
    employee.save()
    with pytest.raises(InvitationError):
        invitation_grant(employee=employee)


def test_a_second_grant_while_one_is_open_is_refused(grant, employee):
    grant(employee)
    with pytest.raises(InvitationError):
        invitation_grant(employee=employee)
    assert Invitation.objects.filter(employee=employee).count() == 1
    assert len(mail.outbox) == 1


def test_employees_who_left_can_be_invited_individually(grant, employer):
    leaver = EmployeeFactory(employer=employer, end_date=datetime.date(2025, 6, 30))
    grant(leaver)
    assert len(mail.outbox) == 1


def test_after_expiry_access_can_be_granted_again(grant, employee):
    first = grant(employee)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4, seconds=1)):
        second = grant(employee)
    first.refresh_from_db()
    assert first.status == "expired" and second.status == "pending"
    assert len(mail.outbox) == 2


def test_granting_is_in_the_audit_log_with_who_and_from_where(manager_client, employee, on_commit):
    with on_commit():
        manager_client.post(
            reverse("hr:invitation_grant", args=[employee.pk]), REMOTE_ADDR="192.0.2.7"
        )
    granted = AuditEvent.objects.get(employee=employee, action="granted")
    assert granted.actor_label and granted.ip_address == "192.0.2.7"
    assert AuditEvent.objects.filter(employee=employee, action="mail_sent").exists()
