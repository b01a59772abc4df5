"""The invitation rows are their own outbox (docs/design.md, reliability design).

A row is committed `queued` with the grant. Sending it: lock the rows, derive each link's token,
store only its hash and mark the rows `sending` under a new claim with a lease (commit); hand the
mails to the backend outside any transaction, renewing the lease as the chunk goes; record each
hand-over (`sent_at`, its audit row, the validity's start) in a commit of its own, and turn the
chunk's handed-over rows `sent` together at its end (the sweep does it for a killed worker's). A
row already past `queued`, or `sending` with its hand-over recorded, is never sent again, so a
task that runs twice, a sweep racing the task, or a worker that restarts never sends a mail twice.

Every write after the claim names the claim (fencing): a worker that lost its rows (it died, or
was paused past the lease and the sweep gave them to another) writes nothing when it resumes, and
stops sending at its next lease check. The message in flight at that moment (one mail, or one
provider call's mails: invitations.outbox_batch) is the only one that can go out twice, and it
carries the same links as its repeat (invitations.tokens).
"""

import datetime
import logging
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from employees.access_cache import employer_access_changed
from employers.models import AuditEvent, Employer
from invitations.mail_errors import describe_error, mail_error_is_permanent
from invitations.models import GrantBatch, Invitation, invitation_validity
from invitations.outbox_batch import chunk_mails
from invitations.sent_marks import mail_audit_event, mark_sent, mark_session, sent_marks_settle
from invitations.tokens import token_for, token_hash, token_nonce_new

logger = logging.getLogger(__name__)

MAX_MAIL_ATTEMPTS = 8
BACKOFF_BASE = datetime.timedelta(seconds=30)
BACKOFF_CAP = datetime.timedelta(hours=1)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff with full jitter: spreads retries after a provider outage."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempts - 1, 0)))
    return datetime.timedelta(
        seconds=random.uniform(ceiling.total_seconds() / 2, ceiling.total_seconds())
    )


def claim_lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.MAIL_CLAIM_LEASE_SECONDS)


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: int = 0
    # Claimed by this call but taken over by another worker before they were sent.
    lost: int = 0


class Lease:
    """This worker's hold on the rows it claimed. Checked before each mail: renewed in the
    database every third of its length, and the rows another worker took over are dropped."""

    def __init__(self, claim: str):
        self.claim = claim
        self.seconds = settings.MAIL_CLAIM_LEASE_SECONDS
        self._renew_at = time.monotonic() + self.seconds / 3
        self._held: set[int] | None = None  # None: every row claimed is still held
        # The collective grants whose mails these are: a chunk through a slow relay (an Office
        # 365 mailbox takes 30 a minute) must not look like a stalled job to the sweep.
        self.batch_ids: set[int] = set()

    def holds(self, pk: int, remaining: Callable[[], list[int]]) -> bool:
        """Whether row `pk` is still ours; `remaining()` gives the ids not yet handed over,
        whose hold is renewed when a third of the lease has passed. A row lost stays lost."""
        if time.monotonic() >= self._renew_at:
            remaining = remaining()
            renewed = self.rows(remaining).update(
                mail_next_attempt_at=timezone.now() + claim_lease()
            )
            self._renew_at = time.monotonic() + self.seconds / 3
            if self.batch_ids:
                GrantBatch.objects.filter(
                    pk__in=self.batch_ids, status=GrantBatch.Status.RUNNING
                ).update(heartbeat_at=timezone.now())
            if renewed != len(remaining):
                self._held = set(self.rows(remaining).values_list("pk", flat=True))
        return self._held is None or pk in self._held

    def rows(self, ids: list[int]):
        return Invitation.objects.filter(
            pk__in=ids, mail_claim=self.claim, mail_status=Invitation.MailStatus.SENDING
        )


