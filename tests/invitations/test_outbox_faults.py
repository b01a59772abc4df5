"""The outbox under real faults (issue 14): greylisting, a worker paused past its claim, a worker
killed mid-chunk, and what HR sees while a mail is still on its way (R11)."""

import datetime
import smtplib
from unittest import mock

import pytest
import time_machine
from anymail.exceptions import AnymailAPIError
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone

from employers.models import AuditEvent
from invitations import outbox
from invitations.collective import grant_preview, stalled_grant_batches
from invitations.mail_errors import mail_error_is_permanent
from invitations.models import BATCH_STALLED_AFTER, GrantBatch, Invitation
from invitations.outbox import invitations_due_for_sending, invitations_send_mail
from invitations.services import invitation_grant
from tests.factories import EmployeeFactory
from tests.invitations.helpers import LINK, link_path
from tests.mail_backends import FailingBackend

LEASE = 90  # MAIL_CLAIM_LEASE_SECONDS' default

pytestmark = pytest.mark.django_db


@pytest.fixture
def lease(settings):
    settings.MAIL_CLAIM_LEASE_SECONDS = LEASE
    return datetime.timedelta(seconds=LEASE)


@pytest.fixture
def failing_mail(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"

    def fail_with(error):
        FailingBackend.error = error

    yield fail_with
    FailingBackend.error = OSError("connection refused")


def queued(count, employer=None):
    """Invitations granted but not yet mailed (the test's transaction never commits, so the task
    started on commit does not run)."""
    kwargs = {"employer": employer} if employer else {}
    return [invitation_grant(employee=EmployeeFactory(**kwargs)) for _ in range(count)]


def mails_for(invitation) -> list:
    return [m for m in mail.outbox if m.extra_headers.get("X-ESS-Invitation") == str(invitation.pk)]


# --- Greylisting: 4xx at RCPT TO is a "later", not a "never" ------------------------------------


def greylisted(address="anna@example.test"):
    return smtplib.SMTPRecipientsRefused({address: (451, b"4.7.1 Greylisted, try again later")})


def test_a_greylisted_recipient_is_retried_and_then_sent_once(failing_mail, lease):
    (invitation,) = queued(1)
    failing_mail(greylisted())
    result = invitations_send_mail(invitation_ids=[invitation.pk])
    assert result.retrying == [invitation.pk] and not result.failed
    invitation.refresh_from_db()
    assert (invitation.status, invitation.mail_status) == ("pending", "queued")

    failing_mail(None)  # the relay accepts the second attempt
    with time_machine.travel(invitation.mail_next_attempt_at, tick=False):
        invitations_send_mail(invitation_ids=invitations_due_for_sending())
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.mail_status == "sent"


@pytest.mark.parametrize(
    "error, permanent",
    [
        (greylisted(), False),
        (smtplib.SMTPRecipientsRefused({"a@example.test": (550, b"5.1.1 No such user")}), True),
        (
            smtplib.SMTPRecipientsRefused(
                {"a@example.test": (550, b"no such user"), "b@example.test": (452, b"full")}
            ),
            False,  # one of them may still take it
        ),
        (smtplib.SMTPSenderRefused(553, b"sender not allowed", "noreply@x.test"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPDataError(451, b"try again after DATA"), False),
        (smtplib.SMTPDataError(554, b"message refused"), True),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (AnymailAPIError("bad request", status_code=422), True),
        (AnymailAPIError("wrong API key", status_code=401), False),
        (AnymailAPIError("unknown domain", status_code=404), False),
        (AnymailAPIError("no response"), False),
    ],
)
def test_only_a_refusal_of_this_recipient_or_message_is_permanent(error, permanent):
    assert mail_error_is_permanent(error) is permanent


def test_a_mail_refused_for_good_leaves_the_employee_visibly_re_grantable(failing_mail, lease):
    (invitation,) = queued(1)
    employee = invitation.employee
    failing_mail(smtplib.SMTPRecipientsRefused({employee.email: (550, b"5.1.1 No such user")}))
    result = invitations_send_mail(invitation_ids=[invitation.pk])
    assert result.failed == [invitation.pk]
    invitation.refresh_from_db()
    assert (invitation.status, invitation.mail_status) == ("undelivered", "failed")
    assert invitation.closed_at is not None
    assert AuditEvent.objects.filter(employee=employee, action="mail_failed").count() == 1
    # The collective grant counts the employee among those it will invite ...
    assert grant_preview(employer=employee.employer).to_invite == 1
    # ... and HR can grant again one by one.
    failing_mail(None)
    again = invitation_grant(employee=employee)
    assert again.pk != invitation.pk and again.status == "pending"


# --- A worker paused past its claim -------------------------------------------------------------


class PausingBackend(EmailBackend):
    """Delivers to mail.outbox like locmem; while handing over the first mail it "pauses" past
    the claim's lease, during which another worker (the sweep) takes the rows over."""

    pause = None  # set by the test: called once, inside the first send

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if PausingBackend.pause is not None:
            pause, PausingBackend.pause = PausingBackend.pause, None
            pause()
        return sent


class Clock:
    """time.monotonic for the outbox's lease checks, moved by the test."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_worker_paused_past_its_claim_writes_nothing_and_sends_nothing_more(
    settings, lease, client
):
    settings.EMAIL_BACKEND = "tests.invitations.test_outbox_faults.PausingBackend"
    invitations = queued(3)
    clock = Clock()
    after_pause = timezone.now() + lease + datetime.timedelta(minutes=1)

    def pause():
        # The first worker stops (SIGSTOP, a long GC, a slow relay) for longer than its lease;
        # meanwhile the sweep finds the rows and a second worker sends them all.
        clock.now += LEASE + 60
        with time_machine.travel(after_pause, tick=False):
            due = invitations_due_for_sending()
            assert sorted(due) == sorted(i.pk for i in invitations)
            second = invitations_send_mail(invitation_ids=due)
            assert len(second.sent) == 3

    PausingBackend.pause = pause
    with mock.patch.object(outbox.time, "monotonic", clock):
        first = invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    # The first worker resumed: its sent mark was refused, and it sent none of the others.
    assert first.sent == [] and first.lost == 3
    assert [len(mails_for(i)) for i in invitations] == [2, 1, 1]  # only the mail in flight twice
    assert AuditEvent.objects.filter(action="mail_sent").count() == 3
    for invitation in invitations:
        invitation.refresh_from_db()
        assert invitation.mail_status == "sent" and invitation.mail_attempts == 2
    # Both mails of the first employee carry the same link, and it works.
    first_links = {LINK.search(m.body).group(1) for m in mails_for(invitations[0])}
    assert len(first_links) == 1
    response = client.get(link_path(first_links.pop()))
    assert response.status_code == 302 and response["Location"] == "/activate/"


def test_a_worker_renews_its_claim_while_it_sends_so_a_slow_chunk_is_not_taken_over(
    settings, lease
):
    settings.EMAIL_BACKEND = "tests.invitations.test_outbox_faults.PausingBackend"
    invitations = queued(3)
    clock = Clock()
    start = timezone.now()
    taken_over = []

    def slow_but_alive():
        # A slow relay: two thirds of the lease pass on the first mail. The next lease check
        # renews the claim, so the sweep at the old lease's end finds nothing to take over.
        clock.now += LEASE * 2 / 3
        wall_clock.shift(datetime.timedelta(seconds=LEASE * 2 / 3))
        PausingBackend.pause = sweep_after_renewal

    def sweep_after_renewal():
        with time_machine.travel(start + lease + datetime.timedelta(seconds=1), tick=False):
            taken_over.extend(invitations_due_for_sending())

    PausingBackend.pause = slow_but_alive
    with (
        mock.patch.object(outbox.time, "monotonic", clock),
        time_machine.travel(start, tick=False) as wall_clock,
    ):
        result = invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert taken_over == []
    assert len(result.sent) == 3 and len(mail.outbox) == 3


def test_a_claim_is_taken_over_exactly_when_its_lease_ends(lease):
    (invitation,) = queued(1)
    claimed_at = timezone.now()
    outbox._claim([invitation.pk], claimed_at)  # the worker dies after claiming
    with time_machine.travel(claimed_at + lease - datetime.timedelta(seconds=1), tick=False):
        assert invitations_due_for_sending() == []
    with time_machine.travel(claimed_at + lease, tick=False):
        assert invitations_due_for_sending() == [invitation.pk]


# --- A worker killed mid-chunk ------------------------------------------------------------------


class KilledBackend(EmailBackend):
    """The worker is killed (SIGKILL, OOM) while handing over the third mail."""

    def send_messages(self, messages):
        if len(mail.outbox) == 2:
            raise SystemExit("killed")
        return super().send_messages(messages)


def test_a_killed_worker_loses_no_audit_row_of_a_mail_that_left(settings, lease):
    settings.EMAIL_BACKEND = "tests.invitations.test_outbox_faults.KilledBackend"
    invitations = queued(4)
    with pytest.raises(SystemExit):
        invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="mail_sent").count() == 2
    states = sorted(Invitation.objects.values_list("mail_status", flat=True))
    assert states == ["sending", "sending", "sent", "sent"]


def test_mails_a_killed_worker_handed_over_are_settled_as_sent_by_the_sweep_never_resent(
    settings, lease
):
    # Killed after the second mail's sent mark, before the chunk's marks turn `sent` together.
    settings.EMAIL_BACKEND = "tests.invitations.test_outbox_faults.KilledBackend"
    invitations = queued(4)
    started = timezone.now()
    with mock.patch.object(outbox, "sent_marks_settle"), pytest.raises(SystemExit):
        invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    handed_over = list(Invitation.objects.filter(sent_at__isnull=False))
    assert len(handed_over) == 2
    assert {i.mail_status for i in Invitation.objects.all()} == {"sending"}

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(started + lease + datetime.timedelta(seconds=1), tick=False):
        due = invitations_due_for_sending()
        assert sorted(due) == sorted(i.pk for i in invitations if i not in handed_over)
        assert len(invitations_send_mail(invitation_ids=due).sent) == 2
    assert len(mail.outbox) == 4  # two before the kill, two after: nobody got a second mail
    for invitation in handed_over:
        settled = Invitation.objects.get(pk=invitation.pk)
        assert settled.mail_status == "sent" and settled.mail_attempts == 1
        assert settled.sent_at == invitation.sent_at == settled.mail_updated_at
    assert AuditEvent.objects.filter(action="mail_sent").count() == 4


# --- What HR sees while a mail is on its way (R11) ----------------------------------------------


def test_the_validity_starts_when_the_mail_is_handed_over_not_when_it_is_claimed(lease):
    (invitation,) = queued(1)
    claimed_at = timezone.now()
    outbox._claim([invitation.pk], claimed_at)
    invitation.refresh_from_db()
    assert invitation.mail_status == "sending"
    assert invitation.sent_at is None and invitation.expires_at is None
    invitation.mail_status = "queued"  # as the sweep leaves it for the next worker
    invitation.save(update_fields=["mail_status"])
    handed_over = claimed_at + datetime.timedelta(minutes=5)
    with time_machine.travel(handed_over, tick=False):
        invitations_send_mail(invitation_ids=[invitation.pk])
    invitation.refresh_from_db()
    assert invitation.sent_at == handed_over
    assert invitation.expires_at == handed_over + datetime.timedelta(days=4)


def test_hr_sees_a_mail_being_sent_as_not_yet_sent(manager_client, employee, lease):
    invitation = invitation_grant(employee=employee)
    outbox._claim([invitation.pk], timezone.now())
    url = reverse("hr:employee_detail", args=[employee.pk])
    page = manager_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sending" in page and "not yet" in page
    assert "Valid until" in page and "4 days after sending" in page


def test_a_collective_grant_whose_mails_go_out_slowly_does_not_look_stalled(
    settings, lease, employer
):
    settings.EMAIL_BACKEND = "tests.invitations.test_outbox_faults.PausingBackend"
    start = timezone.now()
    batch = GrantBatch.objects.create(employer=employer, heartbeat_at=start)
    invitations = queued(3, employer)
    Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(batch=batch)
    clock = Clock()
    stalled = []

    def slow_relay():
        clock.now += LEASE * 2 / 3
        wall_clock.shift(datetime.timedelta(seconds=LEASE * 2 / 3))
        PausingBackend.pause = look_for_stalled_jobs

    def look_for_stalled_jobs():
        # Past BATCH_STALLED_AFTER since the chunk began, not since the lease was renewed.
        moment = start + BATCH_STALLED_AFTER + datetime.timedelta(seconds=1)
        stalled.extend(stalled_grant_batches(now=moment))

    PausingBackend.pause = slow_relay
    with (
        mock.patch.object(outbox.time, "monotonic", clock),
        time_machine.travel(start, tick=False) as wall_clock,
    ):
        invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert stalled == []
