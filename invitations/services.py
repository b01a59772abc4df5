"""Invitations: grant, resend, revoke, check a link (R3, R6, R7, R11, R13–R15)."""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.access_cache import employer_access_changed
from employees.models import Employee
from employers.models import AuditEvent, Employer
from employers.services import audit_event, audit_record
from essportal.mail.addresses import email_change_label
from essportal.outages import task_delay
from invitations.collective import grant_batch_plan_selection
from invitations.models import OUTBOX_GRACE, GrantBatch, Invitation
from invitations.selectors import AccessState, employees_in_access_state
from invitations.tasks import run_grant_batch, send_invitation_mails

logger = logging.getLogger(__name__)


class InvitationError(Exception):
    """An action the invitation's state does not allow; the message is for HR."""


def _start_on_commit(task, *args) -> None:
    """Queue the task once the transaction has committed. A broker outage must not fail the
    request: what the task would do is committed (mail `queued`, a batch `running`), and the
    outbox sweep picks it up when the broker is back."""

    def start():
        # A broker outage is logged once when it starts and once when it ends (essportal/outages).
        if not task_delay(task, *args):
            logger.debug("Could not queue %s%s; the outbox sweep will", task.name, args)

    transaction.on_commit(start)


def _close_expired(employee: Employee, now: datetime.datetime) -> None:
    """An expired link stays "pending" in the table until something new replaces it."""
    Invitation.objects.filter(employee=employee).close_expired(now)


def _new_invitation(*, employee, actor, is_resend: bool, now) -> Invitation:
    try:
        with transaction.atomic():
            return Invitation.objects.create(
                employee=employee,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                is_resend=is_resend,
                created_at=now,
                mail_updated_at=now,
                mail_next_attempt_at=now + OUTBOX_GRACE,
            )
    except IntegrityError as exc:
        # The partial unique constraint: someone else invited this employee a moment ago.
        raise InvitationError(_("This employee already has an open invitation.")) from exc


def _lock_employee(employee: Employee) -> Employee:
    """FOR NO KEY UPDATE: grants, resends and address changes of one employee take turns (an
    address change locks the row too), yet the foreign-key checks of the mail task's audit rows
    are not blocked (which would deadlock)."""
    return (
        Employee.objects.select_for_update(of=("self",), no_key=True)
        .select_related("employer")
        .get(pk=employee.pk)
    )


@transaction.atomic
def invitation_grant(*, employee: Employee, actor=None, ip_address=None) -> Invitation:
    """Invite one employee (R6). People who left may be invited individually too."""
    employee = _lock_employee(employee)
    now = timezone.now()
    if not employee.email:
        raise InvitationError(_("Register an email address before granting access."))
    if employee.user_id:
        raise InvitationError(_("This employee already has an account."))
    _close_expired(employee, now)
    invitation = _new_invitation(employee=employee, actor=actor, is_resend=False, now=now)
    audit_record(
        employee=employee, action=AuditEvent.Action.GRANTED, actor=actor, ip_address=ip_address
    )
    employer_access_changed(employee.employer_id)
    _start_on_commit(send_invitation_mails, [invitation.pk])
    return invitation


def _lock_open_invitation(employee: Employee) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).filter(employee=employee).open().first()
    )
    if invitation is None:
        raise InvitationError(
            _("There is no unused invitation: it was used, revoked or replaced meanwhile.")
        )
    return invitation


@transaction.atomic
def invitation_resend(*, employee: Employee, actor=None, ip_address=None) -> Invitation:
    """R13/R15: a new mail with a new link; the old link stops working. Also unlocks.

    The employee row is locked first: a resend racing an address change would otherwise commit
    a new invitation that the change does not see, and its mail could leave for the old address.
    """
    _lock_employee(employee)
    old = _lock_open_invitation(employee)
    now = timezone.now()
    old.status = Invitation.Status.SUPERSEDED
    old.closed_at = now
    old.save(update_fields=["status", "closed_at"])
    invitation = _new_invitation(employee=employee, actor=actor, is_resend=True, now=now)
    audit_record(
        employee=employee, action=AuditEvent.Action.RESENT, actor=actor, ip_address=ip_address
    )
    employer_access_changed(employee.employer_id)
    _start_on_commit(send_invitation_mails, [invitation.pk])
    return invitation


@transaction.atomic
def invitation_revoke(*, employee: Employee, actor=None, ip_address=None) -> Invitation:
    """R13/R14: only while unused; afterwards the link shows that it was withdrawn."""
    invitation = _lock_open_invitation(employee)
    invitation.status = Invitation.Status.REVOKED
    invitation.closed_at = timezone.now()
    invitation.save(update_fields=["status", "closed_at"])
    audit_record(
        employee=employee, action=AuditEvent.Action.REVOKED, actor=actor, ip_address=ip_address
    )
    employer_access_changed(employee.employer_id)
    return invitation


