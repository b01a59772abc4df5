"""Setting up an authenticator app: required for HR staff before any HR page, confirmed by a
first code, QR code as inline SVG under the site's CSP, recovery codes shown once."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from employees.mfa.models import RecoveryCode
from tests.mfa_helpers import totp_code


def start(client, user, password, page="hr:login"):
    response = client.post(reverse(page), {"username": user.username, "password": password})
    assert response["Location"] == reverse("mfa:setup_totp")
    return client.get(reverse("mfa:setup_totp"))


def pending_device(user):
    return TOTPDevice.objects.get(user=user, confirmed=False)


def test_hr_staff_without_an_app_are_sent_to_set_up_before_any_hr_page(
    client, employer_manager, password, employer
):
    page = start(client, employer_manager, password)
    assert page.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.get(reverse("hr:employee_list", args=[employer.pk]))
    assert response["Location"].startswith(reverse("hr:login"))


def test_the_page_shows_an_svg_qr_code_and_the_secret_in_groups(client, employer_manager, password):
    page = start(client, employer_manager, password)
    html = page.content.decode()
    assert re.search(r'<div class="qr" id="totp-qr"><svg viewBox="[^"]+" class="segno">', html)
    secret = re.search(r'data-secret="([A-Z2-7 ]+)"', html)[1]
    assert all(len(group) == 4 for group in secret.split())
    device = pending_device(employer_manager)
    from base64 import b32encode

    assert secret.replace(" ", "") == b32encode(device.bin_key).decode()


def test_the_qr_code_needs_nothing_the_csp_forbids(client, employer_manager, password):
    page = start(client, employer_manager, password)
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    svg = re.search(r"<svg.*?</svg>", page.content.decode(), re.S)[0]
    assert "<script" not in svg and "style=" not in svg and "href" not in svg


def test_reloading_the_page_keeps_the_same_secret(client, employer_manager, password):
    start(client, employer_manager, password)
    client.get(reverse("mfa:setup_totp"))
    assert TOTPDevice.objects.filter(user=employer_manager).count() == 1


def test_a_wrong_first_code_sets_nothing_up(client, employer_manager, password):
    start(client, employer_manager, password)
    device = pending_device(employer_manager)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa:setup_totp"), {"code": wrong, "name": ""})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert "_auth_user_id" not in client.session


def test_the_first_code_confirms_the_app_signs_in_and_shows_ten_recovery_codes(
    client, employer_manager, password
):
    start(client, employer_manager, password)
    device = pending_device(employer_manager)
    response = client.post(
        reverse("mfa:setup_totp"), {"code": totp_code(device), "name": "Work phone"}
    )
    assert response["Location"] == reverse("mfa:recovery_codes")
    device.refresh_from_db()
    assert device.confirmed and device.name == "Work phone"
    assert client.session["_auth_user_id"] == str(employer_manager.pk)
    page = client.get(reverse("mfa:recovery_codes"))
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", page.content.decode())
    assert len(codes) == 10 == RecoveryCode.objects.filter(device__user=employer_manager).count()
    download = client.get(reverse("mfa:recovery_codes_download"))
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert all(code in download.content.decode() for code in codes)
    # Shown once: after "I have kept them" they are gone from the session and the page.
    assert client.post(reverse("mfa:recovery_codes_done"))["Location"] == reverse("hr:home")
    assert client.get(reverse("mfa:recovery_codes"))["Location"] == reverse("mfa:overview")
    assert client.get(reverse("hr:home")).status_code == 302  # on to the employee list


def test_the_set_up_half_signed_in_session_also_expires(client, employer_manager, password):
    import datetime

    import time_machine
    from django.utils import timezone

    start(client, employer_manager, password)
    device = pending_device(employer_manager)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        response = client.post(reverse("mfa:setup_totp"), {"code": totp_code(device)})
    assert response["Location"] == reverse("hr:login")
    device.refresh_from_db()
    assert not device.confirmed


@pytest.mark.usefixtures("employee")
def test_a_signed_in_person_adds_a_second_app_from_the_overview(manager_client, employer_manager):
    page = manager_client.get(reverse("mfa:setup_totp"))
    assert page.status_code == 200
    device = pending_device(employer_manager)
    response = manager_client.post(
        reverse("mfa:setup_totp"), {"code": totp_code(device), "name": "Tablet"}
    )
    # Recovery codes are made with the first factor only; none existed for this persona.
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=employer_manager, confirmed=True).count() == 2
