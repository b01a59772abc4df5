"""Signing test clients in the way the sign-in views leave a session: verified with a second
factor (django_otp.login's session key, as after the code page), or by password alone where
that is allowed."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from employees.mfa.stage import PASSWORD_ONLY_KEY, VERIFIED_AT_KEY


def totp_device(user, *, name="Phone") -> TOTPDevice:
    """The user's confirmed authenticator app (made once)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name=name, confirmed=True)


def totp_code(device: TOTPDevice, *, at: float | None = None, steps: int = 0) -> str:
    """The code the person's app shows at `at` (now), `steps` time steps away, computed with
    django-otp's own RFC 6238 implementation."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = (time.time() if at is None else at) + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def mark_verified(client, user, device=None) -> None:
    """As after a successful second step: this session was verified with `device` just now."""
    device = device or totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_AT_KEY] = time.time()
    session.save()


def mark_password_only(client, user) -> None:
    """As after a sign-in by password where no second step was asked."""
    session = client.session
    session[PASSWORD_ONLY_KEY] = user.pk
    session.save()


def force_login_verified(client, user):
    client.force_login(user)
    mark_verified(client, user)
    return client


def fresh_code(device: TOTPDevice) -> str:
    """A code the device has not accepted yet (a second sign-in within the same 30 seconds
    takes the next step's code, as a person would wait for it)."""
    device.refresh_from_db()
    now_t = int((time.time() - device.t0) // device.step)
    return totp_code(device, steps=max(0, device.last_t + 1 - now_t))


def sign_in_with_code(client, login_url: str, user, password: str):
    """Password, then the code from the person's app (made for them if they have none)."""
    from django.urls import reverse

    device = totp_device(user)
    response = client.post(reverse(login_url), {"username": user.username, "password": password})
    assert response.status_code == 302, response
    assert response["Location"] == reverse("mfa:authenticate"), response["Location"]
    return client.post(reverse("mfa:authenticate"), {"code": fresh_code(device)})


def passkey_for(user, *, name="Laptop"):
    """A stored passkey row (no real key behind it: for access tests, not for ceremonies)."""
    import hashlib
    import os

    from django_otp_webauthn.models import WebAuthnCredential

    credential_id = os.urandom(16)
    return WebAuthnCredential.objects.create(
        user=user,
        name=name,
        confirmed=True,
        credential_id=credential_id,
        credential_id_sha256=hashlib.sha256(credential_id).hexdigest(),
        public_key=b"not a key",
        sign_count=0,
    )
