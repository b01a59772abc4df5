"""The invitation rows are their own outbox (docs/design.md, reliability design).

A row is committed `queued` with the grant. Sending it: lock the rows, mint each link's token,
store only its hash and mark the rows `sending` (commit); hand the mails to the backend outside any
transaction; record `sent` or the error. A row already past `queued` is skipped, so a task that runs
twice, a sweep racing the task, or a worker that restarts never sends a mail twice.
"""

import datetime
import logging
import random
import smtplib
from contextlib import contextmanager
from dataclasses import dataclass, field

from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused
from django.core.mail import BadHeaderError, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone

from employers.models import AuditEvent
from employers.services import audit_event, audit_record
from invitations.mails import InvitationMails, invitation_link
from invitations.models import Invitation, invitation_validity
from invitations.tokens import token_mint

logger = logging.getLogger(__name__)

MAX_MAIL_ATTEMPTS = 8
BACKOFF_BASE = datetime.timedelta(seconds=30)
BACKOFF_CAP = datetime.timedelta(hours=1)
# A row left in `sending` this long belongs to a worker that died mid-send.
STUCK_SENDING_AFTER = datetime.timedelta(minutes=10)


class PermanentMailError(Exception):
    pass


def mail_error_is_permanent(exc: Exception) -> bool:
    """Refused recipients and 5xx SMTP replies will not get better by retrying."""
    permanent = (
        AnymailRecipientsRefused,
        AnymailInvalidAddress,
        PermanentMailError,
        BadHeaderError,  # a header Django refuses to write will be refused again
    )
    if isinstance(exc, permanent):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    if isinstance(exc, AnymailAPIError):
        status = getattr(exc, "status_code", None)
        return status is not None and 400 <= status < 500 and status not in (408, 429)
    return False


def describe_error(exc: Exception) -> str:
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - some ESP errors fail to format without a response
        text = repr(exc.args)
    return f"{type(exc).__name__}: {text}"[:500]


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff with full jitter: spreads retries after a provider outage."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempts - 1, 0)))
    return datetime.timedelta(
        seconds=random.uniform(ceiling.total_seconds() / 2, ceiling.total_seconds())
    )


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: int = 0


def _claim(invitation_ids: list[int], now) -> list[tuple[Invitation, str]]:
    """Lock the still-queued rows, mint their tokens and mark them sending. Returns
    (invitation, raw token) pairs; the raw tokens live only in memory from here to the mail."""
    with transaction.atomic():
        rows = list(
            Invitation.objects.select_for_update(of=("self",))
            .select_related("employee__employer")
            .filter(
                pk__in=invitation_ids,
                mail_status=Invitation.MailStatus.QUEUED,
                status=Invitation.Status.PENDING,
            )
            .order_by("pk")
        )
        if not rows:
            return []
        common = {
            "sent_at": now,
            "expires_at": now + invitation_validity(),
            "mail_status": Invitation.MailStatus.SENDING,
            "mail_updated_at": now,
            "mail_next_attempt_at": now + STUCK_SENDING_AFTER,
        }
        claimed = []
        for invitation in rows:
            raw, invitation.token_hash = token_mint()
            invitation.mail_attempts += 1
            for name, value in common.items():
                setattr(invitation, name, value)
            claimed.append((invitation, raw))
        _mark_claimed(rows, common)
    return claimed


# Rows per UPDATE in _mark_claimed: three parameters a row (its id twice, its hash) keep a
# statement within SQLite's 999.
_CLAIM_ROWS_PER_UPDATE = 300


