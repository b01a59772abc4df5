"""Reads about a person's second factors for other pages (HR's employee overview)."""

from django_otp.plugins.otp_totp.models import TOTPDevice


def has_two_step_sign_in(user) -> bool:
    """One query: whether the person has set up an authenticator app."""
    if user is None:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
