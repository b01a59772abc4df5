"""Activation (R8–R10): birth date, credentials, automatic login."""

import datetime
import threading

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.db import connection, connections
from django.urls import reverse

from employers.models import AuditEvent
from essportal.models import User
from invitations.models import Invitation
from invitations.services import invitation_resend, invitation_revoke
from tests.factories import EmployeeFactory, UserFactory
from tests.invitations.helpers import (
    BIRTH_DATE,
    CREDENTIALS,
    WRONG_DATE,
    last_token,
    link_path,
    sent_invitation,
)

ACTIVATE = "/activate/"
ACCOUNT = "/activate/account/"


def test_the_birth_date_form_shows_nothing_personal(client, opened, employee):
    page = client.get(ACTIVATE).content.decode()
    assert employee.first_name not in page and employee.last_name not in page
    assert 'name="day"' in page and 'name="month"' in page and 'name="year"' in page


def test_without_an_opened_link_the_steps_say_the_link_is_not_valid(client, db):
    assert client.get(ACTIVATE).status_code == 404
    assert client.get(ACCOUNT).status_code == 404


def test_a_right_birth_date_moves_on_to_the_credentials(client, opened):
    response = client.post(ACTIVATE, BIRTH_DATE)
    assert response["Location"] == ACCOUNT
    assert client.get(ACCOUNT).status_code == 200


def test_the_credentials_step_needs_the_birth_date_first(client, opened):
    assert client.get(ACCOUNT)["Location"] == ACTIVATE
    assert client.post(ACCOUNT, CREDENTIALS)["Location"] == ACTIVATE
    assert not User.objects.filter(username="anna.bakker").exists()


def test_a_wrong_birth_date_says_how_many_attempts_remain(client, opened):
    response = client.post(ACTIVATE, WRONG_DATE)
    assert response.status_code == 200
    assert response.context["attempts_left"] == 4
    opened.refresh_from_db()
    assert opened.failed_attempts == 1
    assert AuditEvent.objects.filter(action="birth_date_wrong").count() == 1


def test_the_fifth_wrong_birth_date_locks_the_invitation(client, opened):
    for expected_left in (4, 3, 2, 1):
        assert client.post(ACTIVATE, WRONG_DATE).context["attempts_left"] == expected_left
    response = client.post(ACTIVATE, WRONG_DATE)
    assert response.context["state"] == "locked"
    opened.refresh_from_db()
    assert opened.status == "locked" and opened.failed_attempts == 5
    assert AuditEvent.objects.filter(action="locked").count() == 1
    # Even the right date no longer helps: HR must resend.
    assert client.post(ACTIVATE, BIRTH_DATE).context["state"] == "locked"


def test_a_right_date_after_four_wrong_ones_still_works(client, opened):
    for _ in range(4):
        client.post(ACTIVATE, WRONG_DATE)
    assert client.post(ACTIVATE, BIRTH_DATE)["Location"] == ACCOUNT


