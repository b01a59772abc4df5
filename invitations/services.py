"""Invitations: grant, resend, revoke, check a link (R3, R6, R7, R11, R13–R15)."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.models import Employee
from employers.models import AuditEvent, Employer
from employers.services import audit_record
from essportal.mail.addresses import email_change_label
from essportal.models import User
from invitations.models import OUTBOX_GRACE, GrantBatch, Invitation
from invitations.tasks import run_grant_batch, send_invitation_mails
from invitations.tokens import token_hash, token_is_well_formed

logger = logging.getLogger(__name__)


class InvitationError(Exception):
    """An action the invitation's state does not allow; the message is for HR."""


def _start_on_commit(task, *args) -> None:
    """Queue the task once the transaction has committed. A broker outage must not fail the
    request: what the task would do is committed (mail `queued`, a batch `running`), and the
    outbox sweep picks it up when the broker is back."""

    def start():
        try:
            task.delay(*args)
        except Exception:  # noqa: BLE001 - any broker error
            logger.warning("Could not queue %s%s; the outbox sweep will", task.name, args)

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


class LinkState:
    VALID = "valid"
    INVALID = "invalid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    USED = "used"
    LOCKED = "locked"


@dataclass(frozen=True)
class LinkCheck:
    state: str
    invitation: Invitation | None = None

    @property
    def is_valid(self) -> bool:
        return self.state == LinkState.VALID


_STATE_BY_STATUS = {
    Invitation.Status.ACCEPTED: LinkState.USED,
    Invitation.Status.REVOKED: LinkState.REVOKED,
    Invitation.Status.SUPERSEDED: LinkState.SUPERSEDED,
    Invitation.Status.EXPIRED: LinkState.EXPIRED,
    Invitation.Status.LOCKED: LinkState.LOCKED,
}


def invitation_check_link(raw_token: str, *, now=None) -> LinkCheck:
    """What a link is worth right now. Reads only: opening a link changes nothing."""
    if not token_is_well_formed(raw_token):
        return LinkCheck(LinkState.INVALID)
    invitation = (
        Invitation.objects.select_related("employee__employer", "employee__user")
        .filter(token_hash=token_hash(raw_token))
        .first()
    )
    if invitation is None:
        return LinkCheck(LinkState.INVALID)
    if invitation.status in _STATE_BY_STATUS:
        return LinkCheck(_STATE_BY_STATUS[invitation.status], invitation)
    if invitation.is_expired(now):
        return LinkCheck(LinkState.EXPIRED, invitation)
    return LinkCheck(LinkState.VALID, invitation)


@dataclass(frozen=True)
class BirthDateCheck:
    correct: bool
    state: str  # a LinkState: valid while attempts remain, locked after the last one
    attempts_left: int


def _usable(invitation: Invitation, now) -> str:
    """The LinkState of an invitation that the employee is working through."""
    if invitation.status in _STATE_BY_STATUS:
        return _STATE_BY_STATUS[invitation.status]
    if invitation.expires_at is None:
        return LinkState.INVALID
    if invitation.is_expired(now):
        return LinkState.EXPIRED
    return LinkState.VALID


def invitation_state(invitation_id) -> LinkCheck:
    """Re-check, at every activation step, the invitation that the session holds."""
    invitation = (
        Invitation.objects.select_related("employee__employer").filter(pk=invitation_id).first()
        if isinstance(invitation_id, int)
        else None
    )
    if invitation is None:
        return LinkCheck(LinkState.INVALID)
    return LinkCheck(_usable(invitation, timezone.now()), invitation)


@transaction.atomic
def invitation_check_birth_date(
    *, invitation_id: int, birth_date: datetime.date, ip_address=None
) -> BirthDateCheck:
    """R8. The row lock makes parallel guesses wait their turn, so no more than the allowed
    number is ever evaluated; the counter is never reset by time, only by a resend."""
    limit = settings.INVITATION_MAX_BIRTH_DATE_ATTEMPTS
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("employee__employer")
        .get(pk=invitation_id)
    )
    state = _usable(invitation, timezone.now())
    if state != LinkState.VALID:
        return BirthDateCheck(False, state, 0)
    if invitation.employee.birth_date == birth_date:
        return BirthDateCheck(True, LinkState.VALID, limit - invitation.failed_attempts)
    invitation.failed_attempts += 1
    audit_record(
        employee=invitation.employee,
        action=AuditEvent.Action.BIRTH_DATE_WRONG,
        ip_address=ip_address,
        detail=f"{invitation.failed_attempts}/{limit}",
    )
    if invitation.failed_attempts >= limit:
        invitation.status = Invitation.Status.LOCKED
        audit_record(
            employee=invitation.employee, action=AuditEvent.Action.LOCKED, ip_address=ip_address
        )
    invitation.save(update_fields=["failed_attempts", "status"])
    left = limit - invitation.failed_attempts
    return BirthDateCheck(False, LinkState.LOCKED if left <= 0 else LinkState.VALID, left)


class InvitationAlreadyUsed(InvitationError):
    pass


def invitation_accept(*, invitation_id: int, username: str, password: str, ip_address=None):
    """R9/R10: one transaction creates the account, links it to the employee and marks the
    invitation used. Of two simultaneous submits exactly one wins; the other is told."""
    # Hash before the transaction: argon2 is deliberately slow and must not hold row locks.
    password_hash = make_password(password)
    now = timezone.now()
    with transaction.atomic():
        # The employee row first, as grants, resends and address changes lock it: taking the
        # invitation first and the employee second would deadlock with them.
        Employee.objects.select_for_update(of=("self",), no_key=True).filter(
            invitations__pk=invitation_id
        ).first()
        # Only a sent invitation has a link (and so an expiry) to accept.
        won = (
            Invitation.objects.filter(pk=invitation_id, expires_at__isnull=False)
            .valid(now)
            .update(status=Invitation.Status.ACCEPTED, closed_at=now)
        )
        if won != 1:
            raise InvitationAlreadyUsed(
                _(
                    "This invitation can no longer be used. "
                    "If you already chose a username, sign in."
                )
            )
        invitation = Invitation.objects.select_related("employee").get(pk=invitation_id)
        employee = Employee.objects.select_for_update(no_key=True).get(pk=invitation.employee_id)
        if employee.user_id:
            raise InvitationAlreadyUsed(_("Your account is already active. Please sign in."))
        try:
            with transaction.atomic():
                user = User.objects.create(
                    username=username,
                    password=password_hash,
                    email=employee.email,
                    first_name=employee.first_name[:150],
                    last_name=" ".join(p for p in (employee.infix, employee.last_name) if p)[:150],
                )
        except IntegrityError as exc:
            raise UsernameTaken(_("This username is already taken. Choose another one.")) from exc
        employee.user = user
        employee.save(update_fields=["user", "updated_at"])
        audit_record(
            employee=employee,
            action=AuditEvent.Action.ACTIVATED,
            ip_address=ip_address,
            detail=username,
        )
    return user


class UsernameTaken(InvitationError):
    pass


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
