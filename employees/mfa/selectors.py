"""Reads about a person's second factors for other pages (HR's employee overview)."""

from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential


def has_two_step_sign_in(user) -> bool:
    """Whether the person has an authenticator app or a passkey (one query each at most)."""
    if user is None:
        return False
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )
