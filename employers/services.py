from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from employers.models import AuditEvent, Employer, Provider, StaffMembership, StaffNotifications
from essportal.validators import validate_one_line


def audit_event(
    *,
    employer_id: int,
    employee_id: int | None = None,
    action: str,
    actor=None,
    ip_address: str | None = None,
    detail: str = "",
) -> AuditEvent:
    """One audit event, not yet saved: the one place that says how an event is filled in.
    Jobs that write thousands at once save them with bulk_create; the rest use audit_record."""
    if not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent(
        employer_id=employer_id,
        employee_id=employee_id,
        action=action,
        actor=actor,
        actor_label=actor.get_username() if actor else "",
        ip_address=ip_address,
        detail=detail[:500],
    )


def audit_record(
    *,
    employer: Employer | None = None,
    employee=None,
    action: str,
    actor=None,
    ip_address: str | None = None,
    detail: str = "",
) -> AuditEvent:
    """Write one audit event. Services call this inside their own transaction."""
    event = audit_event(
        employer_id=employer.pk if employer is not None else employee.employer_id,
        employee_id=employee.pk if employee is not None else None,
        action=action,
        actor=actor,
        ip_address=ip_address,
        detail=detail,
    )
    event.save()
    return event


@transaction.atomic
def staff_create(
    *,
    username: str,
    email: str,
    password: str | None,
    provider: Provider | None = None,
    employer: Employer | None = None,
    role: str,
) -> tuple[StaffMembership, bool]:
    """Give an HR user access to a provider (all its employers) or to one employer.

    Creates the user when the username is new (then `password` is required and must pass the
    password validators). An existing HR user is attached only when username and email both
    match, so that a typo never hands access to someone else. Returns the membership and
    whether the user was created. Raises ValidationError.
    """
    if (provider is None) == (employer is None):
        raise ValidationError(_("Give either a provider or an employer, not both or neither."))
    if role not in StaffMembership.Role.values:
        raise ValidationError(
            _("Unknown role %(role)s; use one of: %(roles)s.")
            % {"role": role, "roles": ", ".join(StaffMembership.Role.values)}
        )
    User = get_user_model()
    username = username.strip()
    email = email.strip()
    if not email:
        raise ValidationError(_("An HR user needs an email address."))
    validate_one_line(email)  # Django's email check lets U+2028 through in the domain
    user = User.objects.by_username(username).first()
    created = user is None
    if user is None:
        if not password:
            raise ValidationError(_("A new user needs a password."))
        user = User(username=username, email=email)
        validate_password(password, user=user)
        user.set_password(password)
        user.full_clean()
        user.save()
    else:
        if user.username != username:
            raise ValidationError(
                _('The username "%(username)s" is taken (as "%(existing)s").')
                % {"username": username, "existing": user.username}
            )
        if getattr(user, "employee", None) is not None:
            raise ValidationError(
                _('The username "%(username)s" belongs to an employee\'s portal account.')
                % {"username": username}
            )
        if user.email.lower() != email.lower():
            raise ValidationError(
                _(
                    'User "%(username)s" already exists with another email address; '
                    "give that address to attach it."
                )
                % {"username": username}
            )
    scope = {"provider": provider} if provider is not None else {"employer": employer}
    if StaffMembership.objects.filter(user=user, **scope).exists():
        raise ValidationError(
            _('"%(username)s" already has access to %(scope)s.')
            % {"username": username, "scope": provider or employer}
        )
    membership = StaffMembership.objects.create(user=user, role=role, **scope)
    return membership, created


@transaction.atomic
def employer_two_factor_set(
    *, employer: Employer, required: bool | None, actor, ip_address: str | None
) -> None:
    """Whether the employer's employees must sign in in two steps; None follows the provider.
    Existing sessions meet the new rule at their next page (employees.mfa.stage)."""
    employer.require_two_factor = required
    employer.save(update_fields=["require_two_factor"])
    audit_record(
        employer=employer,
        action=AuditEvent.Action.TWO_FACTOR_POLICY,
        actor=actor,
        ip_address=ip_address,
        detail=f"employer: {required}",
    )


@transaction.atomic
def provider_two_factor_set(
    *, provider: Provider, required: bool, actor, ip_address: str | None
) -> None:
    """The default of the provider's employers that do not choose themselves; audited in the
    log of each employer it applies to."""
    provider.employees_require_two_factor = required
    provider.save(update_fields=["employees_require_two_factor"])
    for employer in provider.employers.filter(require_two_factor__isnull=True):
        audit_record(
            employer=employer,
            action=AuditEvent.Action.TWO_FACTOR_POLICY,
            actor=actor,
            ip_address=ip_address,
            detail=f"provider default: {required}",
        )


def staff_notifications_set(*, user, leave_digest: bool, language: str) -> StaffNotifications:
    """Save what the HR user wants to be mailed about, and in which language."""
    settings_row, _created = StaffNotifications.objects.update_or_create(
        user=user, defaults={"leave_digest": leave_digest, "language": language}
    )
    return settings_row


def staff_leave_digest_claim(*, user, now) -> StaffNotifications | None:
    """Take today's leave digest of this user: None when it is switched off or already went out
    today (in local time). The conditional update lets one of two simultaneous runs (beat and a
    cron'd command) through; the row keeps the previous time for the caller in
    `previous_sent_at`, to list what came in since and to give the claim back if sending fails."""
    row, _created = StaffNotifications.objects.get_or_create(user=user)
    previous = row.leave_digest_sent_at
    if not row.leave_digest:
        return None
    if previous is not None and timezone.localdate(previous) == timezone.localdate(now):
        return None
    claimed = StaffNotifications.objects.filter(
        pk=row.pk, leave_digest=True, leave_digest_sent_at=previous
    ).update(leave_digest_sent_at=now)
    if not claimed:
        return None
    row.previous_sent_at = previous
    row.leave_digest_sent_at = now
    return row


def staff_leave_digest_release(*, row: StaffNotifications) -> None:
    """Give a claimed digest back (nothing to send, or the mail failed): the next run tries
    again, from the same moment."""
    StaffNotifications.objects.filter(
        pk=row.pk, leave_digest_sent_at=row.leave_digest_sent_at
    ).update(leave_digest_sent_at=row.previous_sent_at)
    row.leave_digest_sent_at = row.previous_sent_at
