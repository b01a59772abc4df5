"""Session fixation, cross-site request forgery and open redirects."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from essportal.models import User
from invitations.activation.link import SESSION_KEY
from invitations.models import Invitation
from tests.factories import DEFAULT_PASSWORD
from tests.invitations.helpers import (
    ACCOUNT,
    ACTIVATE,
    BIRTH_DATE,
    CREDENTIALS,
    WRONG_DATE,
    link_path,
)
from tests.mfa_helpers import force_login_verified

COOKIE = django_settings.SESSION_COOKIE_NAME


def planted_session() -> str:
    """A real session the attacker made and knows the key of, planted in the victim's browser
    (a cookie set from a sibling subdomain, say)."""
    store = SessionStore()
    store["_language"] = "nl"
    store.create()
    return store.session_key


# --- Session fixation -----------------------------------------------------------------------------


def test_an_unknown_session_id_set_before_the_link_is_not_adopted(client, invited):
    _, token = invited
    client.cookies[COOKIE] = "attacker-chosen-session-key-0123456789"
    client.get(link_path(token))
    assert client.cookies[COOKIE].value != "attacker-chosen-session-key-0123456789"


def test_a_planted_session_id_is_not_the_one_after_activation(client, invited, employee):
    _, token = invited
    fixed = planted_session()
    client.cookies[COOKIE] = fixed
    client.get(link_path(token))
    client.post(ACTIVATE, BIRTH_DATE)
    client.post(ACCOUNT, CREDENTIALS)
    assert client.session[AUTH_SESSION_KEY] == str(User.objects.get().pk)
    assert client.cookies[COOKIE].value != fixed
    attacker = Client()
    attacker.cookies[COOKIE] = fixed
    assert attacker.get(reverse("portal:details")).status_code == 302  # not signed in


def test_a_planted_session_id_is_not_the_one_after_login(client, account):
    fixed = planted_session()
    client.cookies[COOKIE] = fixed
    client.post(reverse("portal:login"), {"username": "anna.bakker", "password": DEFAULT_PASSWORD})
    assert client.cookies[COOKIE].value != fixed
    attacker = Client()
    attacker.cookies[COOKIE] = fixed
    assert attacker.get(reverse("portal:details")).status_code == 302


def test_a_planted_session_id_is_not_the_one_after_hr_login(client, employer_manager):
    fixed = planted_session()
    client.cookies[COOKIE] = fixed
    response = client.post(
        reverse("hr:login"), {"username": employer_manager.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.cookies[COOKIE].value != fixed


def test_whoever_planted_the_session_cannot_finish_the_victims_activation(client, invited):
    _, token = invited
    fixed = planted_session()
    client.cookies[COOKIE] = fixed
    client.get(link_path(token))  # the victim opens the link from the mail ...
    client.post(ACTIVATE, BIRTH_DATE)  # ... and proves the birth date
    attacker = Client()
    attacker.cookies[COOKIE] = fixed
    response = attacker.post(ACCOUNT, {**CREDENTIALS, "username": "mallory"})
    assert not User.objects.filter(username="mallory").exists()
    assert response.status_code in (302, 404)


# --- CSRF -----------------------------------------------------------------------------------------

CSRF_SECRET = "A" * 32  # a well-formed secret for the cookie and the form, where we want one


def csrf_client(user=None):
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        force_login_verified(client, user)
    return client


def with_token(client, data):
    client.cookies[django_settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return {**data, "csrfmiddlewaretoken": CSRF_SECRET}


FORGERIES = {
    "no token": lambda c, data: (data, {}),
    "token without a matching cookie": lambda c, data: (
        {**data, "csrfmiddlewaretoken": "B" * 32},
        {},
    ),
    "valid token, foreign Origin": lambda c, data: (
        with_token(c, data),
        {"HTTP_ORIGIN": "https://evil.example"},
    ),
    "valid token, null Origin": lambda c, data: (with_token(c, data), {"HTTP_ORIGIN": "null"}),
    "valid token, foreign Referer over HTTPS": lambda c, data: (
        with_token(c, data),
        {"HTTP_REFERER": "https://evil.example/page", "secure": True},
    ),
}


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
def test_a_forged_hr_grant_is_403(employer_manager, employee, forgery):
    client = csrf_client(employer_manager)
    data, extra = FORGERIES[forgery](client, {})
    response = client.post(reverse("hr:invitation_grant", args=[employee.pk]), data, **extra)
    assert response.status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
def test_a_forged_birth_date_post_is_403(invited, forgery):
    invitation, token = invited
    client = csrf_client()
    client.get(link_path(token))
    data, extra = FORGERIES[forgery](client, WRONG_DATE)
    assert client.post(ACTIVATE, data, **extra).status_code == 403
    invitation.refresh_from_db()
    assert invitation.failed_attempts == 0


@pytest.mark.parametrize("forgery", ["no token", "valid token, foreign Origin"])
def test_a_forged_credentials_post_is_403(invited, forgery):
    _, token = invited
    client = csrf_client()
    client.get(link_path(token))
    data, extra = FORGERIES[forgery](client, BIRTH_DATE)
    assert client.post(ACTIVATE, data, **extra).status_code == 403
    data, extra = FORGERIES[forgery](client, CREDENTIALS)
    assert client.post(ACCOUNT, data, **extra).status_code == 403
    assert not User.objects.exists()


@pytest.mark.parametrize("login_url", ["portal:login", "hr:login"])
@pytest.mark.parametrize("forgery", ["no token", "valid token, foreign Origin"])
def test_a_forged_login_is_403(account, login_url, forgery):
    """Login CSRF: the victim would be signed in to the attacker's account."""
    client = csrf_client()
    creds = {"username": "anna.bakker", "password": DEFAULT_PASSWORD}
    data, extra = FORGERIES[forgery](client, creds)
    assert client.post(reverse(login_url), data, **extra).status_code == 403
    assert AUTH_SESSION_KEY not in client.session


def test_the_same_requests_pass_with_a_token_from_our_own_origin(employer_manager, employee):
    """The control for the tests above: the 403s are CSRF's, not something else's."""
    client = csrf_client(employer_manager)
    data = with_token(client, {})
    response = client.post(
        reverse("hr:invitation_grant", args=[employee.pk]),
        data,
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(employee=employee).exists()


def test_hr_actions_refuse_get(manager_client, employee, grant):
    for name in ("invitation_grant", "invitation_resend"):
        assert manager_client.get(reverse(f"hr:{name}", args=[employee.pk])).status_code == 405
    assert not Invitation.objects.exists()
    # A destructive action's GET only asks (the confirmation page); nothing changes.
    invitation = grant(employee)
    assert (
        manager_client.get(reverse("hr:invitation_revoke", args=[employee.pk])).status_code == 200
    )
    invitation.refresh_from_db()
    assert invitation.status == "pending"


# --- Open redirects -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "https:evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_the_login_never_redirects_off_site(client, account, target):
    response = client.post(
        reverse("portal:login") + "?next=" + target,
        {"username": "anna.bakker", "password": DEFAULT_PASSWORD, "next": target},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "evil.example" not in location and "javascript" not in location


def test_the_signed_out_page_ignores_a_hostile_reason(client, db):
    response = client.get(reverse("portal:signed_out") + "?reason=<script>alert(1)</script>")
    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content
    assert SESSION_KEY not in client.session
