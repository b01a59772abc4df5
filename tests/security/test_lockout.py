"""The sign-in lockout on every sign-in form (portal, HR, admin): failures count per account
however its username is spelled, and per real client address behind the proxy."""

import io

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from essportal.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory, password_hash

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


# --- Every spelling of a username is one count --------------------------------------------------

SPELLINGS = [
    "hr-viewer",
    "HR-viewer",
    "Hr-Viewer",
    "HR-VIEWER",
    "ｈｒ-ｖｉｅｗｅｒ",  # full-width letters: NFKC makes them ASCII
    "ＨＲ－ＶＩＥＷＥＲ",  # full-width capitals and hyphen
    " hr-viewer ",  # outer spaces
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_each_spelling_of_the_username_signs_in(client, hr_viewer, page, spelling):
    sign_in(client, page, spelling)
    assert is_signed_in(client)


def test_four_wrong_guesses_in_four_spellings_still_let_the_right_password_in(
    client, hr_viewer, page, settings
):
    assert settings.AXES_FAILURE_LIMIT == 5
    fail(client, page, SPELLINGS[1:5])
    sign_in(client, page, "hr-viewer")
    assert is_signed_in(client)


def test_five_wrong_guesses_in_five_spellings_lock_the_account(client, hr_viewer, page):
    fail(client, page, SPELLINGS[1:6])
    response = sign_in(client, page, "hr-viewer")
    assert response.status_code == 429
    assert not is_signed_in(client)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_after_a_lockout_no_spelling_with_the_right_password_signs_in(
    client, hr_viewer, page, spelling
):
    fail(client, page, ["hr-viewer"] * 5)
    sign_in(client, page, spelling)
    assert not is_signed_in(client)


def test_the_lockout_is_recorded_under_one_folded_username(client, hr_viewer, page):
    fail(client, page, SPELLINGS[:3])
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"hr-viewer"}


def test_an_operator_lifts_the_lockout_with_the_username_in_lower_case(client, hr_viewer, page):
    fail(client, page, ["HR-Viewer"] * 5)
    call_command("axes_reset_username", "hr-viewer", stdout=io.StringIO())
    sign_in(client, page, "HR-Viewer")
    assert is_signed_in(client)


# --- A dotless ı is not an i, on SQLite and on PostgreSQL alike ---------------------------------


@pytest.mark.parametrize("look_alike", ["hr-v\u0131ewer", "HR-V\u0130EWER"])  # ı, İ
def test_a_dotless_or_dotted_i_does_not_reach_the_account(client, hr_viewer, page, look_alike):
    sign_in(client, page, look_alike)
    assert not is_signed_in(client)


def test_a_dotless_i_does_not_get_past_the_lockout(client, hr_viewer, page):
    fail(client, page, ["hr-viewer"] * 5)
    sign_in(client, page, "hr-v\u0131ewer")
    assert not is_signed_in(client)


# --- Accounts named before usernames were ASCII-only keep working ------------------------------


@pytest.fixture
def older_account(db):
    # Made the way it could be before: saved directly, past the ASCII validator.
    return User.objects.create(username="jöran", is_staff=True, password=password_hash())


@pytest.mark.parametrize("spelling", ["jöran", "Jöran", "JÖRAN", "jo\u0308ran", "ｊöｒａｎ"])
def test_an_older_account_with_an_accented_name_signs_in_in_any_case(
    client, older_account, page, spelling
):
    sign_in(client, page, spelling)
    assert is_signed_in(client)


def test_an_older_accented_account_is_locked_across_spellings(client, older_account, page):
    fail(client, page, ["jöran", "Jöran", "JÖRAN", "jo\u0308ran", "JO\u0308RAN"])
    sign_in(client, page, "jöran")
    assert not is_signed_in(client)


def test_a_username_that_grows_when_folded_is_counted_without_an_error(client, db, page):
    """A "ß" folds to "ss": 150 of them make 300 characters, more than axes stores."""
    response = sign_in(client, page, "ß" * 150, WRONG)
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "s" * 255


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