def _mark_claimed(rows: list[Invitation], common: dict) -> None:
    """The common values and each row's own token hash in one UPDATE per few hundred rows, so
    that each row is written once, not once for its state and again for its hash (on PostgreSQL
    every write of a row adds an entry to each of its indexes). Written by hand: bulk_update,
    and a QuerySet.update() with a Case/When for the hash, build the same statement with far
    more work in Python, and both made the whole job measurably slower (bench/README.md).
    The columns are the fields' names (none has a db_column); each value is prepared by its
    field, as the ORM would."""
    assignments = ", ".join(f"{name} = %s" for name in common)
    common_params = [
        Invitation._meta.get_field(name).get_db_prep_save(value, db_connection)
        for name, value in common.items()
    ]
    table = Invitation._meta.db_table
    with db_connection.cursor() as cursor:
        for start in range(0, len(rows), _CLAIM_ROWS_PER_UPDATE):
            piece = rows[start : start + _CLAIM_ROWS_PER_UPDATE]
            whens = " ".join(["WHEN %s THEN %s"] * len(piece))
            ids = ", ".join(["%s"] * len(piece))
            cursor.execute(
                f"UPDATE {table} SET token_hash = CASE id {whens} END, "  # noqa: S608 - names from the model
                f"mail_attempts = mail_attempts + 1, {assignments} WHERE id IN ({ids})",
                [
                    *(value for row in piece for value in (row.pk, row.token_hash)),
                    *common_params,
                    *(row.pk for row in piece),
                ],
            )


def invitations_send_mail(*, invitation_ids: list[int], connection=None) -> SendResult:
    """Send the queued invitation mails among `invitation_ids` over one mail connection."""
    result = SendResult()
    claimed = _claim(invitation_ids, timezone.now())
    result.skipped = len(invitation_ids) - len(claimed)
    if not claimed:
        return result
    connection = connection or get_connection()
    outcomes: list[tuple[Invitation, Exception | None]] = []
    # The whole chunk is rendered first, then handed over: rendering, sending and marking in
    # turn made each of them slower (bench/README.md), and the mail connection is not held open
    # while the chunk renders.
    mails = InvitationMails()
    messages = []
    for invitation, raw in claimed:
        try:
            message = mails.message(invitation, link=invitation_link(raw), connection=connection)
        except Exception as exc:  # noqa: BLE001 - classified below, never lost
            outcomes.append((invitation, exc))
        else:
            messages.append((invitation, message))
    del claimed, raw  # the raw tokens live on only in the messages
    if messages:
        with connection, _fast_commits():
            for invitation, message in messages:
                try:
                    message.send()
                except Exception as exc:  # noqa: BLE001 - classified below, never lost
                    outcomes.append((invitation, exc))
                else:
                    _mark_sent(invitation, message)
                    outcomes.append((invitation, None))
    _record_outcomes(outcomes, result)
    return result


@contextmanager
def _fast_commits():
    """The per-mail commits below need to survive this worker being killed, not the database
    server losing power: on PostgreSQL they need not wait for the WAL flush. A session setting
    Django has no API for, so set by hand; without it the job measured slower (bench/README.md)."""
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


_MARK_SENT_SQL = (
    f"UPDATE {Invitation._meta.db_table} SET mail_status = %s, mail_message_id = %s, "  # noqa: S608
    "mail_error = '', sent_at = %s, expires_at = %s, mail_updated_at = %s, mail_to = %s "
    "WHERE id = %s AND mail_status = %s"
)


def _mark_sent(invitation: Invitation, message) -> None:
    """Record the hand-over at once, in its own tiny commit: a worker killed half-way through
    a chunk then resends at most the one mail that was in flight, not the whole chunk.
    The validity counts from this moment (R11)."""
    status = getattr(message, "anymail_status", None)
    message_id = str((getattr(status, "message_id", None) or "") if status else "")[:255]
    sent_at = timezone.now()
    prepare = Invitation._meta.get_field("sent_at").get_db_prep_save
    # A statement of its own rather than QuerySet.update(): this runs once per mail, and the
    # ORM's building of the same UPDATE made the whole job measurably slower (bench/README.md).
    with db_connection.cursor() as cursor:
        cursor.execute(
            _MARK_SENT_SQL,
            [
                Invitation.MailStatus.SENT,
                message_id,
                prepare(sent_at, db_connection),
                prepare(sent_at + invitation_validity(), db_connection),
                prepare(sent_at, db_connection),
                ", ".join(message.to)[:254],
                invitation.pk,
                Invitation.MailStatus.SENDING,
            ],
        )


