"""Signing in afterwards: login, lockout, logout, idle timeout, forgotten password/username,
change password, and HR blocking."""

import datetime
import re
import time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from employers.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD, EmployeeFactory, UserFactory


@pytest.fixture
def account(employee):
    employee.user = UserFactory(username="anna.bakker")
    employee.save()
    return employee.user


@pytest.fixture
def employee_client(db):
    """The employee's own browser, apart from HR's."""
    from django.test import Client

    return Client()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def _run():
        return django_capture_on_commit_callbacks(execute=True)

    return _run


def login(client, username="anna.bakker", password=DEFAULT_PASSWORD, **extra):
    return client.post(
        reverse("portal:login"), {"username": username, "password": password}, **extra
    )


def test_an_employee_signs_in_case_insensitively(client, account):
    response = login(client, username="Anna.Bakker")
    assert response["Location"] == reverse("portal:home")


def test_signing_in_rotates_the_session(client, account):
    client.get(reverse("portal:login"))
    client.cookies["sessionid"] = "attacker-chosen-session-key"
    login(client)
    assert client.cookies["sessionid"].value != "attacker-chosen-session-key"


def test_repeated_failed_logins_lock_out(client, account, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, password="wrong password")
    response = login(client)  # even the right password is refused now
    assert response.status_code in (403, 429)
    assert b"Too many attempts" in response.content or response.status_code == 429


def test_logout_is_a_post_and_shows_the_signed_out_page(client, account):
    login(client)
    assert client.get(reverse("portal:logout")).status_code == 405
    response = client.post(reverse("portal:logout"))
    assert response["Location"] == reverse("portal:signed_out")
    assert client.get(reverse("portal:details"))["Location"].startswith(reverse("portal:login"))


@pytest.mark.usefixtures("database_sessions")
def test_after_30_idle_minutes_the_employee_is_told_they_were_signed_out(client, account):
    login(client)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=30, seconds=1)):
        response = client.get(reverse("portal:home"))
    assert response["Location"] == reverse("portal:signed_out") + "?reason=timeout"


def test_with_redis_an_idle_session_also_ends_in_the_cache(client, account, settings):
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.cached_db":
        pytest.skip("sessions are read from Redis only when REDIS_URL is set")
    settings.SESSION_COOKIE_AGE = 1  # Redis expires keys on its own clock: wait for real
    login(client)
    time.sleep(1.5)
    response = client.get(reverse("portal:home"))
    assert response["Location"] == reverse("portal:signed_out") + "?reason=timeout"


def test_activity_within_30_minutes_keeps_the_session(client, account):
    login(client)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=29)):
        assert client.get(reverse("portal:home")).status_code == 200


def test_hr_staff_without_employee_record_cannot_use_the_portal(client, employer_manager):
    client.force_login(employer_manager)
    assert client.get(reverse("portal:home")).status_code == 403


def reset_link():
    return re.search(r"https://portal\.example\.test(/reset/[^\s]+/)", mail.outbox[-1].body)[1]


def test_forgot_password_mails_a_link_that_sets_a_new_password(client, account, on_commit):
    with on_commit():
        response = client.post(reverse("portal:forgot_password"), {"email": account.employee.email})
    assert response["Location"] == reverse("portal:login")
    assert len(mail.outbox) == 1 and "anna.bakker" in mail.outbox[0].body
    follow = client.get(reset_link(), follow=True)
    form_url = follow.redirect_chain[-1][0]
    new = "zonnige ochtend aan zee"
    done = client.post(form_url, {"password1": new, "password2": new})
    assert done["Location"] == reverse("portal:login")
    account.refresh_from_db()
    assert account.check_password(new)
    # The link works once.
    assert client.get(reset_link(), follow=True).context["validlink"] is False


def test_the_new_password_follows_the_rules(client, account, on_commit):
    with on_commit():
        client.post(reverse("portal:forgot_password"), {"email": account.employee.email})
    form_url = client.get(reset_link(), follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"password1": "short", "password2": "short"})
    assert "password1" in response.context["form"].errors


