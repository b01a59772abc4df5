"""Guessing the current password on the change-password page: each wrong one counts as a failed
sign-in, so a borrowed session cannot guess on. At the limit it is signed out and the account is
locked as after as many failed sign-ins."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import DEFAULT_PASSWORD
from tests.mfa_helpers import mark_password_only

WRONG = "my best guess at anna's password"
NEW = "zonnige ochtend aan zee"
CHANGE = reverse("portal:change_password")


@pytest.fixture
def borrowed(account):
    """Anna's signed-in session, in someone else's hands."""
    client = Client()
    client.force_login(account)
    mark_password_only(client, account)
    return client


@pytest.fixture
def limit(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    return settings.AXES_FAILURE_LIMIT


def change(client, current, new=NEW, **extra):
    data = {"old_password": current, "password1": new, "password2": new}
    return client.post(CHANGE, data, **extra)


def guess_wrong(client, times):
    for _ in range(times):
        response = change(client, WRONG)
        assert response.status_code == 200
        assert "old_password" in response.context["form"].errors


def sign_in(client, password=DEFAULT_PASSWORD):
    return client.post(reverse("portal:login"), {"username": "anna.bakker", "password": password})


def is_signed_in(client):
    return "_auth_user_id" in client.session


def test_four_wrong_current_passwords_then_the_right_one_changes_it(borrowed, account, limit):
    guess_wrong(borrowed, limit - 1)
    response = change(borrowed, DEFAULT_PASSWORD)
    assert response["Location"] == reverse("portal:account")
    account.refresh_from_db()
    assert account.check_password(NEW)


def test_the_fifth_wrong_current_password_signs_out_and_locks_the_account(borrowed, account, limit):
    guess_wrong(borrowed, limit - 1)
    response = change(borrowed, WRONG)

    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert not is_signed_in(borrowed)
    assert borrowed.get(reverse("portal:details"))["Location"].startswith(reverse("portal:login"))
    # Locked as after five failed sign-ins: the right password is refused at the sign-in form.
    assert sign_in(borrowed).status_code == 429
    assert not is_signed_in(borrowed)
    account.refresh_from_db()
    assert account.check_password(DEFAULT_PASSWORD)


def test_wrong_current_passwords_and_failed_sign_ins_share_one_count(borrowed, account, limit):
    elsewhere = Client()  # another browser at the same address
    for _ in range(limit - 1):
        sign_in(elsewhere, WRONG)
    response = change(borrowed, WRONG)
    assert response.status_code == 429
    assert not is_signed_in(borrowed)


def test_a_locked_account_cannot_change_its_password_even_with_the_right_current_one(
    borrowed, account, limit
):
    attacker = Client()
    for _ in range(limit):
        sign_in(attacker, WRONG)
    response = change(borrowed, DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert not is_signed_in(borrowed)
    account.refresh_from_db()
    assert account.check_password(DEFAULT_PASSWORD)


def test_a_borrowed_session_moving_between_addresses_is_signed_out_at_the_fifth_guess(
    borrowed, account, limit, settings
):
    settings.PROXY_COUNT = 1

    def from_address(n):
        return {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}

    for n in range(1, limit):
        assert change(borrowed, WRONG, **from_address(n)).status_code == 200
    assert change(borrowed, WRONG, **from_address(limit)).status_code == 429
    assert not is_signed_in(borrowed)


@pytest.mark.parametrize("current", ["", "p" * 257])
def test_a_current_password_refused_as_input_is_not_a_guess(borrowed, account, limit, current):
    for _ in range(limit):
        assert change(borrowed, current).status_code == 200
    assert change(borrowed, DEFAULT_PASSWORD)["Location"] == reverse("portal:account")


def test_the_lockout_keeps_no_typed_password(borrowed, account):
    change(borrowed, WRONG)
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "anna.bakker"
    assert WRONG not in attempt.post_data
    assert NEW not in attempt.post_data


# --- The cool-off, at its edge ------------------------------------------------------------------

LOCKED_AT = datetime.datetime(2026, 4, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def locked_by_guessing(borrowed, account, limit):
    with time_machine.travel(LOCKED_AT, tick=False):
        guess_wrong(borrowed, limit - 1)
        assert change(borrowed, WRONG).status_code == 429


def cool_off(settings) -> datetime.timedelta:
    return datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)


@pytest.mark.usefixtures("locked_by_guessing")
def test_the_right_password_is_refused_until_the_last_second_of_the_cool_off(settings):
    assert cool_off(settings) == datetime.timedelta(minutes=15)
    with time_machine.travel(LOCKED_AT + cool_off(settings), tick=False):
        assert timezone.now() == LOCKED_AT + cool_off(settings)
        client = Client()
        sign_in(client)
        assert not is_signed_in(client)


@pytest.mark.usefixtures("locked_by_guessing")
def test_the_right_password_signs_in_one_second_after_the_cool_off(settings):
    with time_machine.travel(LOCKED_AT + cool_off(settings) + datetime.timedelta(seconds=1)):
        client = Client()
        sign_in(client)
        assert is_signed_in(client)
