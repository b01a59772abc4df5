"""Invitations: grant, resend, revoke, check a link (R3, R6, R7, R11, R13–R15)."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.models import Employee
from employers.models import AuditEvent
from employers.services import audit_record

from .models import Invitation
from .tokens import token_hash, token_is_well_formed

# Freshly queued mail is sent by the task started on commit; the sweep only steps in after this.
OUTBOX_GRACE = datetime.timedelta(minutes=2)


class InvitationError(Exception):
    """An action the invitation's state does not allow; the message is for HR."""


def _start_mail_on_commit(invitation_ids: list[int]) -> None:
    from .tasks import send_invitation_mails

    def start():
        try:
            send_invitation_mails.delay(invitation_ids)
        except Exception:  # noqa: BLE001 - a broker outage must not fail the request
            # The row is committed as queued: the outbox sweep sends it when the broker is back.
            import logging

            logging.getLogger(__name__).warning(
                "Could not queue invitation mail %s; the outbox sweep will retry", invitation_ids
            )

    transaction.on_commit(start)


def _close_expired(employee: Employee, now: datetime.datetime) -> None:
    """An expired link stays "pending" in the table until something new replaces it."""
    Invitation.objects.filter(
        employee=employee, status=Invitation.Status.PENDING, expires_at__lte=now
    ).update(status=Invitation.Status.EXPIRED, closed_at=now)


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


@transaction.atomic
def invitation_grant(*, employee: Employee, actor=None, ip_address=None) -> Invitation:
    """Invite one employee (R6). People who left may be invited individually too."""
    employee = Employee.objects.select_for_update().select_related("employer").get(pk=employee.pk)
    now = timezone.now()
    if not employee.email:
        raise InvitationError(_("Register an email address before granting access (R4)."))
    if employee.user_id:
        raise InvitationError(_("This employee already has an account."))
    _close_expired(employee, now)
    invitation = _new_invitation(employee=employee, actor=actor, is_resend=False, now=now)
    audit_record(
        employee=employee, action=AuditEvent.Action.GRANTED, actor=actor, ip_address=ip_address
    )
    _start_mail_on_commit([invitation.pk])
    return invitation


def _lock_open_invitation(employee: Employee) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .filter(employee=employee, status__in=Invitation.OPEN_STATUSES)
        .first()
    )
    if invitation is None:
        raise InvitationError(
            _("There is no unused invitation: it was used, revoked or replaced meanwhile.")
        )
    return invitation


@transaction.atomic
def invitation_resend(*, employee: Employee, actor=None, ip_address=None) -> Invitation:
    """R13/R15: a new mail with a new link; the old link stops working. Also unlocks."""
    old = _lock_open_invitation(employee)
    now = timezone.now()
    old.status = Invitation.Status.SUPERSEDED
    old.closed_at = now
    old.save(update_fields=["status", "closed_at"])
    invitation = _new_invitation(employee=employee, actor=actor, is_resend=True, now=now)
    audit_record(
        employee=employee, action=AuditEvent.Action.RESENT, actor=actor, ip_address=ip_address
    )
    _start_mail_on_commit([invitation.pk])
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
