"""Sensitive actions ask for the second factor again when this session's last check is more
than 15 minutes old: the password, the mails' sender, the factors, the collective block."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from employees.mfa.services import recovery_codes_new
from tests.mfa_helpers import fresh_code, totp_device

LATER = datetime.timedelta(minutes=15, seconds=5)
WITHIN = datetime.timedelta(minutes=14, seconds=50)


def recheck_url(next_url):
    from urllib.parse import urlencode

    return reverse("mfa:recheck") + "?" + urlencode({"next": next_url})


@pytest.mark.parametrize("name", ["collective_block"])
def test_hr_collective_block_asks_again_after_15_minutes(manager_client, employer, name):
    url = reverse(f"hr:{name}", args=[employer.pk])
    with time_machine.travel(timezone.now() + WITHIN):
        assert manager_client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + LATER):
        assert manager_client.get(url)["Location"] == recheck_url(url)


def test_the_sender_asks_again_and_comes_back_to_its_page(manager_client, employer):
    url = reverse("hr:email_sender", args=[employer.pk])
    with time_machine.travel(timezone.now() + LATER):
        response = manager_client.post(url, {"reply_to_email": "hr@example.test"})
    assert response["Location"] == recheck_url(
        reverse("hr:email_texts", args=["employer", employer.pk])
    )
    employer.refresh_from_db()
    assert employer.reply_to_email == ""


def test_a_right_code_on_the_check_lets_the_action_through(anna, account):
    device = totp_device(account)
    url = reverse("portal:change_password")
    with time_machine.travel(timezone.now() + LATER):
        assert anna.get(url)["Location"] == recheck_url(url)
        response = anna.post(
            reverse("mfa:recheck"), {"recovery_code": fresh_code(device), "next": url}
        )
        assert response["Location"] == url
        assert anna.get(url).status_code == 200


def test_a_recovery_code_also_passes_the_check(anna, account):
    totp_device(account)
    codes = recovery_codes_new(user=account, ip_address=None, first=True)
    url = reverse("mfa:overview")
    with time_machine.travel(timezone.now() + LATER):
        response = anna.post(reverse("mfa:recheck"), {"recovery_code": codes[0], "next": url})
    assert response["Location"] == url


def test_wrong_codes_on_the_check_count_toward_the_lockout(anna, account):
    device = totp_device(account)
    with time_machine.travel(timezone.now() + LATER):
        for _ in range(4):
            device.refresh_from_db()
            device.throttle_reset()
            assert anna.post(reverse("mfa:recheck"), {"recovery_code": "000000"}).status_code == 400
        response = anna.post(reverse("mfa:recheck"), {"recovery_code": "000000"})
    assert response.status_code == 429
    assert "_auth_user_id" not in anna.session


def test_the_check_goes_only_to_addresses_of_this_site(anna, account):
    device = totp_device(account)
    with time_machine.travel(timezone.now() + LATER):
        response = anna.post(
            reverse("mfa:recheck"),
            {"recovery_code": fresh_code(device), "next": "https://evil.example/"},
        )
    assert response["Location"] == reverse("mfa:overview")


def test_a_person_without_a_factor_is_not_asked(client, account, password):
    client.post(reverse("portal:login"), {"username": account.username, "password": password})
    with time_machine.travel(timezone.now() + LATER):
        assert client.get(reverse("portal:change_password")).status_code == 200


def test_removing_an_app_asks_again_after_15_minutes(anna, account):
    device = totp_device(account)
    with time_machine.travel(timezone.now() + LATER):
        response = anna.post(reverse("mfa:totp_remove", args=[device.pk]))
    assert response["Location"].startswith(reverse("mfa:recheck"))
    device.refresh_from_db()