def _claim(invitation_ids: list[int], now) -> tuple[Lease, list[tuple[Invitation, str]]]:
    """Lock the still-queued rows, derive their tokens and mark them sending under a new claim.
    Returns the lease and (invitation, raw token) pairs; the raw tokens live only in memory from
    here to the mail."""
    lease = Lease(secrets.token_hex(16))
    with transaction.atomic():
        rows = list(
            Invitation.objects.select_for_update(of=("self",))
            .select_related("employee")
            .filter(
                pk__in=invitation_ids,
                mail_status=Invitation.MailStatus.QUEUED,
                status=Invitation.Status.PENDING,
            )
            .order_by("pk")
        )
        if not rows:
            return lease, []
        # A chunk's rows share one or a few employers: one object each, not one per row.
        employers = Employer.objects.in_bulk({row.employee.employer_id for row in rows})
        for row in rows:
            row.employee.employer = employers[row.employee.employer_id]
        common = {
            "mail_status": Invitation.MailStatus.SENDING,
            "mail_claim": lease.claim,
            "mail_updated_at": now,
            "mail_next_attempt_at": now + claim_lease(),
        }
        claimed = []
        lease.batch_ids = {row.batch_id for row in rows if row.batch_id}
        for invitation in rows:
            if not invitation.token_nonce:
                invitation.token_nonce = token_nonce_new()
            raw = token_for(invitation.token_nonce)
            invitation.token_hash = token_hash(raw)
            invitation.mail_attempts += 1
            for name, value in common.items():
                setattr(invitation, name, value)
            claimed.append((invitation, raw))
        _mark_claimed(rows, common)
    return lease, claimed


# Rows per UPDATE in _mark_claimed: five parameters a row (its id three times, its nonce and its
# hash) keep a statement within SQLite's 999.
_CLAIM_ROWS_PER_UPDATE = 190


