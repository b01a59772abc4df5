"""Every change to a person's second factors. Each one is audited (employees: in their
employer's audit log; HR staff, who belong to no single employer: in the security log) and
mailed to the person."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from employees.mails import employee_mail_queue
from employees.mfa.models import RecoveryCode, RecoveryCodeDevice, recovery_code_hash
from employees.mfa.models import recovery_code_new as _new_code
from employers.models import AuditEvent
from employers.services import audit_record

logger = logging.getLogger("essportal.security")

RECOVERY_CODE_COUNT = 10

# What the mail says changed (translated into the person's language when it is written).
CHANGES = {
    AuditEvent.Action.FACTOR_ADDED: gettext_lazy("a sign-in method was added (%(factor)s)."),
    AuditEvent.Action.FACTOR_REMOVED: gettext_lazy("a sign-in method was removed (%(factor)s)."),
    AuditEvent.Action.RECOVERY_CODES_NEW: gettext_lazy(
        "a new set of recovery codes was made; the old codes no longer work."
    ),
    AuditEvent.Action.TWO_FACTOR_RESET: gettext_lazy(
        "it was reset by %(actor)s. Your authenticator app, passkeys and recovery codes no "
        "longer work; you set up a new one at your next sign-in."
    ),
}


class TwoFactorError(Exception):
    """A change that is not allowed; the message is for the person."""


def factor_label(device) -> str:
    if isinstance(device, TOTPDevice):
        return _("authenticator app “%(name)s”") % {"name": device.name}
    if isinstance(device, RecoveryCodeDevice):
        return _("recovery codes")
    if isinstance(device, WebAuthnCredential):
        return _("passkey “%(name)s”") % {"name": device.name}
    return device.name


def _record(*, user, action: str, actor, ip_address: str | None, factor: str = "") -> None:
    """Audit and mail one change, inside the caller's transaction (the mail after commit).
    `actor`: the person themselves, HR, or None for an operator's command."""
    employee = getattr(user, "employee", None)
    detail = factor[:500]
    if employee is not None:
        audit_record(
            employee=employee,
            action=action,
            actor=actor,
            ip_address=ip_address,
            detail=detail,
        )
    else:
        logger.info(
            "two-step sign-in of %s: %s %s (by %s from %s)",
            user.get_username(),
            action,
            detail,
            actor.get_username() if actor is not None else "an operator",
            ip_address,
        )
    if action == AuditEvent.Action.RECOVERY_CODE_USED:
        if employee is not None:
            codes_left = RecoveryCode.objects.filter(device__user=user).count()
            employee_mail_queue(kind="recovery_code_used", employee=employee, codes_left=codes_left)
        else:
            _staff_mail(user, _("one of your recovery codes was used to sign in."))
        return
    if employee is not None:
        employee_mail_queue(
            kind="two_factor_changed",
            employee=employee,
            action=action,
            factor=factor,
            actor=actor.get_username() if actor is not None else "",
        )
    else:
        _staff_mail(user, change_text(action, factor=factor, actor=actor))


def change_text(action: str, *, factor: str = "", actor="") -> str:
    """The sentence the mail uses, in the active language. Without an actor an operator did it
    (`manage.py reset_two_factor`)."""
    actor_name = actor.get_username() if hasattr(actor, "get_username") else str(actor or "")
    return str(CHANGES[action]) % {"factor": factor, "actor": actor_name or _("an administrator")}


def _staff_mail(user, change: str) -> None:
    """HR staff have no employer to write on behalf of: a plain mail from the site."""
    if not user.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your two-step sign-in for %(site)s changed") % {"site": settings.SITE_NAME}
        body = _(
            "The two-step sign-in of your HR account %(username)s changed: %(change)s\n\n"
            "Was this not you? Contact your administrator straight away."
        ) % {"username": user.get_username(), "change": change}
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email], fail_silently=True))


