"""Who must sign in with a second factor, and which factors a person has.

HR staff always; an employee when their employer requires it (or, when the employer leaves it
open, its provider's default: Employer.employees_need_two_factor)."""

from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from employees.mfa.models import RecoveryCodeDevice
from employers.selectors import memberships_for_staff


def second_factor_required(user) -> bool:
    if memberships_for_staff(user):
        return True
    # Loaded with the user (essportal.backends.PortalModelBackend) on signed-in requests.
    employee = getattr(user, "employee", None)
    return employee is not None and employee.employer.employees_need_two_factor


def sign_in_devices(user) -> list:
    """The confirmed devices that can stand in for the second step (recovery codes only next
    to a real factor: on their own they are not a second factor)."""
    return [d for d in devices_for_user(user) if not isinstance(d, RecoveryCodeDevice)]


def has_second_factor(user) -> bool:
    return bool(sign_in_devices(user))


def totp_devices(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("created_at")


def passkeys(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def recovery_device(user) -> RecoveryCodeDevice | None:
    return RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