def _mark_claimed(rows: list[Invitation], common: dict) -> None:
    """The common values and each row's own nonce and token hash in one UPDATE per few hundred
    rows, so that each row is written once, not once for its state and again for its hash (on
    PostgreSQL every write of a row adds an entry to each of its indexes). Written by hand:
    bulk_update, and a QuerySet.update() with a Case/When for the hash, build the same statement
    with far more work in Python, and both made the whole job measurably slower (bench/README.md).
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
                f"token_nonce = CASE id {whens} END, "
                f"mail_attempts = mail_attempts + 1, {assignments} WHERE id IN ({ids})",
                [
                    *(value for row in piece for value in (row.pk, row.token_hash)),
                    *(value for row in piece for value in (row.pk, row.token_nonce)),
                    *common_params,
                    *(row.pk for row in piece),
                ],
            )


def invitations_send_mail(*, invitation_ids: list[int], connection=None) -> SendResult:
    """Send the queued invitation mails among `invitation_ids` over one mail connection: one
    message per invitation, or one call per few hundred when the provider takes a batch
    (invitations.outbox_batch)."""
    result = SendResult()
    now = timezone.now()
    lease, claimed = _claim(invitation_ids, now)
    result.skipped = len(invitation_ids) - len(claimed)
    if not claimed:
        return result
    connection = connection or get_connection()
    # The whole chunk is rendered first, then handed over: rendering, sending and marking in
    # turn made each of them slower (bench/README.md), and the mail connection is not held open
    # while the chunk renders. The mail states the validity from now: its real end, counted from
    # the hand-over (R11), is a little later, never earlier.
    valid_until = now + invitation_validity()
    sendings, outcomes = chunk_mails(claimed, valid_until=valid_until, connection=connection)
    del claimed  # the raw tokens live on only in the messages
    if sendings:
        _hand_over(sendings, lease, connection, outcomes, result)
    _record_failures(outcomes, lease, result)
    return result


def _hand_over(sendings, lease: Lease, connection, outcomes, result: SendResult) -> None:
    """Each message (one mail, or one provider call of many), and at once its sent marks; the
    marked rows turn `sent` together when the chunk is over (sent_marks.mark_sent)."""
    try:
        _hand_over_each(sendings, lease, connection, outcomes, result)
    finally:
        sent_marks_settle(result.sent, lease.claim)
    if result.lost:
        logger.warning(
            "%d invitation mails of this chunk were taken over by another worker", result.lost
        )


def _hand_over_each(sendings, lease: Lease, connection, outcomes, result: SendResult) -> None:
    with connection, mark_session(lease.claim) as prepared_mark:
        for position, sending in enumerate(sendings):

            def remaining(start=position) -> list[int]:
                return [i.pk for s in sendings[start:] for i in s.invitations]

            held = [i for i in sending.invitations if lease.holds(i.pk, remaining)]
            result.lost += len(sending.invitations) - len(held)
            if not held:
                continue
            if len(held) < len(sending.invitations):
                sending.keep(held)
            accepted = []
            for delivery in sending.send():
                if delivery.error is None:
                    accepted.append(delivery)
                else:
                    outcomes.append((delivery.invitation, delivery.error))
            marked = mark_sent(accepted, lease.claim, prepared_mark)
            for delivery in accepted:
                if delivery.invitation.pk in marked:
                    result.sent.append(delivery.invitation.pk)
                else:
                    result.lost += 1
                    logger.warning(
                        "Invitation mail %s was sent after this worker lost its claim",
                        delivery.invitation.pk,
                    )


def _record_failures(outcomes, lease: Lease, result: SendResult) -> None:
    """After the chunk: failed mails back to the outbox with a backoff, or given up on. A
    mail refused for good closes its invitation (`undelivered`): the employee can be invited
    again. Rows whose claim was lost meanwhile are left to the worker that holds them."""
    now = timezone.now()
    for invitation, exc in outcomes:
        error = describe_error(exc)
        permanent = mail_error_is_permanent(exc)
        if permanent or invitation.mail_attempts >= MAX_MAIL_ATTEMPTS:
            changes = {
                "mail_status": Invitation.MailStatus.FAILED,
                "status": Invitation.Status.UNDELIVERED,
                "closed_at": now,
            }
        else:
            # Back to the outbox; the next attempt mails the same link.
            changes = {
                "mail_status": Invitation.MailStatus.QUEUED,
                "mail_next_attempt_at": now + retry_delay(invitation.mail_attempts),
            }
        with transaction.atomic():
            if not lease.rows([invitation.pk]).update(
                **changes, mail_error=error, mail_updated_at=now
            ):
                result.lost += 1
                continue
            if changes["mail_status"] == Invitation.MailStatus.FAILED:
                mail_audit_event(invitation, AuditEvent.Action.MAIL_FAILED, error).save()
                employer_access_changed(invitation.employee.employer_id)
        if changes["mail_status"] == Invitation.MailStatus.FAILED:
            result.failed.append(invitation.pk)
            logger.warning("Invitation mail %s failed for good: %s", invitation.pk, error)
        else:
            result.retrying.append(invitation.pk)
            logger.info("Invitation mail %s will be retried: %s", invitation.pk, error)


def invitations_due_for_sending(
    *, now=None, limit: int = 5000, include_waiting: bool = False
) -> list[int]:
    """Queued rows whose time has come, and rows whose claim's lease ran out (their worker died
    or stalled). `include_waiting` takes the queued rows still in their grace period or backoff
    as well (an operator's `send_queued_mail --now`)."""
    now = now or timezone.now()
    with transaction.atomic():
        stuck = Invitation.objects.filter(
            status=Invitation.Status.PENDING,
            mail_status=Invitation.MailStatus.SENDING,
            mail_next_attempt_at__lte=now,
        )
        # Handed over before their worker died, but not yet settled: sent, never again.
        stuck.filter(sent_at__isnull=False).update(
            mail_status=Invitation.MailStatus.SENT, mail_updated_at=F("sent_at")
        )
        stuck.update(mail_status=Invitation.MailStatus.QUEUED, mail_updated_at=now)
    queued = Invitation.objects.filter(
        status=Invitation.Status.PENDING, mail_status=Invitation.MailStatus.QUEUED
    )
    if not include_waiting:
        queued = queued.filter(mail_next_attempt_at__lte=now)
    return list(queued.order_by("mail_next_attempt_at").values_list("pk", flat=True)[:limit])
