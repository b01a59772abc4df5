"""The record of a mail's hand-over: the sent mark and its audit row, written the moment the
backend accepted the mail (or a provider call's mails), and the chunk's settling as `sent`.

Split from the outbox (invitations/outbox.py), which claims, renders and hands over: this is
the part that runs once per mail, and so the part written as statements of our own where the
bench showed the ORM's building of them to cost (bench/README.md).
"""

from contextlib import contextmanager

from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from employers.models import AuditEvent
from employers.services import audit_event
from invitations.models import Invitation, invitation_validity
from invitations.outbox_batch import Delivery


def sent_marks_settle(ids: list[int], claim: str) -> None:
    """The chunk's handed-over rows `sent`, in one UPDATE: what the per-mail marks left for
    later so as not to touch an indexed column (the sweep does the same for a killed worker's)."""
    if ids:
        Invitation.objects.filter(
            pk__in=ids,
            mail_claim=claim,
            mail_status=Invitation.MailStatus.SENDING,
            sent_at__isnull=False,
        ).update(mail_status=Invitation.MailStatus.SENT, mail_updated_at=F("sent_at"))


@contextmanager
def mark_session(claim: str):
    """On PostgreSQL, for a chunk's marks: commits that need to survive this worker being killed,
    not the database server losing power, so need not wait for the WAL flush; and the mark with
    its audit row prepared once (PREPARE, named after the claim), so that each mail's statement
    is not parsed and planned again (planning took more than half of each mark's time). Session
    settings Django has no API for, so written by hand; without either the job measured slower
    (bench/README.md). Yields the statement that runs the prepared mark, or None."""
    if db_connection.vendor != "postgresql":
        yield None
        return
    name = f"mark_sent_{claim}"
    parameters = ", ".join(["%s"] * _MARK_SENT_AND_AUDIT.count("%s"))
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
        cursor.execute(f"PREPARE {name} AS {_numbered(_MARK_SENT_AND_AUDIT)}")
    try:
        yield f"EXECUTE {name}({parameters})"
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute(f"DEALLOCATE {name}")
            cursor.execute("RESET synchronous_commit")


def _numbered(sql: str) -> str:
    """The statement with PostgreSQL's numbered parameters ($1, $2, …) for its %s."""
    first, *rest = sql.split("%s")
    return first + "".join(f"${number}{part}" for number, part in enumerate(rest, 1))


# The hand-over is recorded in sent_at (with the validity, the address and the provider's id):
# no column of an index of the table changes (mail_status is in two, and the SMTP path's message
# id stays empty), so PostgreSQL rewrites the row in place (a HOT update, room kept by the
# table's fillfactor) and touches no index. The row stays `sending` with sent_at set until the
# chunk is over (sent_marks_settle), or the sweep finds it so (invitations_due_for_sending).
_MARK_SENT = (
    f"UPDATE {Invitation._meta.db_table} SET mail_message_id = %s, "  # noqa: S608
    "mail_error = '', sent_at = %s, expires_at = %s, mail_to = %s "
    "WHERE id = %s AND mail_claim = %s AND mail_status = %s AND sent_at IS NULL"
)
# The audit row's columns as the model names them (its foreign keys' columns end in _id).
_AUDIT_COLUMNS = "employer_id, employee_id, actor_id, actor_label, action, ip_address, detail"
_AUDIT_INSERT = (
    f"INSERT INTO {AuditEvent._meta.db_table} ({_AUDIT_COLUMNS}, created_at) "  # noqa: S608
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)
# PostgreSQL does both in one statement, and so in one round trip and one commit: the audit row
# is inserted only if the sent mark changed a row.
_MARK_SENT_AND_AUDIT = (
    f"WITH sent AS ({_MARK_SENT} RETURNING id) "  # noqa: S608
    f"INSERT INTO {AuditEvent._meta.db_table} ({_AUDIT_COLUMNS}, created_at) "
    "SELECT %s, %s, %s, %s, %s, %s, %s, %s FROM sent"
)


def mark_sent(deliveries: list[Delivery], claim: str, prepared: str | None = None) -> set[int]:
    """Record the hand-over of a message's mails at once, with their audit rows, in a tiny commit
    of their own: a worker killed half-way through a chunk then resends at most the message in
    flight (one mail, or one provider call's), and no audit row of a mail that left is lost. The
    validity counts from this moment (R11). Returns the invitations marked: a row whose claim
    was lost meanwhile is left as it is. The rows stay `sending` with `sent_at` set until the
    chunk is over: the mark changes no indexed column (see _MARK_SENT).

    Statements of our own rather than QuerySet.update() and Model.save(): this runs once per
    mail, and the ORM's building of the same statements made the whole job measurably slower
    (bench/README.md). The audit rows are still filled in by audit_event."""
    if not deliveries:
        return set()
    sent_at = timezone.now()
    prepare = Invitation._meta.get_field("sent_at").get_db_prep_save
    common = [
        prepare(sent_at, db_connection),
        prepare(sent_at + invitation_validity(), db_connection),
    ]
    rows = []
    for delivery in deliveries:
        invitation = delivery.invitation
        event = mail_audit_event(invitation, AuditEvent.Action.MAIL_SENT)
        rows.append(
            (
                [delivery.message_id, *common]
                + [delivery.mail_to[:254], invitation.pk, claim, Invitation.MailStatus.SENDING],
                [event.employer_id, event.employee_id, event.actor_id, event.actor_label]
                + [event.action, event.ip_address, event.detail, common[0]],
            )
        )
    ids = {delivery.invitation.pk for delivery in deliveries}
    if db_connection.vendor == "postgresql" and len(rows) == 1:
        with db_connection.cursor() as cursor:
            statement = prepared or _MARK_SENT_AND_AUDIT
            cursor.execute(statement, rows[0][0] + rows[0][1])
            return ids if cursor.rowcount == 1 else set()
    if db_connection.vendor == "postgresql":
        # A provider call's marks in one commit, sent in one round trip (psycopg's pipeline).
        with transaction.atomic(), db_connection.cursor() as cursor:
            cursor.executemany(_MARK_SENT_AND_AUDIT, [mark + audit for mark, audit in rows])
            if cursor.rowcount == len(rows):
                return ids
        return set(
            Invitation.objects.filter(
                pk__in=ids,
                mail_claim=claim,
                mail_status=Invitation.MailStatus.SENDING,
                sent_at=sent_at,
            ).values_list("pk", flat=True)
        )
    marked = set()
    with transaction.atomic(), db_connection.cursor() as cursor:
        for mark, audit in rows:
            cursor.execute(_MARK_SENT, mark)
            if cursor.rowcount == 1:
                cursor.execute(_AUDIT_INSERT, audit)
                marked.add(mark[4])
    return marked


def mail_audit_event(invitation: Invitation, action: str, detail: str = "") -> AuditEvent:
    return audit_event(
        employer_id=invitation.employee.employer_id,
        employee_id=invitation.employee_id,
        action=action,
        detail=detail,
    )
