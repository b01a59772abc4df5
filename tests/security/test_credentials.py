"""Passwords at their edges on every form that sets or checks one, and look-alike usernames."""

import re
import time

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from essportal.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.invitations.helpers import ACCOUNT, ACTIVATE, BIRTH_DATE, CREDENTIALS
from tests.mfa_helpers import mark_password_only

ONE_MB = "p" * 1_000_000
FAST = 2.0  # seconds


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


@pytest.fixture
def signed_in(client, account):
    client.force_login(account)
    mark_password_only(client, account)
    return client


@pytest.fixture
def reset_form_url(client, account, on_commit):
    with on_commit():
        client.post(reverse("portal:forgot_password"), {"email": account.email})
    path = re.search(r"https://portal\.example\.test(/reset/[^\s]+/)", mail.outbox[-1].body)[1]
    return client.get(path, follow=True).redirect_chain[-1][0]


# --- 1 MB passwords are refused before hashing --------------------------------------------------


@pytest.mark.usefixtures("large_request_bodies")
def test_a_one_megabyte_new_password_is_refused_fast_when_changing(signed_in, account):
    data = {"old_password": DEFAULT_PASSWORD, "password1": ONE_MB, "password2": ONE_MB}
    response, seconds = timed(lambda: signed_in.post(reverse("portal:change_password"), data))
    assert seconds < FAST
    assert "password1" in response.context["form"].errors
    account.refresh_from_db()
    assert account.check_password(DEFAULT_PASSWORD)


def test_a_one_megabyte_current_password_is_refused_fast(signed_in, account):
    new = "zonnige ochtend aan zee"
    data = {"old_password": ONE_MB, "password1": new, "password2": new}
    response, seconds = timed(lambda: signed_in.post(reverse("portal:change_password"), data))
    assert seconds < FAST
    assert "old_password" in response.context["form"].errors


@pytest.mark.usefixtures("large_request_bodies")
def test_a_one_megabyte_password_is_refused_fast_on_the_reset_form(client, account, reset_form_url):
    data = {"password1": ONE_MB, "password2": ONE_MB}
    response, seconds = timed(lambda: client.post(reset_form_url, data))
    assert seconds < FAST
    assert "password1" in response.context["form"].errors
    account.refresh_from_db()
    assert account.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize("login_url", ["portal:login", "hr:login"])
def test_a_one_megabyte_password_at_sign_in_is_answered_fast(client, account, login_url):
    data = {"username": "anna.bakker", "password": ONE_MB}
    response, seconds = timed(lambda: client.post(reverse(login_url), data))
    assert seconds < FAST
    assert response.status_code in (200, 403, 429)
    assert "_auth_user_id" not in client.session


# --- Length edges on change and reset -------------------------------------------------------------

EDGES = [
    ("x7!kQ2#mZp9", False),  # 11
    ("x7!kQ2#mZp9&", True),  # 12
    ("w" * 30 + "q" * 34, True),  # 64
    ("kikker" * 21 + "ab", True),  # 128
    ("zomer" * 51 + "a", True),  # 256
    ("zomer" * 51 + "ab", False),  # 257
]


@pytest.mark.parametrize("password, ok", EDGES, ids=[f"{len(p)}" for p, _ in EDGES])
def test_password_length_edges_when_changing(signed_in, account, password, ok):
    data = {"old_password": DEFAULT_PASSWORD, "password1": password, "password2": password}
    response = signed_in.post(reverse("portal:change_password"), data)
    assert (response.status_code == 302) is ok
    account.refresh_from_db()
    assert account.check_password(password) is ok


@pytest.mark.parametrize("password, ok", EDGES, ids=[f"{len(p)}" for p, _ in EDGES])
def test_password_length_edges_on_the_reset_form(client, account, reset_form_url, password, ok):
    response = client.post(reset_form_url, {"password1": password, "password2": password})
    assert (response.status_code == 302) is ok
    account.refresh_from_db()
    assert account.check_password(password) is ok


def test_a_password_is_not_trimmed(client, opened):
    """A space typed at the end is part of the password, not silently dropped."""
    client.post(ACTIVATE, BIRTH_DATE)
    password = " kleine groene kikkers dansen "
    client.post(ACCOUNT, {**CREDENTIALS, "password1": password, "password2": password})
    user = User.objects.get()
    assert user.check_password(password)
    assert not user.check_password(password.strip())


# --- Look-alike usernames -------------------------------------------------------------------------


@pytest.fixture
def anna_taken(db):
    return UserFactory(username="anna")


def choose(client, username):
    client.post(ACTIVATE, BIRTH_DATE)
    return client.post(ACCOUNT, {**CREDENTIALS, "username": username})


@pytest.mark.parametrize("username", ["Anna", "ANNA", "aNnA", "anna ", " anna", "anna\t"])
def test_a_username_differing_only_in_case_or_outer_spaces_is_taken(
    client, opened, anna_taken, username
):
    response = choose(client, username)
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "username",
    [
        "\u0430nna",  # Cyrillic a
        "\u03b1nna",  # Greek alpha
        "ann\u0430",  # Cyrillic a at the end
        "anna\u200b",  # zero-width space
        "\u200banna",
        "an\u200dna",  # zero-width joiner
        "anna\u00ad",  # soft hyphen
        "ａｎｎａ",  # full-width
        "\u212aees",  # Kelvin sign, lowercases to k
        "anna\u0301",  # combining accent
        "anna\u202e",  # right-to-left override
    ],
)
def test_a_non_ascii_look_alike_username_is_refused(client, opened, anna_taken, username):
    response = choose(client, username)
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "older, new",
    [
        ("straße", "strasse"),  # ß folds to ss
        ("straße", "STRASSE"),
        ("ｊａｎ", "jan"),  # full-width, stored before sign-in normalised it
        ("\u212aees", "kees"),  # Kelvin sign
    ],
)
def test_a_username_an_older_account_reaches_under_another_spelling_is_taken(
    client, opened, older, new
):
    User.objects.create(username=older)  # named before usernames were ASCII-only
    response = choose(client, new)
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.count() == 1


def test_outer_spaces_are_trimmed_so_the_stored_name_is_the_one_typed(client, opened):
    choose(client, "  anna.b  ")
    assert User.objects.get().username == "anna.b"


def test_the_database_refuses_a_second_username_differing_only_in_case(anna_taken):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ANNA")


@pytest.mark.parametrize("older, new", [("straße", "STRASSE"), ("ｊａｎ", "Jan")])
def test_the_database_refuses_a_second_username_that_signs_in_as_the_first(db, older, new):
    User.objects.create(username=older)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username=new)


@pytest.mark.parametrize(
    "typed, ok",
    [
        ("anna.bakker", True),
        ("ANNA.BAKKER", True),
        ("anna.bakker ", True),
        ("\u0430nna.bakker", False),  # Cyrillic a
        ("anna.bakker\u200b", False),
        ("anna.bakke", False),
        ("anna.bakker%", False),
        ("anna_bakker", False),  # `_` is not a wildcard
    ],
)
def test_signing_in_with_a_look_alike_username(client, account, typed, ok):
    response = client.post(
        reverse("portal:login"), {"username": typed, "password": DEFAULT_PASSWORD}
    )
    assert (response.status_code == 302) is ok
    assert ("_auth_user_id" in client.session) is ok