def test_the_reset_link_expires_after_an_hour(client, account, on_commit):
    with on_commit():
        client.post(reverse("portal:forgot_password"), {"email": account.employee.email})
    # A timestamp, not an aware datetime: Django's reset tokens use naive local time, and
    # travelling to a UTC datetime would also move the local time zone.
    with time_machine.travel(time.time() + 3605):
        assert client.get(reset_link(), follow=True).context["validlink"] is False


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, db, on_commit):
    with on_commit():
        response = client.post(reverse("portal:forgot_password"), {"email": "nobody@example.test"})
    assert response["Location"] == reverse("portal:login")
    assert not mail.outbox


def test_forgot_username_mails_the_username(client, account, on_commit):
    with on_commit():
        client.post(reverse("portal:forgot_username"), {"email": account.employee.email.upper()})
    assert len(mail.outbox) == 1 and "anna.bakker" in mail.outbox[0].body


def test_the_reset_mail_task_carries_only_ids(account, on_commit):
    from unittest import mock

    from employees.accounts.recovery import account_recovery_send
    from employees.mails import send_employee_mail

    with mock.patch.object(send_employee_mail, "delay") as delay, on_commit():
        account_recovery_send(kind="password_reset", email=account.employee.email)
    (args,) = [call.args for call in delay.call_args_list]
    assert args == ("password_reset", account.employee.pk, {})


def test_change_password_keeps_this_session_signed_in(client, account):
    login(client)
    new = "paarse olifanten op ijs"
    response = client.post(
        reverse("portal:change_password"),
        {"old_password": DEFAULT_PASSWORD, "password1": new, "password2": new},
    )
    assert response["Location"] == reverse("portal:account")
    assert client.get(reverse("portal:account")).status_code == 200
    account.refresh_from_db()
    assert account.check_password(new)


def test_change_password_needs_the_current_one(client, account):
    login(client)
    new = "paarse olifanten op ijs"
    response = client.post(
        reverse("portal:change_password"),
        {"old_password": "wrong", "password1": new, "password2": new},
    )
    assert "old_password" in response.context["form"].errors


def test_hr_blocks_an_account_which_ends_its_sessions_and_mails_the_employee(
    employee_client, manager_client, account, on_commit
):
    employee = account.employee
    login(employee_client)
    with on_commit():
        manager_client.post(reverse("hr:account_block", args=[employee.pk]))
    account.refresh_from_db()
    assert not account.is_active
    assert employee_client.get(reverse("portal:details")).status_code == 302  # the session is gone
    assert login(employee_client).status_code == 200  # and signing in fails
    assert "blocked" in mail.outbox[-1].subject or "geblokkeerd" in mail.outbox[-1].subject
    assert AuditEvent.objects.filter(employee=employee, action="blocked").exists()


def test_unblocking_restores_the_same_credentials(
    manager_client, employee_client, account, on_commit
):
    employee = account.employee
    with on_commit():
        manager_client.post(reverse("hr:account_block", args=[employee.pk]))
        manager_client.post(reverse("hr:account_unblock", args=[employee.pk]))
    assert login(employee_client)["Location"] == reverse("portal:home")
    assert AuditEvent.objects.filter(employee=employee, action="unblocked").exists()


def test_leaving_employment_does_not_block(client, account):
    employee = account.employee
    employee.end_date = datetime.date(2025, 12, 31)
    employee.save()
    assert login(client)["Location"] == reverse("portal:home")


def test_hr_mails_an_employee_their_username(manager_client, account, on_commit):
    with on_commit():
        manager_client.post(reverse("hr:account_send_username", args=[account.employee.pk]))
    assert "anna.bakker" in mail.outbox[-1].body


ACCOUNT_ACTIONS = ["account_block", "account_unblock", "account_send_username"]


@pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
def test_account_actions_on_another_employers_employee_are_404(
    manager_client, other_employee, action
):
    assert manager_client.post(reverse(f"hr:{action}", args=[other_employee.pk])).status_code == 404


@pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
def test_account_actions_need_the_manager_role(viewer_client, account, action):
    assert (
        viewer_client.post(reverse(f"hr:{action}", args=[account.employee.pk])).status_code == 403
    )


