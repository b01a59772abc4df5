"""Passkeys (django-otp-webauthn): listed with name and last use, renamed, removed (audited and
mailed), counted as a second factor, offered on the sign-in page. The ceremonies themselves run
in the browser test with Chromium's virtual authenticator (tests/browser/test_two_step.py)."""

import re

from django.core import mail
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential

from employers.models import AuditEvent
from tests.mfa_helpers import mark_verified, passkey_for, totp_device


def scripts(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", html)


def test_the_sign_in_page_offers_a_passkey_with_scripts_the_csp_allows(client, db):
    response = client.get(reverse("portal:login"))
    html = response.content.decode()
    assert 'id="passkey-verification-placeholder"' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for tag in scripts(html):
        # Executed scripts come from this site; the library's settings are a JSON data block.
        assert 'src="/' in tag or 'type="application/json"' in tag, tag


def test_a_passkey_counts_as_a_second_factor(client, account, password):
    passkey_for(account)
    response = client.post(
        reverse("portal:login"), {"username": account.username, "password": password}
    )
    assert response["Location"] == reverse("mfa:authenticate")
    page = client.get(reverse("mfa:authenticate")).content.decode()
    assert 'id="passkey-verification-placeholder"' in page
    assert 'id="mfa-code-form"' not in page  # no app: nothing to type


def test_the_overview_lists_passkeys_with_name_and_last_use(anna, account):
    from django.utils import timezone

    device = passkey_for(account, name="Anna's laptop")
    device.last_used_at = timezone.now()
    device.save()
    html = anna.get(reverse("mfa:overview")).content.decode()
    assert "Anna&#x27;s laptop" in html
    assert 'id="passkey-registration-placeholder"' in html


def test_renaming_a_passkey(anna, account):
    device = passkey_for(account)
    anna.post(reverse("mfa:passkey_rename", args=[device.pk]), {"name": "  Werklaptop "})
    device.refresh_from_db()
    assert device.name == "Werklaptop"


def test_removing_a_passkey_is_audited_and_mailed(anna, account, on_commit):
    totp_device(account)
    device = passkey_for(account)
    with on_commit():
        anna.post(reverse("mfa:passkey_remove", args=[device.pk]))
    assert not WebAuthnCredential.objects.filter(pk=device.pk).exists()
    event = AuditEvent.objects.get(action="factor_removed")
    assert "Laptop" in event.detail
    assert mail.outbox[-1].to == [account.employee.email]


def test_hr_sees_a_passkey_as_two_step_sign_in(manager_client, account, employee):
    passkey_for(account)
    page = manager_client.get(reverse("hr:employee_detail", args=[employee.pk]))
    assert b'id="reset-two-step"' in page.content


def test_registering_needs_a_fresh_check_for_a_person_with_a_factor(anna, account):
    import datetime

    import time_machine
    from django.utils import timezone

    totp_device(account)
    mark_verified(anna, account)
    url = reverse("otp_webauthn:credential-registration-begin")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        response = anna.post(url, content_type="application/json")
    assert response.status_code == 403
    assert anna.post(url, content_type="application/json").status_code == 200


def test_registering_needs_a_signed_in_session(client, db):
    url = reverse("otp_webauthn:credential-registration-begin")
    assert client.post(url, content_type="application/json").status_code in (401, 403)
