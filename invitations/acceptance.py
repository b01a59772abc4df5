"""The employee's side of an invitation: checking a link, the birth date (R8) and accepting it
with a username and password (R9, R10); every step re-checks that the invitation may be used."""

import datetime
from dataclasses import dataclass
from typing import NoReturn

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.access_cache import employer_access_changed
from employees.accounts.selectors import username_taken
from employees.models import Employee
from employers.models import AuditEvent
from employers.services import audit_record
from essportal.models import User
from invitations.models import Invitation
from invitations.services import InvitationError
from invitations.tokens import token_hash, token_is_well_formed


class LinkState:
    VALID = "valid"
    INVALID = "invalid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    USED = "used"
    LOCKED = "locked"
    UNDELIVERED = "undelivered"


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
    Invitation.Status.UNDELIVERED: LinkState.UNDELIVERED,
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
    # A wrong answer that was evaluated and counted (not one refused because the invitation
    # could no longer be used).
    wrong: bool = False


def _usable(invitation: Invitation, now) -> str:
    """The LinkState of an invitation that the employee is working through."""
    if invitation.status in _STATE_BY_STATUS:
        return _STATE_BY_STATUS[invitation.status]
    if invitation.token_hash is None:
        return LinkState.INVALID  # its mail was never sent: it has no link
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


def _lock_for_answer(invitation_id: int) -> Invitation:
    """The invitation, row-locked: parallel answers wait their turn, so no more are evaluated
    than its limits allow."""
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("employee__employer")
        .get(pk=invitation_id)
    )


def _count_wrong_answer(
    invitation: Invitation, *, counter: str, limit: int, action: str, locked_action: str, ip_address
) -> int:
    """Count one wrong answer on a row-locked invitation, in the audit log too; the last one
    allowed locks it until HR resends. Returns how many more are allowed. The counter is never
    reset by time, only by a resend (a new invitation)."""
    count = getattr(invitation, counter) + 1
    setattr(invitation, counter, count)
    audit_record(
        employee=invitation.employee,
        action=action,
        ip_address=ip_address,
        detail=f"{count}/{limit}",
    )
    if count >= limit:
        invitation.status = Invitation.Status.LOCKED
        audit_record(employee=invitation.employee, action=locked_action, ip_address=ip_address)
        employer_access_changed(invitation.employee.employer_id)
    invitation.save(update_fields=[counter, "status"])
    return max(limit - count, 0)


@transaction.atomic
def invitation_check_birth_date(
    *, invitation_id: int, birth_date: datetime.date, ip_address=None
) -> BirthDateCheck:
    """R8: 5 wrong birth dates lock the invitation until HR resends it."""
    limit = settings.INVITATION_MAX_BIRTH_DATE_ATTEMPTS
    invitation = _lock_for_answer(invitation_id)
    state = _usable(invitation, timezone.now())
    if state != LinkState.VALID:
        return BirthDateCheck(False, state, 0)
    if invitation.employee.birth_date == birth_date:
        return BirthDateCheck(True, LinkState.VALID, limit - invitation.failed_attempts)
    left = _count_wrong_answer(
        invitation,
        counter="failed_attempts",
        limit=limit,
        action=AuditEvent.Action.BIRTH_DATE_WRONG,
        locked_action=AuditEvent.Action.LOCKED,
        ip_address=ip_address,
    )
    return BirthDateCheck(
        False, LinkState.LOCKED if left <= 0 else LinkState.VALID, left, wrong=True
    )


class InvitationAlreadyUsed(InvitationError):
    pass


def _no_longer_usable() -> InvitationAlreadyUsed:
    return InvitationAlreadyUsed(
        _("This invitation can no longer be used. If you already chose a username, sign in.")
    )


class UsernameTaken(InvitationError):
    """The message is for the employee; `attempts_left` more taken names lock the invitation."""

    def __init__(self, message: str, *, attempts_left: int):
        super().__init__(message)
        self.attempts_left = attempts_left


class InvitationLocked(InvitationError):
    """This answer was the last taken username the invitation allowed: it is locked now."""


class _UsernameConflict(Exception):
    """The database refused the username: someone took it after the check."""


@transaction.atomic
def _count_taken_username(invitation_id: int, ip_address) -> int | None:
    """Count one "taken" answer; returns how many more the invitation allows (0: locked now),
    or None when it was no longer usable and nothing was counted.

    Like the birth date, a counter in the row rather than a throttle: the row lock makes
    parallel submits wait their turn, so no more "taken" answers are ever given than the cap;
    the count is never reset by time (a time window would refill while the link is valid, and a
    cache can be flushed or down); and the lock is in HR's audit log, where repeated probing
    shows, and is lifted only by a resend. The tried name is not logged: it is someone else's."""
    invitation = _lock_for_answer(invitation_id)
    if _usable(invitation, timezone.now()) != LinkState.VALID:
        return None
    return _count_wrong_answer(
        invitation,
        counter="taken_usernames",
        limit=settings.INVITATION_MAX_TAKEN_USERNAMES,
        action=AuditEvent.Action.USERNAME_TAKEN,
        locked_action=AuditEvent.Action.LOCKED_TAKEN_USERNAMES,
        ip_address=ip_address,
    )


def _refuse_taken_username(invitation_id: int, ip_address) -> NoReturn:
    """Say "taken" only once it is counted. An invitation that was no longer usable gets the
    answer a free name would get there, so that it reveals nothing about the name."""
    left = _count_taken_username(invitation_id, ip_address)
    if left is None:
        raise _no_longer_usable()
    if left == 0:
        raise InvitationLocked(_("This invitation is locked."))
    raise UsernameTaken(
        _("This username is already taken. Choose another one."), attempts_left=left
    )


def invitation_accept(*, invitation_id: int, username: str, password: str, ip_address=None):
    """R9/R10: one transaction creates the account, links it to the employee and marks the
    invitation used. Of two simultaneous submits exactly one wins; the other is told.

    A username that is taken (in any case) is refused with UsernameTaken, counted against the
    invitation first; the last one allowed locks it (InvitationLocked)."""
    if username_taken(username):
        _refuse_taken_username(invitation_id, ip_address)
    # Hash before the transaction: argon2 is deliberately slow and must not hold row locks.
    password_hash = make_password(password)
    try:
        return _accept(invitation_id, username, password_hash, ip_address)
    except _UsernameConflict:
        # Its transaction rolled back (the invitation is pending again): count it on its own.
        _refuse_taken_username(invitation_id, ip_address)


@transaction.atomic
def _accept(invitation_id: int, username: str, password_hash: str, ip_address) -> User:
    now = timezone.now()
    # The employee row first, as grants, resends and address changes lock it: taking the
    # invitation first and the employee second would deadlock with them.
    Employee.objects.select_for_update(of=("self",), no_key=True).filter(
        invitations__pk=invitation_id
    ).first()
    # Only an invitation whose mail was sent (or is being sent) has a link to accept. The
    # validity counts from the hand-over (R11); until that is recorded the link works.
    won = (
        Invitation.objects.filter(pk=invitation_id, token_hash__isnull=False)
        .valid(now)
        .update(status=Invitation.Status.ACCEPTED, closed_at=now)
    )
    if won != 1:
        raise _no_longer_usable()
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
        raise _UsernameConflict from exc
    employee.user = user
    employee.save(update_fields=["user", "updated_at"])
    employer_access_changed(employee.employer_id)
    audit_record(
        employee=employee,
        action=AuditEvent.Action.ACTIVATED,
        ip_address=ip_address,
        detail=username,
    )
    return user
