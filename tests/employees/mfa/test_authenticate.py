"""The second sign-in step: codes at the edges of the window, replay, the lockout, the
half-signed-in session's limits."""

import datetime
import time

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from employees.mfa.stage import PENDING_KEY
from tests.mfa_helpers import totp_code, totp_device

CODE_PAGE = "mfa:authenticate"


@pytest.fixture
def device(employer_manager):
    return totp_device(employer_manager)


def password_step(client, user, password, page="hr:login"):
    response = client.post(reverse(page), {"username": user.username, "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse(CODE_PAGE)
    return response


def code_step(client, code):
    return client.post(reverse(CODE_PAGE), {"code": code})


def is_signed_in(client):
    return "_auth_user_id" in client.session


def test_the_password_alone_does_not_sign_hr_in(client, employer_manager, password, device):
    password_step(client, employer_manager, password)
    assert not is_signed_in(client)
    assert client.get(reverse("hr:home"))["Location"].startswith(reverse("hr:login"))


@pytest.mark.parametrize("steps", [-1, 0, 1])
def test_codes_from_the_step_before_now_and_after_are_accepted(
    client, employer_manager, password, device, steps
):
    password_step(client, employer_manager, password)
    response = code_step(client, totp_code(device, steps=steps))
    assert response["Location"] == reverse("hr:home")
    assert is_signed_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


@pytest.mark.parametrize("steps", [-2, 2])
def test_codes_two_steps_away_are_refused(client, employer_manager, password, device, steps):
    password_step(client, employer_manager, password)
    response = code_step(client, totp_code(device, steps=steps))
    assert response.status_code == 400
    assert not is_signed_in(client)


def test_the_window_edge_is_exact(client, employer_manager, password, device):
    """At the last second of a step, the code of two steps earlier is still one too many."""
    step_start = (int(time.time()) // 30 + 1) * 30  # the next step, to leave time for the test
    with time_machine.travel(step_start + 29.5, tick=False):
        password_step(client, employer_manager, password)
        assert code_step(client, totp_code(device, at=step_start - 60)).status_code == 400
        device.refresh_from_db()
        device.throttle_reset()
        assert code_step(client, totp_code(device, at=step_start - 30))["Location"] == "/hr/"


def test_a_code_used_once_is_refused_the_second_time(client, employer_manager, password, device):
    code = totp_code(device)
    password_step(client, employer_manager, password)
    assert code_step(client, code)["Location"] == "/hr/"
    client.post(reverse("hr:logout"))
    password_step(client, employer_manager, password)
    assert code_step(client, code).status_code == 400
    assert not is_signed_in(client)


def test_an_older_code_after_a_newer_one_is_refused(client, employer_manager, password, device):
    password_step(client, employer_manager, password)
    assert code_step(client, totp_code(device, steps=1))["Location"] == "/hr/"
    client.post(reverse("hr:logout"))
    password_step(client, employer_manager, password)
    assert code_step(client, totp_code(device, steps=0)).status_code == 400


def test_five_wrong_codes_lock_the_account_like_wrong_passwords(
    client, employer_manager, password, device
):
    password_step(client, employer_manager, password)
    wrong = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"
    for _ in range(4):
        device.refresh_from_db()
        device.throttle_reset()  # the device's own slow-down is not what is tested here
        assert code_step(client, wrong).status_code == 400
    response = code_step(client, wrong)
    assert response.status_code == 429  # the lockout page; the session ended
    assert PENDING_KEY not in client.session
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 5
    # The right password and then the right code do nothing during the cool-off.
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(
        reverse("hr:login"), {"username": employer_manager.username, "password": password}
    )
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_wrong_passwords_and_wrong_codes_add_up(client, employer_manager, password, device):
    for _ in range(3):
        client.post(reverse("hr:login"), {"username": employer_manager.username, "password": "x"})
    password_step(client, employer_manager, password)
    assert code_step(client, "000000").status_code in (400, 429)
    device.refresh_from_db()
    device.throttle_reset()
    assert code_step(client, "999999").status_code == 429


def test_a_failure_limit_is_per_client_address(client, employer_manager, password, device):
    """Another address still signs in: the count is per user and address, as for passwords."""
    password_step(client, employer_manager, password)
    for _ in range(5):
        device.refresh_from_db()
        device.throttle_reset()
        code_step(client, "000001")
    from django.test import Client

    other = Client(REMOTE_ADDR="198.51.100.9")
    password_step(other, employer_manager, password)
    device.refresh_from_db()
    device.throttle_reset()
    assert other.post(reverse(CODE_PAGE), {"code": totp_code(device)})["Location"] == "/hr/"


def test_the_half_signed_in_session_expires_after_five_minutes(
    client, employer_manager, password, device
):
    password_step(client, employer_manager, password)
    later = timezone.now() + datetime.timedelta(minutes=5, seconds=1)
    with time_machine.travel(later):
        response = code_step(client, totp_code(device))
    assert response.status_code == 302
    assert response["Location"] == reverse("hr:login")
    assert not is_signed_in(client)


def test_within_five_minutes_the_code_still_signs_in(client, employer_manager, password, device):
    password_step(client, employer_manager, password)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=4, seconds=50)):
        assert code_step(client, totp_code(device))["Location"] == "/hr/"


def test_each_step_gives_the_session_a_new_key(client, employer_manager, password, device):
    client.get(reverse("hr:login"))
    client.session.save()
    planted = client.session.session_key
    password_step(client, employer_manager, password)
    half = client.session.session_key
    code_step(client, totp_code(device))
    full = client.session.session_key
    assert len({planted, half, full}) == 3


def test_the_code_page_without_a_password_step_goes_back_to_sign_in(client):
    response = client.get(reverse(CODE_PAGE))
    assert response["Location"] == reverse("portal:login")


def test_a_typed_code_with_spaces_is_read(client, employer_manager, password, device):
    password_step(client, employer_manager, password)
    code = totp_code(device)
    assert code_step(client, f"{code[:3]} {code[3:]}")["Location"] == "/hr/"


def test_the_next_address_is_kept_through_the_second_step(
    client, employer_manager, password, device, employer
):
    target = reverse("hr:audit_log", args=[employer.pk])
    client.post(
        reverse("hr:login") + f"?next={target}",
        {"username": employer_manager.username, "password": password, "next": target},
    )
    assert code_step(client, totp_code(device))["Location"] == target


def test_an_employee_with_an_app_gets_the_second_step_too(client, employee, password):
    from tests.factories import UserFactory

    employee.user = UserFactory()
    employee.save(update_fields=["user"])
    device = totp_device(employee.user)
    password_step(client, employee.user, password, page="portal:login")
    assert code_step(client, totp_code(device))["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).status_code == 200


def test_the_lockout_record_keeps_no_typed_code(client, employer_manager, password, device):
    password_step(client, employer_manager, password)
    code_step(client, "123456")
    attempt = AccessAttempt.objects.get()
    assert "123456" not in attempt.post_data
