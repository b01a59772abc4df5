"""Redis down or hung: sessions, sign-in and throttles go on without it, the database being the
record (sessions are written through to it)."""

import logging
import time

import pytest
from django.test import Client
from django.urls import reverse

from invitations.models import Invitation
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.invitations.helpers import (
    ACCOUNT,
    ACTIVATE,
    AFTER_ACTIVATION,
    BIRTH_DATE,
    CREDENTIALS,
    WRONG_DATE,
)
from tests.mfa_helpers import sign_in_with_code


def hr_signs_in(user):
    browser = Client()
    response = sign_in_with_code(browser, "hr:login", user, DEFAULT_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/hr/"
    return browser


def hr_pages(employer, employee):
    return [
        reverse("hr:employee_list", args=[employer.pk]),
        reverse("hr:audit_log", args=[employer.pk]),
        reverse("hr:employee_detail", args=[employee.pk]),
    ]


def test_with_redis_down_hr_signs_in_and_its_pages_answer(
    unreachable_cache, employer_manager, employer, employee
):
    browser = hr_signs_in(employer_manager)
    for page in hr_pages(employer, employee):
        assert browser.get(page).status_code == 200, page
    assert browser.post(reverse("hr:logout")).status_code == 302
    page = browser.get(reverse("hr:employee_list", args=[employer.pk]))
    assert page["Location"].startswith(reverse("hr:login"))  # signed out for real


def test_hr_signed_in_before_redis_went_down_stays_signed_in(
    settings, employer_manager, employer, employee, request
):
    settings.SESSION_ENGINE = "essportal.web.sessions"  # over the local cache, until it fails
    browser = hr_signs_in(employer_manager)
    request.getfixturevalue("unreachable_cache")
    for page in hr_pages(employer, employee):
        assert browser.get(page).status_code == 200, page


def test_with_redis_down_an_employee_signs_in_and_reads_the_portal(unreachable_cache, employee):
    employee.user = UserFactory(username="anna.bakker")
    employee.save(update_fields=["user"])
    browser = Client()
    response = browser.post(
        reverse("portal:login"), {"username": "anna.bakker", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert browser.get(reverse("portal:home")).status_code == 200


def test_with_redis_down_an_employee_activates_and_the_invitation_cap_still_counts(
    unreachable_cache, client, opened
):
    for _ in range(2):
        assert client.post(ACTIVATE, WRONG_DATE).status_code == 200
    opened.refresh_from_db()
    assert opened.failed_attempts == 2
    assert client.post(ACTIVATE, BIRTH_DATE)["Location"] == ACCOUNT
    assert client.post(ACCOUNT, CREDENTIALS)["Location"] == AFTER_ACTIVATION
    assert client.get(reverse("portal:home")).status_code == 200
    assert Invitation.objects.get(pk=opened.pk).status == "accepted"


def test_with_redis_hung_a_signed_in_page_answers_within_two_seconds(
    hung_cache, employer_manager, employer, employee
):
    browser = hr_signs_in(employer_manager)
    for page in hr_pages(employer, employee):
        started = time.monotonic()
        assert browser.get(page).status_code == 200, page
        assert time.monotonic() - started < 2, page


def test_one_outage_is_logged_once_not_per_request(
    unreachable_cache, employer_manager, employer, employee, caplog
):
    caplog.set_level(logging.INFO)
    browser = hr_signs_in(employer_manager)
    for page in hr_pages(employer, employee) * 3:
        browser.get(page)
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1, [r.getMessage() for r in problems]
    assert problems[0].exc_info is None  # a line, not a traceback


def test_the_cache_is_tried_again_later_and_its_return_is_logged(
    unreachable_cache, settings, employer_manager, employer, employee, caplog
):
    settings.CACHE_RETRY_SECONDS = 0
    browser = hr_signs_in(employer_manager)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    caplog.set_level(logging.INFO)
    assert browser.get(reverse("hr:employee_list", args=[employer.pk])).status_code == 200
    assert "Cache reachable again" in caplog.text


@pytest.mark.parametrize("hung", [False, True])
def test_the_account_mail_throttle_still_refuses_when_it_cannot_count(hung, request):
    from essportal.web.throttle import throttle_hit

    request.getfixturevalue("hung_cache" if hung else "unreachable_cache")
    started = time.monotonic()
    assert throttle_hit("account-mail", "198.51.100.7", limit=10, window_seconds=3600) is False
    assert time.monotonic() - started < 2


def test_a_sign_out_while_redis_was_unreachable_stays_signed_out_when_it_answers_again(
    settings, employer_manager, employer
):
    from unittest import mock

    from django.core.cache.backends.locmem import LocMemCache

    settings.SESSION_ENGINE = "essportal.web.sessions"
    settings.CACHE_RETRY_SECONDS = 0
    browser = hr_signs_in(employer_manager)
    stolen_cookie = browser.cookies["sessionid"].value
    page = reverse("hr:employee_list", args=[employer.pk])
    assert browser.get(page).status_code == 200  # the session is in the cache now
    down = ConnectionError("Redis unreachable")
    with (
        mock.patch.object(LocMemCache, "get", side_effect=down),
        mock.patch.object(LocMemCache, "set", side_effect=down),
        mock.patch.object(LocMemCache, "delete", side_effect=down),
    ):
        assert browser.post(reverse("hr:logout")).status_code == 302
    Client().get(reverse("portal:login"))  # any request: the cache answers again
    thief = Client()
    thief.cookies["sessionid"] = stolen_cookie
    assert thief.get(page)["Location"].startswith(reverse("hr:login"))


def test_an_outage_of_redis_as_cache_and_broker_is_told_once_when_it_starts_and_once_when_it_ends(
    unreachable_cache, settings, employer_manager, employer, caplog, on_commit
):
    """Many requests meet the outage (pages, grants that queue mail, forgotten passwords): the
    log gets one line per dependency when the outage starts and one when it ends, no
    traceback, not a line per request."""
    from unittest import mock

    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    from tests.factories import EmployeeFactory

    staff = [EmployeeFactory(employer=employer) for _ in range(4)]
    settings.CACHE_RETRY_SECONDS = 0  # every request tries the cache again, and meets the outage
    caplog.set_level(logging.DEBUG)
    broker_down = mock.patch.object(
        Task, "apply_async", side_effect=OperationalError("Error 111 connecting to redis")
    )
    with broker_down:
        browser = hr_signs_in(employer_manager)
        for employee in staff[:3]:
            assert browser.get(reverse("hr:employee_detail", args=[employee.pk])).status_code == 200
            with on_commit():
                browser.post(reverse("hr:invitation_grant", args=[employee.pk]))
        for _ in range(3):
            Client().post(reverse("portal:forgot_password"), {"email": "nobody@example.test"})
    during = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(" (")[0] for r in during] == [
        "Cache unreachable",
        "Broker unreachable",
    ]
    assert all(r.exc_info is None and r.exc_text is None for r in during)
    assert Invitation.objects.filter(mail_status="queued").count() == 3  # for the sweep

    caplog.clear()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with on_commit():
        browser.post(reverse("hr:invitation_grant", args=[staff[3].pk]))
    browser.get(reverse("hr:employee_list", args=[employer.pk]))
    after = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert sorted(after) == ["Broker reachable again", "Cache reachable again"]
