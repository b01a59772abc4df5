"""The invitation is its own outbox: nothing is lost, nothing is sent twice."""

import datetime
import smtplib
from unittest import mock

import pytest
import time_machine
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from invitations import outbox
from invitations.mail_errors import mail_error_is_permanent
from invitations.mails import InvitationMails
from invitations.models import Invitation
from invitations.outbox import (
    MAX_MAIL_ATTEMPTS,
    invitations_due_for_sending,
    invitations_send_mail,
    retry_delay,
)
from invitations.services import invitation_grant
from invitations.tasks import send_invitation_mails, sweep_invitation_outbox
from tests.factories import EmployeeFactory
from tests.mail_backends import FailingBackend


def later(minutes):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False)


@pytest.fixture
def failing_mail(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"

    def fail_with(error):
        FailingBackend.error = error

    yield fail_with
    FailingBackend.error = OSError("connection refused")


def test_a_broker_outage_leaves_the_invitation_queued_and_the_sweep_sends_it_once(
    employee, on_commit
):
    broker_down = mock.patch.object(
        send_invitation_mails, "delay", side_effect=ConnectionError("redis")
    )
    with broker_down, on_commit():
        invitation = invitation_grant(employee=employee)
    invitation.refresh_from_db()
    assert invitation.mail_status == "queued" and not mail.outbox
    assert invitations_due_for_sending() == []  # within the grace period the task has priority
    with later(3):
        sweep_invitation_outbox()
        sweep_invitation_outbox()
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.mail_status == "sent"


def test_the_mail_task_is_idempotent(grant, employee):
    invitation = grant(employee)
    send_invitation_mails([invitation.pk])
    send_invitation_mails([invitation.pk])
    assert len(mail.outbox) == 1


def test_a_transient_error_is_retried_with_backoff(employee, failing_mail, on_commit):
    failing_mail(smtplib.SMTPServerDisconnected("gone"))
    with on_commit():
        invitation = invitation_grant(employee=employee)
    invitation.refresh_from_db()
    assert invitation.mail_status == "queued" and invitation.mail_attempts == 1
    assert "SMTPServerDisconnected" in invitation.mail_error
    wait = invitation.mail_next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=14) < wait <= datetime.timedelta(seconds=31)


def test_after_the_provider_recovers_the_sweep_sends_exactly_one_mail(
    employee, failing_mail, settings, on_commit
):
    failing_mail(AnymailAPIError("503 busy", status_code=503))
    with on_commit():
        invitation = invitation_grant(employee=employee)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with later(2):
        call_command("send_queued_mail")
        call_command("send_queued_mail")
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.mail_status == "sent" and invitation.mail_attempts == 2


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"x@example.test": (550, b"no such user")}),
        smtplib.SMTPDataError(554, b"rejected"),
        AnymailRecipientsRefused("refused"),
        AnymailAPIError("bad request", status_code=422),
    ],
)
def test_a_permanent_refusal_fails_without_retry(employee, failing_mail, on_commit, error):
    failing_mail(error)
    with on_commit():
        invitation = invitation_grant(employee=employee)
    invitation.refresh_from_db()
    assert invitation.mail_status == "failed" and invitation.mail_attempts == 1
    with later(120):
        assert invitations_due_for_sending() == []


def test_it_gives_up_after_the_last_attempt_and_hr_sees_failed(employee, failing_mail, on_commit):
    failing_mail(OSError("network unreachable"))
    with on_commit():
        invitation = invitation_grant(employee=employee)
    for attempt in range(2, MAX_MAIL_ATTEMPTS + 1):
        with later(120 * attempt):
            invitations_send_mail(invitation_ids=invitations_due_for_sending())
    invitation.refresh_from_db()
    assert invitation.mail_status == "failed"
    assert invitation.mail_attempts == MAX_MAIL_ATTEMPTS
    assert invitation.employee.audit_events.filter(action="mail_failed").exists()


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    assert datetime.timedelta(seconds=15) <= retry_delay(1) <= datetime.timedelta(seconds=30)
    assert datetime.timedelta(seconds=120) <= retry_delay(4) <= datetime.timedelta(seconds=240)
    assert retry_delay(30) <= datetime.timedelta(hours=1)


def test_a_row_left_sending_by_a_dead_worker_is_sent_again(employee, on_commit):
    invitation = invitation_grant(employee=employee)  # queued
    claimed = outbox._claim([invitation.pk], timezone.now())  # the worker dies after claiming
    assert claimed and not mail.outbox
    assert invitations_due_for_sending() == []
    with later(11):
        invitations_send_mail(invitation_ids=invitations_due_for_sending())
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "error, permanent",
    [
        (smtplib.SMTPResponseException(421, b"try later"), False),
        (smtplib.SMTPResponseException(550, b"mailbox unavailable"), True),
        (AnymailAPIError("rate limited", status_code=429), False),
        (AnymailAPIError("server error", status_code=500), False),
        (TimeoutError(), False),
    ],
)
def test_errors_are_classified(error, permanent):
    assert mail_error_is_permanent(error) is permanent


def test_a_mail_that_cannot_be_written_goes_back_to_the_outbox_and_the_others_are_sent(db):
    # Granted without running the on-commit task: both rows wait in the outbox.
    broken = invitation_grant(employee=EmployeeFactory())
    fine = invitation_grant(employee=EmployeeFactory())
    real_message = InvitationMails.message

    def message(self, invitation, **kwargs):
        if invitation.pk == broken.pk:
            raise ValueError("template error")
        return real_message(self, invitation, **kwargs)

    with mock.patch.object(InvitationMails, "message", message):
        result = invitations_send_mail(invitation_ids=[broken.pk, fine.pk])
    assert result.sent == [fine.pk] and result.retrying == [broken.pk]
    assert [m.to for m in mail.outbox] == [[fine.employee.email]]
    broken.refresh_from_db()
    assert broken.mail_status == "queued" and "template error" in broken.mail_error


def test_when_no_mail_of_a_chunk_can_be_written_no_mail_connection_is_opened(db):
    invitation = invitation_grant(employee=EmployeeFactory())
    connection = mock.MagicMock()
    with mock.patch.object(InvitationMails, "message", side_effect=ValueError("broken")):
        result = invitations_send_mail(invitation_ids=[invitation.pk], connection=connection)
    assert result.retrying == [invitation.pk]
    connection.__enter__.assert_not_called()
    connection.open.assert_not_called()


def test_on_postgresql_each_sent_mark_rewrites_its_row_in_place_touching_no_index(db):
    # The mark writes no column an index of the table reads (a HOT update, room on the page kept
    # by the table's fillfactor): the claim and the chunk's settling into `sent` are the only
    # index writes. The transaction's own counters of the table say which updates were HOT.
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("HOT updates are PostgreSQL's")

    def hot_updates() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_stat_get_xact_tuples_hot_updated(%s::regclass)",
                [Invitation._meta.db_table],
            )
            return cursor.fetchone()[0]

    invitations = [invitation_grant(employee=EmployeeFactory()) for _ in range(3)]
    before = hot_updates()
    result = outbox.invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert len(result.sent) == 3
    assert hot_updates() - before == 3
    assert set(Invitation.objects.values_list("mail_status", flat=True)) == {"sent"}