@pytest.mark.parametrize(
    "data",
    [
        {"day": "31", "month": "2", "year": "1985"},
        {"day": "30", "month": "02", "year": "1985"},
        {"day": "0", "month": "1", "year": "1985"},
        {"day": "1", "month": "13", "year": "1985"},
        {"day": "1", "month": "1", "year": "0000"},
        {"day": "1", "month": "1", "year": "85"},
        {"day": "1", "month": "1", "year": "2999"},
        {"day": "x", "month": "1", "year": "1985"},
        {"day": "١٤", "month": "3", "year": "1985"},  # Arabic-Indic digits
        {"day": "１４", "month": "3", "year": "1985"},  # full-width digits
        {"day": "1" * 10_000, "month": "3", "year": "1985"},
        {"day": "", "month": "", "year": ""},
        {"month": "3", "year": "1985"},
    ],
)
def test_an_impossible_date_is_an_input_error_not_a_wrong_answer(client, opened, data):
    response = client.post(ACTIVATE, data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["attempts_left"] is None
    opened.refresh_from_db()
    assert opened.failed_attempts == 0


def test_the_credentials_step_creates_the_account_and_signs_in(client, opened, employee):
    client.post(ACTIVATE, BIRTH_DATE)
    session_key_before = client.session.session_key
    response = client.post(ACCOUNT, CREDENTIALS)
    # Signed in; an optional step offers a passkey first (employees.mfa).
    assert response["Location"] == reverse("mfa:passkey_offer")
    employee.refresh_from_db()
    user = employee.user
    assert user.username == "anna.bakker" and user.check_password(CREDENTIALS["password1"])
    assert user.password.startswith("argon2$argon2id$")
    assert client.session[AUTH_SESSION_KEY] == str(user.pk)
    assert client.session.session_key != session_key_before  # rotated
    assert "onboarding_invitation_id" not in client.session
    assert "onboarding_birth_date_ok" not in client.session
    opened.refresh_from_db()
    assert opened.status == "accepted"
    assert AuditEvent.objects.filter(employee=employee, action="activated").exists()
    home = client.get(reverse("portal:home"), follow=True)
    assert home.status_code == 200


@pytest.mark.parametrize("taken", ["anna.bakker", "Anna.Bakker", "ANNA.BAKKER"])
def test_usernames_are_unique_regardless_of_case(client, opened, taken):
    UserFactory(username=taken)
    client.post(ACTIVATE, BIRTH_DATE)
    response = client.post(ACCOUNT, CREDENTIALS)
    assert "username" in response.context["form"].errors
    opened.refresh_from_db()
    assert opened.status == "pending"


@pytest.mark.parametrize(
    "username",
    ["ab", "a" * 151, "anna bakker", "anna<script>", "ánna", "admin", "Root", "an\x00na"],
)
def test_bad_usernames_are_refused_with_a_reason(client, opened, username):
    client.post(ACTIVATE, BIRTH_DATE)
    response = client.post(ACCOUNT, {**CREDENTIALS, "username": username})
    assert "username" in response.context["form"].errors
    assert not User.objects.exists() or not User.objects.filter(username=username).exists()


@pytest.mark.parametrize(
    "password, ok",
    [
        ("a" * 11, False),
        ("kikkers dansen", True),  # 14 characters, no composition rules
        ("x7!kQ2#mZp9&", True),  # exactly 12
        ("x7!kQ2#mZp9", False),  # 11
        ("w" * 30 + "q" * 34, True),  # 64
        ("kikker" * 21 + "ab", True),  # 128
        ("password1234", False),  # common
        ("annabakker2024!", False),  # the name
        ("14031985abcdef", False),  # the birth date
        ("bakkerij jansen rules", False),  # the employer
        ("123456789012345", False),  # numeric only
        ("x" * 257, False),
    ],
)
def test_the_password_rules(client, opened, password, ok):
    client.post(ACTIVATE, BIRTH_DATE)
    response = client.post(ACCOUNT, {**CREDENTIALS, "password1": password, "password2": password})
    assert (response.status_code == 302) is ok, response.context and response.context["form"].errors


@pytest.mark.usefixtures("large_request_bodies")
def test_a_one_megabyte_password_is_refused_fast(client, opened):
    import time

    client.post(ACTIVATE, BIRTH_DATE)
    huge = "p" * 1_000_000
    start = time.monotonic()
    response = client.post(ACCOUNT, {**CREDENTIALS, "password1": huge, "password2": huge})
    assert time.monotonic() - start < 2
    assert "password1" in response.context["form"].errors


def test_different_passwords_are_refused(client, opened):
    client.post(ACTIVATE, BIRTH_DATE)
    response = client.post(ACCOUNT, {**CREDENTIALS, "password2": "something else entirely"})
    assert "password2" in response.context["form"].errors


@pytest.mark.parametrize("step", [ACTIVATE, ACCOUNT])
@pytest.mark.parametrize("change", ["revoke", "resend", "expire", "lock", "use"])
def test_every_step_rechecks_the_invitation(client, opened, employee, step, change, on_commit):
    client.post(ACTIVATE, BIRTH_DATE)
    if change == "revoke":
        invitation_revoke(employee=employee)
    elif change == "resend":
        with on_commit():
            invitation_resend(employee=employee)
    elif change == "lock":
        Invitation.objects.filter(pk=opened.pk).update(status="locked")
    elif change == "use":
        Invitation.objects.filter(pk=opened.pk).update(status="accepted")
    travel = opened.expires_at + datetime.timedelta(seconds=1)
    with time_machine.travel(travel if change == "expire" else datetime.datetime.now(datetime.UTC)):
        data = BIRTH_DATE if step == ACTIVATE else CREDENTIALS
        response = client.post(step, data)
    assert response.status_code in (404, 410)
    assert not User.objects.filter(username="anna.bakker").exists()


OFFICE = "198.51.100.9"


def _colleague_with_an_opened_link(employer, grant):
    """Another employee of the office, whose own browser opened their own link."""
    from django.test import Client

    colleague = EmployeeFactory(employer=employer)
    grant(colleague)
    browser = Client()
    browser.get(link_path(last_token()))
    return colleague, browser


def test_wrong_birth_dates_over_the_address_limit_are_refused_without_being_evaluated(
    client, opened, settings, employer, grant
):
    settings.BIRTH_DATE_ATTEMPTS_PER_ADDRESS_PER_HOUR = 3
    for _ in range(3):
        client.post(ACTIVATE, WRONG_DATE, REMOTE_ADDR=OFFICE)
    colleague, browser = _colleague_with_an_opened_link(employer, grant)
    response = browser.post(ACTIVATE, WRONG_DATE, REMOTE_ADDR=OFFICE)
    assert response.status_code == 429
    invitation = Invitation.objects.get(employee=colleague)
    assert invitation.failed_attempts == 0
    assert not AuditEvent.objects.filter(action="birth_date_wrong", employee=colleague).exists()


def test_right_birth_dates_do_not_count_against_the_address_even_at_its_last_wrong_answer(
    client, opened, settings, employer, grant
):
    settings.BIRTH_DATE_ATTEMPTS_PER_ADDRESS_PER_HOUR = 3
    for _ in range(2):  # one wrong answer left for this address
        client.post(ACTIVATE, WRONG_DATE, REMOTE_ADDR=OFFICE)
    for _ in range(5):
        colleague, browser = _colleague_with_an_opened_link(employer, grant)
        response = browser.post(ACTIVATE, BIRTH_DATE, REMOTE_ADDR=OFFICE)
        assert response["Location"] == ACCOUNT
    # The last wrong answer is still evaluated (and counted against its invitation) ...
    response = client.post(ACTIVATE, WRONG_DATE, REMOTE_ADDR=OFFICE)
    assert response.status_code == 200 and response.context["attempts_left"] == 2
    opened.refresh_from_db()
    assert opened.failed_attempts == 3
    # ... and with it the address has used its limit: the next answer is not evaluated.
    colleague, browser = _colleague_with_an_opened_link(employer, grant)
    assert browser.post(ACTIVATE, WRONG_DATE, REMOTE_ADDR=OFFICE).status_code == 429
    assert Invitation.objects.get(employee=colleague).failed_attempts == 0


def test_fifty_colleagues_behind_one_office_address_all_activate(employer, grant, settings):
    settings.BIRTH_DATE_ATTEMPTS_PER_ADDRESS_PER_HOUR = 30
    for n in range(50):
        colleague, browser = _colleague_with_an_opened_link(employer, grant)
        if n % 10 == 0:  # a few mistype their birth date first
            browser.post(ACTIVATE, WRONG_DATE, REMOTE_ADDR=OFFICE)
        response = browser.post(ACTIVATE, BIRTH_DATE, REMOTE_ADDR=OFFICE)
        assert response["Location"] == ACCOUNT, n
        credentials = {**CREDENTIALS, "username": f"collega.{n}"}
        response = browser.post(ACCOUNT, credentials, REMOTE_ADDR=OFFICE)
        assert response.status_code == 302, n
    assert User.objects.filter(username__startswith="collega.").count() == 50


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def _run():
        return django_capture_on_commit_callbacks(execute=True)

    return _run


@pytest.mark.integration
def test_two_simultaneous_activations_make_one_account(transactional_db, employer):
    if connection.vendor != "postgresql":
        pytest.skip("row-level races are proven on PostgreSQL (make test-integration)")

    from invitations.acceptance import invitation_accept

    employee = EmployeeFactory(employer=employer)
    invitation = sent_invitation(employee)
    barrier = threading.Barrier(2)
    results = []

    def activate(name):
        try:
            barrier.wait()
            results.append(
                invitation_accept(
                    invitation_id=invitation.pk, username=name, password="lange wachtzin hier"
                )
            )
        except Exception as exc:  # noqa: BLE001
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=activate, args=(n,)) for n in ("eerste", "tweede")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(isinstance(r, User) for r in results) == 1
    assert User.objects.count() == 1
    employee.refresh_from_db()
    assert employee.user is not None
