"""The sign-in lockout on every sign-in form (portal, HR, admin): failures count per real
client address behind the proxy."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory

SIGN_IN_PAGES = ["portal:login", "hr:login", "admin:login"]
WRONG = "not the password at all"
PROXY = "10.0.0.1"
ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.7"

pytestmark = pytest.mark.parametrize("page", SIGN_IN_PAGES)


@pytest.fixture
def hr_viewer(db):
    # Staff status so that the admin's sign-in accepts the account too.
    return UserFactory(username="hr-viewer", is_staff=True)


def sign_in(client, page, username, password=DEFAULT_PASSWORD):
    return client.post(reverse(page), {"username": username, "password": password})


def is_signed_in(client):
    return "_auth_user_id" in client.session


def fail(client, page, spellings):
    for username in spellings:
        sign_in(client, page, username, WRONG)
        assert not is_signed_in(client)


# --- Behind the proxy: the real client address, not the proxy's --------------------------------


def behind_proxy(forwarded_for):
    """A browser behind our TLS proxy, which appends the address it saw to X-Forwarded-For."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.fixture
def one_proxy(settings):
    settings.PROXY_COUNT = 1


@pytest.mark.usefixtures("one_proxy")
def test_behind_the_proxy_two_clients_are_counted_apart(hr_viewer, page):
    attacker, victim = behind_proxy(ATTACKER), behind_proxy(VICTIM)
    fail(attacker, page, ["hr-viewer"] * 5)

    sign_in(victim, page, "hr-viewer")
    assert is_signed_in(victim)
    sign_in(attacker, page, "hr-viewer")
    assert not is_signed_in(attacker)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@pytest.mark.usefixtures("one_proxy")
def test_a_forged_forwarded_for_entry_does_not_choose_the_address(hr_viewer, page):
    # The attacker writes the victim's address in front; the proxy appends the real one.
    fail(behind_proxy(f"{VICTIM}, {ATTACKER}"), page, ["hr-viewer"] * 5)

    victim = behind_proxy(VICTIM)
    sign_in(victim, page, "hr-viewer")
    assert is_signed_in(victim)
    # Nor does another forged entry get the attacker out of their own lockout.
    attacker = behind_proxy(f"192.0.2.55, {ATTACKER}")
    sign_in(attacker, page, "hr-viewer")
    assert not is_signed_in(attacker)
