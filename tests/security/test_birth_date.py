"""Guessing the birth date: hostile input, the cap of five, parallel guesses, throttling."""

import datetime
import threading

import pytest
from django.db import connection, connections

from employers.models import AuditEvent
from invitations.acceptance import LinkState, invitation_check_birth_date
from tests.factories import EmployeeFactory
from tests.invitations.helpers import ACCOUNT, ACTIVATE, BIRTH_DATE, WRONG_DATE, sent_invitation

CAP = 5

HOSTILE = {
    "30 February": {"day": "30", "month": "02", "year": "1985"},
    "29 February of a common year": {"day": "29", "month": "2", "year": "1985"},
    "year 0000": {"day": "14", "month": "3", "year": "0000"},
    "year 1899": {"day": "14", "month": "3", "year": "1899"},
    "day 00": {"day": "00", "month": "3", "year": "1985"},
    "negative day": {"day": "-1", "month": "3", "year": "1985"},
    "negative year": {"day": "14", "month": "3", "year": "-985"},
    "plus sign": {"day": "+4", "month": "3", "year": "1985"},
    "huge day": {"day": "9" * 100_000, "month": "3", "year": "1985"},
    "huge year": {"day": "14", "month": "3", "year": "1" * 1_000_000},
    "Devanagari digits": {"day": "१४", "month": "3", "year": "1985"},
    "mathematical bold digits": {"day": "𝟏𝟒", "month": "3", "year": "1985"},
    "superscript digits": {"day": "¹⁴", "month": "3", "year": "1985"},
    "space inside": {"day": "1 4", "month": "3", "year": "1985"},
    "zero-width space": {"day": "\u200b14", "month": "3", "year": "1985"},
    "NUL inside": {"day": "1\x004", "month": "3", "year": "1985"},
    "NUL only": {"day": "\x00", "month": "\x00", "year": "\x00"},
    "float": {"day": "14", "month": "3", "year": "19.5"},
    "exponent": {"day": "14", "month": "3", "year": "2e3"},
    "hex": {"day": "0xE", "month": "3", "year": "1985"},
    "SQL": {"day": "1' OR '1'='1", "month": "3", "year": "1985"},
    "one field as the whole date": {"day": "14-03-1985", "month": "", "year": ""},
}


@pytest.mark.parametrize("name", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_date_is_a_form_error_and_no_attempt(client, opened, name):
    response = client.post(ACTIVATE, HOSTILE[name])
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["attempts_left"] is None
    opened.refresh_from_db()
    assert opened.failed_attempts == 0 and opened.status == "pending"
    assert not AuditEvent.objects.filter(action="birth_date_wrong").exists()


def test_repeated_parameters_never_test_two_dates_in_one_request(client, opened):
    """day=14&day=15: Django takes one value (the last); one request is at most one guess."""
    body = "day=14&day=15&day=16&month=3&month=4&year=1985&year=1986"
    response = client.post(ACTIVATE, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    opened.refresh_from_db()
    assert opened.failed_attempts <= 1
    assert AuditEvent.objects.filter(action="birth_date_wrong").count() <= 1
    assert ACCOUNT not in response.get("Location", "")


def test_the_right_date_hidden_among_repeated_parameters_does_not_pass(client, opened):
    body = "day=14&day=15&month=3&year=1985"  # 14-03-1985 is right, but 15 is what counts
    response = client.post(ACTIVATE, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "onboarding_birth_date_ok" not in client.session


def test_thousands_of_fields_are_refused_without_a_500_and_without_an_attempt(client, opened):
    body = "&".join(f"day={d % 31 + 1}" for d in range(3000)) + "&month=3&year=1985"
    response = client.post(ACTIVATE, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    opened.refresh_from_db()
    assert opened.failed_attempts == 0


def test_a_birth_date_posted_as_json_is_no_attempt(client, opened):
    response = client.post(ACTIVATE, BIRTH_DATE, content_type="application/json")
    assert response.status_code == 200
    assert "onboarding_birth_date_ok" not in client.session
    opened.refresh_from_db()
    assert opened.failed_attempts == 0


def test_the_sixth_to_tenth_wrong_dates_are_not_evaluated(client, opened):
    for _ in range(CAP):
        client.post(ACTIVATE, WRONG_DATE)
    opened.refresh_from_db()
    assert opened.status == "locked" and opened.failed_attempts == CAP
    for attempt in range(6, 11):
        date = {**WRONG_DATE, "day": str(attempt)}
        response = client.post(ACTIVATE, date)
        assert response.status_code == 410
        assert response.context["state"] == LinkState.LOCKED
    opened.refresh_from_db()
    assert opened.status == "locked" and opened.failed_attempts == CAP
    assert AuditEvent.objects.filter(action="birth_date_wrong").count() == CAP
    assert AuditEvent.objects.filter(action="locked").count() == 1


def test_the_service_itself_stops_counting_at_the_cap(opened):
    results = [
        invitation_check_birth_date(invitation_id=opened.pk, birth_date=datetime.date(1985, 3, day))
        for day in range(1, 11)
        if day != 14
    ]
    assert not any(r.correct for r in results)
    opened.refresh_from_db()
    assert opened.failed_attempts == CAP and opened.status == "locked"
    right = invitation_check_birth_date(
        invitation_id=opened.pk, birth_date=datetime.date(1985, 3, 14)
    )
    assert not right.correct and right.state == LinkState.LOCKED


def test_a_spoofed_forwarded_for_header_does_not_escape_the_address_throttle(
    client, opened, settings
):
    settings.BIRTH_DATE_ATTEMPTS_PER_ADDRESS_PER_HOUR = 2
    for n in range(2):
        client.post(
            ACTIVATE, WRONG_DATE, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        )
    response = client.post(
        ACTIVATE, BIRTH_DATE, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert response.status_code == 429
    assert "onboarding_birth_date_ok" not in client.session


@pytest.mark.integration
def test_parallel_wrong_dates_evaluate_no_more_than_the_cap(transactional_db, employer):
    if connection.vendor != "postgresql":
        pytest.skip("row-level races are proven on PostgreSQL (make test-integration)")
    employee = EmployeeFactory(employer=employer)
    invitation = sent_invitation(employee, token_hash="f" * 64)
    n = 12
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def guess(i):
        try:
            barrier.wait()
            results[i] = invitation_check_birth_date(
                invitation_id=invitation.pk,
                birth_date=datetime.date(1970, 1, 1) + datetime.timedelta(days=i),
            )
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(isinstance(r, Exception) for r in results), results
    invitation.refresh_from_db()
    assert invitation.failed_attempts == CAP and invitation.status == "locked"
    assert AuditEvent.objects.filter(action="birth_date_wrong").count() == CAP
    assert AuditEvent.objects.filter(action="locked").count() == 1
    evaluated = [r for r in results if r.attempts_left > 0 or r.state == LinkState.VALID]
    assert len(evaluated) == CAP - 1  # the fifth wrong one answers "locked", like the rest