def test_collective_block_blocks_accounts_of_people_who_left_before_a_date(
    manager_client, employer, on_commit
):
    left = EmployeeFactory(
        employer=employer, end_date=datetime.date(2024, 6, 30), user=UserFactory()
    )
    recent = EmployeeFactory(
        employer=employer, end_date=datetime.date(2026, 6, 30), user=UserFactory()
    )
    staying = EmployeeFactory(employer=employer, user=UserFactory())
    url = reverse("hr:collective_block", args=[employer.pk])
    preview = manager_client.get(url + "?left_before=01-01-2025")
    assert preview.context["count"] == 1
    with on_commit():
        manager_client.post(url, {"left_before": "01-01-2025"})
    for employee, active in ((left, False), (recent, True), (staying, True)):
        employee.user.refresh_from_db()
        assert employee.user.is_active is active
    unblock = reverse("hr:collective_unblock", args=[employer.pk])
    assert manager_client.get(unblock).context["count"] == 1
    with on_commit():
        manager_client.post(unblock)
    left.user.refresh_from_db()
    assert left.user.is_active


@pytest.mark.parametrize("name", ["collective_block", "collective_unblock"])
def test_collective_block_is_404_for_outsiders(outsider_client, employer, name):
    assert outsider_client.post(reverse(f"hr:{name}", args=[employer.pk])).status_code == 404


@pytest.mark.parametrize("name", ["collective_block", "collective_unblock"])
def test_collective_block_is_403_for_viewers(viewer_client, employer, name):
    assert viewer_client.post(reverse(f"hr:{name}", args=[employer.pk])).status_code == 403


@pytest.mark.usefixtures("database_sessions")
def test_the_idle_timeout_counts_from_the_last_page_viewed(client, account):
    login(client)
    start = timezone.now()
    with time_machine.travel(start + datetime.timedelta(minutes=20)):
        assert client.get(reverse("portal:home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=45)):
        assert client.get(reverse("portal:home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=45 + 31)):
        response = client.get(reverse("portal:home"))
    assert response["Location"] == reverse("portal:signed_out") + "?reason=timeout"


def test_pages_viewed_within_a_minute_do_not_rewrite_the_session(client, account):
    from django.contrib.sessions.models import Session

    login(client)
    client.get(reverse("portal:home"))
    before = Session.objects.get().expire_date
    client.get(reverse("portal:home"))
    assert Session.objects.get().expire_date == before


def test_a_dead_reset_link_is_explained_at_an_address_without_its_token(client, account, on_commit):
    """Like a dead invitation link: the token must not linger in the address bar, the logs or
    the page's language switch (whose `next` is the page's own address)."""
    with on_commit():
        client.post(reverse("portal:forgot_password"), {"email": account.employee.email})
    link = reset_link()
    token = link.rstrip("/").rsplit("/", 1)[1]
    with time_machine.travel(time.time() + 3605):
        response = client.get(link)
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:password_reset_invalid")
        page = client.get(response["Location"])
    assert page.status_code == 410
    assert page.context["validlink"] is False
    assert token not in page.content.decode()


def test_the_lockout_page_names_the_cool_off_of_the_setting(client, account, settings):
    settings.AXES_COOLOFF_TIME = 30 / 60
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("portal:login"), {"username": account.username, "password": "wrong guess"}
        )
    assert "30 minuten" in response.content.decode()


@pytest.mark.parametrize("left_before", ["", "31-02-2025", "gisteren", "01-01-20251"])
def test_a_collective_block_with_a_date_it_cannot_read_blocks_nobody(
    manager_client, employer, left_before
):
    """Falling back to today would block everyone who ever left: an error instead."""
    left = EmployeeFactory(
        employer=employer, end_date=datetime.date(2024, 6, 30), user=UserFactory()
    )
    url = reverse("hr:collective_block", args=[employer.pk])
    response = manager_client.post(url, {"left_before": left_before})
    assert response.status_code == 400
    assert response.context["form"].errors
    left.user.refresh_from_db()
    assert left.user.is_active
    assert manager_client.get(url, {"left_before": left_before}).context["count"] == 0