def totp_device_pending(*, user) -> TOTPDevice:
    """The authenticator app being set up: one unconfirmed device per person, reused until it
    is confirmed (so reloading the set-up page keeps the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str, ip_address: str | None) -> bool:
    """The first code from the app makes the device count. False: the code was wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _record(
        user=device.user,
        actor=device.user,
        action=AuditEvent.Action.FACTOR_ADDED,
        ip_address=ip_address,
        factor=factor_label(device),
    )
    return True


@transaction.atomic
def passkey_added(*, device: WebAuthnCredential, ip_address: str | None) -> None:
    """After django-otp-webauthn saved a new passkey: give it a name and record the change."""
    if not device.name:
        count = WebAuthnCredential.objects.filter(user=device.user).count()
        device.name = _("Passkey %(number)d") % {"number": count}
        device.save(update_fields=["name"])
    _record(
        user=device.user,
        actor=device.user,
        action=AuditEvent.Action.FACTOR_ADDED,
        ip_address=ip_address,
        factor=factor_label(device),
    )


@transaction.atomic
def device_rename(*, device, name: str) -> None:
    device.name = name.strip()[:64] or device.name
    device.save(update_fields=["name"])


@transaction.atomic
def recovery_codes_new(*, user, ip_address: str | None, first: bool = False) -> list[str]:
    """A new set of recovery codes; the old ones stop working. Returns the codes, the only time
    they exist in plain text. `first`: made with the first factor, whose mail says enough."""
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "recovery", "confirmed": True}
    )
    device.codes.all().delete()
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=recovery_code_hash(code)) for code in codes
    )
    if not first:
        _record(
            user=user,
            actor=user,
            action=AuditEvent.Action.RECOVERY_CODES_NEW,
            ip_address=ip_address,
        )
    return codes


def recovery_code_used(*, device: RecoveryCodeDevice, ip_address: str | None) -> int:
    """After a recovery code was accepted: audit, mail, and say how many are left."""
    _record(
        user=device.user,
        actor=device.user,
        action=AuditEvent.Action.RECOVERY_CODE_USED,
        ip_address=ip_address,
    )
    return device.codes.count()


@transaction.atomic
def factor_remove(*, user, device, ip_address: str | None, required: bool) -> None:
    """Remove one of the person's factors. With a second factor required, the last one stays
    (HR resets a lost one)."""
    others = [
        d
        for d in devices_for_user(user)
        if d.persistent_id != device.persistent_id and not isinstance(d, RecoveryCodeDevice)
    ]
    if required and not others:
        raise TwoFactorError(
            _("You need at least one way to sign in in two steps. Add another one first.")
        )
    label = factor_label(device)
    device.delete()
    if not others:
        # Recovery codes alone are no second factor: they go with the last one.
        RecoveryCodeDevice.objects.filter(user=user).delete()
    _record(
        user=user,
        actor=user,
        action=AuditEvent.Action.FACTOR_REMOVED,
        ip_address=ip_address,
        factor=label,
    )


@transaction.atomic
def two_factor_reset(*, user, actor, ip_address: str | None) -> int:
    """Lost device: remove every factor of the person (HR for an employee, an operator for HR
    staff). They set up a new one at their next sign-in when one is required. Returns how many
    factors were removed."""
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    _record(
        user=user,
        action=AuditEvent.Action.TWO_FACTOR_RESET,
        actor=actor,
        ip_address=ip_address,
    )
    return len(devices)


def employee_two_factor_reset(*, employee, actor, ip_address: str | None) -> int:
    """HR's "reset two-step sign-in" for an employee who lost their phone and codes."""
    if employee.user is None:
        raise TwoFactorError(_("This employee has no portal account."))
    if not any(True for _device in devices_for_user(employee.user, confirmed=None)):
        raise TwoFactorError(_("This employee has not set up two-step sign-in."))
    return two_factor_reset(user=employee.user, actor=actor, ip_address=ip_address)