def _record_outcomes(outcomes, result: SendResult) -> None:
    """After the chunk: failures back to the outbox (or failed), and the audit events."""
    now = timezone.now()
    other_rows, events = [], []
    for invitation, exc in outcomes:
        if exc is None:
            result.sent.append(invitation.pk)
            events.append((invitation, AuditEvent.Action.MAIL_SENT, ""))
            continue
        invitation.mail_updated_at = now
        error = describe_error(exc)
        invitation.mail_error = error
        if mail_error_is_permanent(exc) or invitation.mail_attempts >= MAX_MAIL_ATTEMPTS:
            invitation.mail_status = Invitation.MailStatus.FAILED
            result.failed.append(invitation.pk)
            events.append((invitation, AuditEvent.Action.MAIL_FAILED, error))
            logger.warning("Invitation mail %s failed for good: %s", invitation.pk, error)
        else:
            # Back to the outbox; the link minted for the failed attempt dies with the next one.
            invitation.mail_status = Invitation.MailStatus.QUEUED
            invitation.mail_next_attempt_at = now + retry_delay(invitation.mail_attempts)
            result.retrying.append(invitation.pk)
            logger.info("Invitation mail %s will be retried: %s", invitation.pk, error)
        other_rows.append(invitation)
    with transaction.atomic():
        # Few rows fail at once; bulk_update's cost does not matter there.
        if other_rows:
            Invitation.objects.bulk_update(
                other_rows, ["mail_status", "mail_error", "mail_next_attempt_at", "mail_updated_at"]
            )
        AuditEvent.objects.bulk_create(
            [
                audit_event(
                    employer_id=invitation.employee.employer_id,
                    employee_id=invitation.employee_id,
                    action=action,
                    detail=detail,
                )
                for invitation, action, detail in events
            ]
        )


def invitations_due_for_sending(*, now=None, limit: int = 5000) -> list[int]:
    """Queued rows whose time has come, and rows a dead worker left in `sending`."""
    now = now or timezone.now()
    with transaction.atomic():
        stuck = Invitation.objects.filter(
            status=Invitation.Status.PENDING,
            mail_status=Invitation.MailStatus.SENDING,
            mail_next_attempt_at__lte=now,
        )
        stuck.update(mail_status=Invitation.MailStatus.QUEUED, mail_updated_at=now)
    return list(
        Invitation.objects.filter(
            status=Invitation.Status.PENDING,
            mail_status=Invitation.MailStatus.QUEUED,
            mail_next_attempt_at__lte=now,
        )
        .order_by("mail_next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


TRACKING_STATES = {
    "delivered": Invitation.MailStatus.DELIVERED,
    "bounced": Invitation.MailStatus.BOUNCED,
    "rejected": Invitation.MailStatus.BOUNCED,
    "complained": Invitation.MailStatus.COMPLAINED,
    "failed": Invitation.MailStatus.FAILED,
}
TRACKING_AUDIT = {
    Invitation.MailStatus.DELIVERED: AuditEvent.Action.MAIL_DELIVERED,
    Invitation.MailStatus.BOUNCED: AuditEvent.Action.MAIL_BOUNCED,
    Invitation.MailStatus.COMPLAINED: AuditEvent.Action.MAIL_COMPLAINED,
    Invitation.MailStatus.FAILED: AuditEvent.Action.MAIL_FAILED,
}
# A late "delivered" must not hide an earlier bounce or complaint.
_TRACKING_RANK = {
    Invitation.MailStatus.SENT: 0,
    Invitation.MailStatus.DELIVERED: 1,
    Invitation.MailStatus.FAILED: 2,
    Invitation.MailStatus.BOUNCED: 2,
    Invitation.MailStatus.COMPLAINED: 3,
}


@transaction.atomic
def invitation_record_tracking(*, message_id: str, event_type: str, description: str = "") -> bool:
    """Apply an ESP tracking event (from anymail's webhook). Replays change nothing."""
    new_status = TRACKING_STATES.get(event_type)
    if not new_status or not message_id:
        return False
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("employee")
        .filter(mail_message_id=message_id)
        .first()
    )
    if invitation is None:
        return False
    current_rank = _TRACKING_RANK.get(invitation.mail_status, -1)
    if current_rank >= _TRACKING_RANK[new_status]:
        return False
    invitation.mail_status = new_status
    invitation.mail_updated_at = timezone.now()
    if description:
        invitation.mail_error = description[:500]
    invitation.save(update_fields=["mail_status", "mail_updated_at", "mail_error"])
    audit_record(
        employee=invitation.employee, action=TRACKING_AUDIT[new_status], detail=description
    )
    return True