@transaction.atomic
def invitation_replace_for_new_address(
    *, employee: Employee, old_email: str, actor=None, ip_address=None
) -> Invitation | None:
    """The employee's address changed while an invitation was open: its link went to the old
    address (a typo, say), so it stops working. Called inside the address change's transaction
    (employees.records.signals.employee_email_changed), so that no moment exists in which the
    new address is saved and the old link still works. Like a resend, a new invitation goes to
    the new address; when the address was removed the invitation is withdrawn instead.

    An invitation already expired is left alone: its link is dead, and HR grants again."""
    now = timezone.now()
    old = (
        Invitation.objects.select_for_update(of=("self",)).filter(employee=employee).open().first()
    )
    if old is None or old.is_expired(now):
        return None
    change = email_change_label(old_email, employee.email)
    old.status = Invitation.Status.SUPERSEDED if employee.email else Invitation.Status.REVOKED
    old.closed_at = now
    old.save(update_fields=["status", "closed_at"])
    if not employee.email:
        audit_record(
            employee=employee,
            action=AuditEvent.Action.REVOKED,
            actor=actor,
            ip_address=ip_address,
            detail=change,
        )
        return None
    # The first invitation's wording: the new address most likely never had the earlier mail.
    invitation = _new_invitation(employee=employee, actor=actor, is_resend=False, now=now)
    audit_record(
        employee=employee,
        action=AuditEvent.Action.RESENT,
        actor=actor,
        ip_address=ip_address,
        detail=change,
    )
    _start_on_commit(send_invitation_mails, [invitation.pk])
    return invitation


def grant_batch_start(
    *, employer: Employer, actor=None, request_key: str | None = None
) -> GrantBatch:
    """Start (or join) the employer's collective grant. Safe against double clicks, retried
    requests and two HR users at once: there is at most one running batch per employer."""
    if request_key:
        existing = GrantBatch.objects.filter(request_key=request_key, employer=employer).first()
        if existing:
            return existing
    running = GrantBatch.objects.filter(employer=employer, status=GrantBatch.Status.RUNNING).first()
    if running:
        return running
    try:
        with transaction.atomic():
            batch = GrantBatch.objects.create(
                employer=employer,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                request_key=request_key or None,
            )
            _start_on_commit(run_grant_batch, batch.pk)
    except IntegrityError:
        return GrantBatch.objects.get(employer=employer, status=GrantBatch.Status.RUNNING)
    return batch


def grant_batch_start_selected(
    *, employer: Employer, employees, kind: str, actor=None, request_key: str | None = None
) -> GrantBatch:
    """Grant access to (or send the invitation again to) the employees HR selected on the list,
    as a batch like the collective grant: planned here, in the transaction that creates it, and
    worked through by the job, with its progress page and report. A retried or doubled request
    (the same key) joins its batch. While another batch of the employer runs, nothing starts:
    raises InvitationError."""
    if request_key:
        existing = GrantBatch.objects.filter(request_key=request_key, employer=employer).first()
        if existing:
            return existing
    try:
        with transaction.atomic():
            batch = GrantBatch.objects.create(
                employer=employer,
                kind=kind,
                selected=True,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                request_key=request_key or None,
            )
            grant_batch_plan_selection(batch, employees)
            _start_on_commit(run_grant_batch, batch.pk)
    except IntegrityError as exc:
        if request_key and (
            existing := GrantBatch.objects.filter(
                request_key=request_key, employer=employer
            ).first()
        ):
            return existing
        raise InvitationError(
            _(
                "Invitations to other employees of this employer are still being sent; "
                "try again when that is done."
            )
        ) from exc
    return batch


# Employees per transaction when undelivered invitations are queued again.
_REQUEUE_CHUNK = 500


def invitations_requeue_undelivered(*, employer: Employer | None = None, actor=None) -> int:
    """Queue the mails that were not delivered again (HR's "send again" on the list of
    undelivered invitations; `send_queued_mail --failed` for every employer): each employee whose
    last invitation's mail failed, who still has no account and has an address, gets the same
    invitation back in the outbox, to their address as it is now. Returns how many."""
    employees = employees_in_access_state(AccessState.UNDELIVERED, employer=employer)
    employee_ids = list(employees.order_by("pk").values_list("pk", flat=True))
    requeued = 0
    for start in range(0, len(employee_ids), _REQUEUE_CHUNK):
        chunk = employee_ids[start : start + _REQUEUE_CHUNK]
        with transaction.atomic():
            # Grants, resends and address changes lock the employee first: they wait for this.
            list(
                Employee.objects.select_for_update(of=("self",), no_key=True)
                .filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk")
            )
            still = employees_in_access_state(AccessState.UNDELIVERED).filter(pk__in=chunk)
            later = Invitation.objects.filter(employee=OuterRef("employee"), pk__gt=OuterRef("pk"))
            rows = list(
                Invitation.objects.filter(employee__in=still, status=Invitation.Status.UNDELIVERED)
                .filter(~Exists(later))
                .values_list("pk", "employee_id", "employee__employer_id")
            )
            now = timezone.now()
            Invitation.objects.filter(pk__in=[pk for pk, _e, _r in rows]).update(
                status=Invitation.Status.PENDING,
                closed_at=None,
                mail_status=Invitation.MailStatus.QUEUED,
                mail_attempts=0,
                mail_error="",
                mail_to="",
                sent_at=None,
                expires_at=None,
                mail_updated_at=now,
                mail_next_attempt_at=now + OUTBOX_GRACE,
            )
            AuditEvent.objects.bulk_create(
                [
                    audit_event(
                        employer_id=employer_id,
                        employee_id=employee_id,
                        action=AuditEvent.Action.RESENT,
                        actor=actor,
                        detail="after an undelivered mail",
                    )
                    for _pk, employee_id, employer_id in rows
                ]
            )
            if rows:
                employer_access_changed(*{employer_id for _pk, _e, employer_id in rows})
                _start_on_commit(send_invitation_mails, [pk for pk, _e, _r in rows])
        requeued += len(rows)
    return requeued
