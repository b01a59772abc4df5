"""Collective grant (R5, R12): invite every eligible employee of an employer in one job.

The job sorts the employees once (planning), then works through chunks: each chunk is one
transaction of bulk inserts, followed by its mails over one connection. It can stop anywhere and be
started again: planned items that were not processed are picked up, and invitations committed but
not yet mailed are still `queued` and are sent first. The partial unique constraint on open
invitations means no employee can ever get two.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Value, When
from django.utils import timezone

from employees.access_cache import employer_access_changed
from employees.models import Employee
from employers.models import AuditEvent, Employer
from employers.services import audit_event
from invitations.models import (
    BATCH_STALLED_AFTER,
    OUTBOX_GRACE,
    GrantBatch,
    GrantBatchItem,
    Invitation,
)
from invitations.outbox import invitations_send_mail

Outcome = GrantBatchItem.Outcome
SKIP_REASONS = [
    Outcome.SKIPPED_END_DATE,
    Outcome.SKIPPED_NO_EMAIL,
    Outcome.SKIPPED_HAS_ACCOUNT,
    Outcome.SKIPPED_PENDING,
    Outcome.SKIPPED_LOCKED,
    Outcome.SKIPPED_NOT_INVITED,
]
# What the audit log says for each invited employee.
AUDIT_ACTIONS = {
    GrantBatch.Kind.GRANT: AuditEvent.Action.GRANTED,
    GrantBatch.Kind.RESEND: AuditEvent.Action.RESENT,
}
# Planning streams the employees in pieces of this size, so memory stays flat in N.
PLAN_CHUNK = 1000


def grant_outcome(now) -> Case:
    """What a grant to many (collective or selected) does with an employee: invite, or leave out
    with a reason. Unlike a grant to one employee, people who left are left out."""
    invitations = Invitation.objects.filter(employee=OuterRef("pk"))
    return Case(
        When(end_date__isnull=False, then=Value(Outcome.SKIPPED_END_DATE)),
        When(email="", then=Value(Outcome.SKIPPED_NO_EMAIL)),
        When(user__isnull=False, then=Value(Outcome.SKIPPED_HAS_ACCOUNT)),
        When(Exists(invitations.valid(now)), then=Value(Outcome.SKIPPED_PENDING)),
        When(
            Exists(invitations.filter(status=Invitation.Status.LOCKED)),
            then=Value(Outcome.SKIPPED_LOCKED),
        ),
        default=Value(Outcome.PLANNED),
        output_field=CharField(),
    )


def resend_outcome(now) -> Case:
    """What sending again to many does with an employee: as invitation_resend, only an open
    invitation (pending, expired or locked) is replaced by a new one."""
    open_invitations = Invitation.objects.filter(employee=OuterRef("pk")).open()
    return Case(
        When(user__isnull=False, then=Value(Outcome.SKIPPED_HAS_ACCOUNT)),
        When(Exists(open_invitations), then=Value(Outcome.PLANNED)),
        default=Value(Outcome.SKIPPED_NOT_INVITED),
        output_field=CharField(),
    )


OUTCOMES = {GrantBatch.Kind.GRANT: grant_outcome, GrantBatch.Kind.RESEND: resend_outcome}


def _employees_with_outcome(employer: Employer, now, kind: str = GrantBatch.Kind.GRANT):
    """Every employee of the employer with what the batch would do with them."""
    return Employee.objects.filter(employer=employer).annotate(outcome=OUTCOMES[kind](now))


@dataclass
class SkipGroup:
    outcome: str
    label: str
    count: int
    names: list[str]

    @property
    def more(self) -> int:
        return self.count - len(self.names)


@dataclass
class GrantPreview:
    to_invite: int
    skipped: list[SkipGroup]

    @property
    def skipped_total(self) -> int:
        return sum(group.count for group in self.skipped)


def grant_preview(*, employer: Employer, names_per_reason: int = 50) -> GrantPreview:
    """What a collective grant would do, before anything is sent."""
    employees = _employees_with_outcome(employer, timezone.now())
    counts = dict(employees.values_list("outcome").annotate(n=Count("id")).order_by())
    groups = []
    for outcome in SKIP_REASONS:
        count = counts.get(outcome, 0)
        if not count:
            continue
        sample = employees.filter(outcome=outcome).order_by("last_name", "first_name")
        names = [
            e.full_name for e in sample.only("first_name", "infix", "last_name")[:names_per_reason]
        ]
        groups.append(SkipGroup(outcome, Outcome(outcome).label, count, names))
    return GrantPreview(to_invite=counts.get(Outcome.PLANNED, 0), skipped=groups)


def _plan_items(batch: GrantBatch, employees) -> None:
    """Sort the employees into planned and left out, in chunks; mark the batch planned."""
    rows = employees.annotate(outcome=OUTCOMES[batch.kind](timezone.now())).values_list(
        "pk", "outcome"
    )
    items = (
        GrantBatchItem(batch=batch, employee_id=pk, outcome=outcome)
        for pk, outcome in rows.order_by("pk").iterator(chunk_size=PLAN_CHUNK)
    )
    total = skipped = 0
    chunk: list[GrantBatchItem] = []
    for item in items:
        chunk.append(item)
        total += 1
        skipped += item.outcome != Outcome.PLANNED
        if len(chunk) >= PLAN_CHUNK:
            GrantBatchItem.objects.bulk_create(chunk)
            chunk = []
    GrantBatchItem.objects.bulk_create(chunk)
    GrantBatch.objects.filter(pk=batch.pk).update(
        planned=True, total=total, processed=skipped, heartbeat_at=timezone.now()
    )


@transaction.atomic
def _plan(batch: GrantBatch) -> None:
    batch = GrantBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.planned:
        return
    _plan_items(batch, Employee.objects.filter(employer=batch.employer))


def grant_batch_plan_selection(batch: GrantBatch, employees) -> None:
    """A batch over the employees HR selected is planned at once, inside the transaction that
    creates it: the job then only works through the planned items."""
    _plan_items(batch, employees.filter(employer=batch.employer))


def _invite_chunk(batch: GrantBatch, chunk_size: int) -> list[int] | None:
    """Invite the next chunk of planned employees. Returns the new invitation ids, or None when
    nothing is left."""
    now = timezone.now()
    with transaction.atomic():
        items = list(
            GrantBatchItem.objects.select_for_update(skip_locked=True)
            .filter(batch=batch, outcome=Outcome.PLANNED)
            .order_by("pk")
            .values_list("pk", "employee_id")[:chunk_size]
        )
        if not items:
            return None
        employee_ids = [employee_id for _pk, employee_id in items]
        if batch.kind == GrantBatch.Kind.RESEND:
            # Resends and address changes lock the employee first (invitations.services).
            list(
                Employee.objects.select_for_update(of=("self",), no_key=True)
                .filter(pk__in=employee_ids)
                .order_by("pk")
                .values_list("pk")
            )
        # Things may have changed since planning (an individual grant, a new end date).
        current = dict(
            _employees_with_outcome(batch.employer, now, batch.kind)
            .filter(pk__in=employee_ids)
            .values_list("pk", "outcome")
        )
        eligible = [pk for pk in employee_ids if current.get(pk) == Outcome.PLANNED]
        if batch.kind == GrantBatch.Kind.RESEND:
            # As invitation_resend: the open invitation is replaced, its link stops working.
            Invitation.objects.filter(employee_id__in=eligible).open().update(
                status=Invitation.Status.SUPERSEDED, closed_at=now
            )
        else:
            Invitation.objects.filter(employee_id__in=eligible).close_expired(now)
        Invitation.objects.bulk_create(
            [
                Invitation(
                    employee_id=pk,
                    batch=batch,
                    created_by_id=batch.created_by_id,
                    is_resend=batch.kind == GrantBatch.Kind.RESEND,
                    created_at=now,
                    mail_updated_at=now,
                    mail_next_attempt_at=now + OUTBOX_GRACE,
                )
                for pk in eligible
            ],
            ignore_conflicts=True,  # someone invited them a moment ago: they keep that one
        )
        created = dict(
            Invitation.objects.filter(
                batch=batch, employee_id__in=eligible, status=Invitation.Status.PENDING
            ).values_list("employee_id", "pk")
        )
        outcomes: dict[str, list[int]] = {}
        for item_pk, employee_id in items:
            if employee_id in created:
                outcome = Outcome.INVITED
            else:
                outcome = current.get(employee_id, Outcome.SKIPPED_PENDING)
                if outcome == Outcome.PLANNED:
                    outcome = Outcome.SKIPPED_PENDING
            outcomes.setdefault(outcome, []).append(item_pk)
        for outcome, item_ids in outcomes.items():
            GrantBatchItem.objects.filter(pk__in=item_ids).update(outcome=outcome)
        AuditEvent.objects.bulk_create(
            [
                audit_event(
                    employer_id=batch.employer_id,
                    employee_id=pk,
                    action=AUDIT_ACTIONS[batch.kind],
                    actor=batch.created_by,
                    detail="selection" if batch.selected else "collective",
                )
                for pk in created
            ]
        )
        GrantBatch.objects.filter(pk=batch.pk).update(
            processed=F("processed") + len(items),
            invited=F("invited") + len(created),
            heartbeat_at=now,
        )
        if eligible:
            employer_access_changed(batch.employer_id)
    return list(created.values())


def grant_batch_run(*, batch_id: int, chunk_size: int | None = None) -> GrantBatch:
    """Run (or resume) a collective grant to the end."""
    chunk_size = chunk_size or settings.COLLECTIVE_CHUNK_SIZE
    batch = GrantBatch.objects.select_related("employer", "created_by").get(pk=batch_id)
    if batch.status == GrantBatch.Status.DONE:
        return batch
    _plan(batch)
    # Resume: mails of invitations committed before a crash but never handed over.
    leftover = list(
        Invitation.objects.filter(
            batch=batch, status=Invitation.Status.PENDING, mail_status=Invitation.MailStatus.QUEUED
        ).values_list("pk", flat=True)
    )
    for start in range(0, len(leftover), chunk_size):
        invitations_send_mail(invitation_ids=leftover[start : start + chunk_size])
    while (invitation_ids := _invite_chunk(batch, chunk_size)) is not None:
        if invitation_ids:
            invitations_send_mail(invitation_ids=invitation_ids)
    GrantBatch.objects.filter(pk=batch.pk, status=GrantBatch.Status.RUNNING).update(
        status=GrantBatch.Status.DONE, finished_at=timezone.now()
    )
    batch.refresh_from_db()
    return batch


def stalled_grant_batches(*, now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        GrantBatch.objects.filter(
            status=GrantBatch.Status.RUNNING, heartbeat_at__lte=now - BATCH_STALLED_AFTER
        ).values_list("pk", flat=True)
    )


def grant_batch_summary(batch: GrantBatch) -> list[tuple[str, str, int]]:
    """(outcome, label, count) for the batch's summary, invited first."""
    counts = dict(batch.items.values_list("outcome").annotate(n=Count("id")).order_by())
    order = [Outcome.INVITED, *SKIP_REASONS, Outcome.PLANNED]
    return [(o, Outcome(o).label, counts[o]) for o in order if counts.get(o)]
