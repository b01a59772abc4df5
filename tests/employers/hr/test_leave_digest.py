"""HR's daily mail about new leave requests awaiting a decision."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from employees.models import LeaveRequest
from employers.hr.digest import leave_digest_send
from employers.models import StaffMembership, StaffNotifications
from essportal.celery import app
from tests.employees.factories import LeaveRequestFactory
from tests.factories import EmployeeFactory, MembershipFactory
from tests.mail_backends import FailingBackend

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
MONDAY_MORNING = datetime.datetime(2026, 3, 9, 7, 0, tzinfo=AMSTERDAM)


def _request(employer, *, at, first_name="Anna", **kwargs):
    with time_machine.travel(at, tick=False):
        employee = EmployeeFactory(employer=employer, first_name=first_name, infix="")
        return LeaveRequestFactory(employee=employee, **kwargs)


def _send(at):
    with time_machine.travel(at, tick=False):
        return leave_digest_send()


def _mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_a_manager_gets_one_mail_listing_the_new_requests_of_their_employer(
    employer, employer_manager, other_employer
):
    yesterday = MONDAY_MORNING - datetime.timedelta(hours=12)
    ours = _request(employer, at=yesterday, first_name="Anna")
    _request(employer, at=yesterday, first_name="Bram")
    _request(other_employer, at=yesterday, first_name="Vreemd")
    _request(employer, at=yesterday, first_name="Beslist", status=LeaveRequest.Status.APPROVED)
    _send(MONDAY_MORNING)
    (message,) = _mails_to(employer_manager)
    assert "Anna" in message.body and "Bram" in message.body
    assert "Vreemd" not in message.body and "Beslist" not in message.body
    leave_page = reverse("hr:leave_requests", args=[employer.pk])
    assert settings.SITE_URL + leave_page + "?status=requested" in message.body
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    html, _mimetype = message.alternatives[0]
    assert ours.employee.full_name in html and leave_page in html
    row = StaffNotifications.objects.get(user=employer_manager)
    assert row.leave_digest_sent_at == MONDAY_MORNING


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_only_what_is_new(
    employer, employer_manager
):
    _request(employer, at=MONDAY_MORNING - datetime.timedelta(hours=1), first_name="Anna")
    assert _send(MONDAY_MORNING) == 1
    _request(employer, at=MONDAY_MORNING + datetime.timedelta(hours=2), first_name="Bram")
    assert _send(MONDAY_MORNING + datetime.timedelta(hours=3)) == 0
    assert len(_mails_to(employer_manager)) == 1
    assert _send(MONDAY_MORNING + datetime.timedelta(days=1)) == 1
    second = _mails_to(employer_manager)[1]
    assert "Bram" in second.body and "Anna" not in second.body


def test_no_mail_when_nothing_new_came_in(employer, employer_manager):
    # Came in before the last digest, still waiting: already told.
    _request(employer, at=MONDAY_MORNING - datetime.timedelta(hours=1))
    _send(MONDAY_MORNING)
    mail.outbox.clear()
    assert _send(MONDAY_MORNING + datetime.timedelta(days=1)) == 0
    assert mail.outbox == []


def test_no_mail_when_the_user_switched_it_off(employer, employer_manager):
    StaffNotifications.objects.create(user=employer_manager, leave_digest=False)
    _request(employer, at=MONDAY_MORNING - datetime.timedelta(hours=1))
    assert _send(MONDAY_MORNING) == 0
    assert _mails_to(employer_manager) == []


def test_staff_of_another_employer_hear_nothing_of_ours(employer, outsider):
    _request(employer, at=MONDAY_MORNING - datetime.timedelta(hours=1))
    _send(MONDAY_MORNING)
    assert _mails_to(outsider) == []


def test_read_only_staff_get_no_digest_they_cannot_act_on(employer, employer_viewer):
    _request(employer, at=MONDAY_MORNING - datetime.timedelta(hours=1))
    _send(MONDAY_MORNING)
    assert _mails_to(employer_viewer) == []


def test_provider_staff_get_one_mail_with_a_section_per_employer(
    provider_staff, employer, sister_employer
):
    _request(employer, at=MONDAY_MORNING - datetime.timedelta(hours=1), first_name="Anna")
    _request(sister_employer, at=MONDAY_MORNING - datetime.timedelta(hours=1), first_name="Bram")
    _send(MONDAY_MORNING)
    (message,) = _mails_to(provider_staff)
    assert employer.name in message.body and sister_employer.name in message.body
    assert reverse("hr:leave_requests", args=[sister_employer.pk]) in message.body


def test_no_requests_from_an_employer_without_the_leave_module(employer, employer_manager):
    employer.leave_module = False
    employer.save()
    _request(employer, at=MONDAY_MORNING - datetime.timedelta(hours=1))
    assert _send(MONDAY_MORNING) == 0


def test_the_mail_is_in_the_language_the_user_chose(employer, employer_manager):
    StaffNotifications.objects.create(user=employer_manager, language="en")
    _request(employer, at=MONDAY_MORNING - datetime.timedelta(hours=1))
    _send(MONDAY_MORNING)
    (message,) = _mails_to(employer_manager)
    assert message.subject == "1 new leave request awaiting a decision"


def test_a_mail_that_fails_is_tried_again_on_the_next_run(employer, employer_manager, settings):
    _request(employer, at=MONDAY_MORNING - datetime.timedelta(hours=1))
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"
    FailingBackend.error = OSError("connection refused")
    try:
        assert _send(MONDAY_MORNING) == 0
    finally:
        FailingBackend.error = None
    assert StaffNotifications.objects.get(user=employer_manager).leave_digest_sent_at is None
    assert _send(MONDAY_MORNING + datetime.timedelta(minutes=5)) == 1


def test_the_command_sends_the_same_digest(employer, employer_manager):
    _request(employer, at=MONDAY_MORNING - datetime.timedelta(hours=1))
    with time_machine.travel(MONDAY_MORNING, tick=False):
        call_command("send_leave_digest")
        call_command("send_leave_digest")
    assert len(_mails_to(employer_manager)) == 1


def test_beat_runs_the_digest_task_daily_at_the_configured_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["leave-digest"]
    app.autodiscover_tasks(force=True)  # what the worker does at start
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {settings.LEAVE_DIGEST_HOUR}


# --- The notifications page --------------------------------------------------------------------


def test_the_digest_is_on_until_the_user_switches_it_off(manager_client, employer_manager):
    url = reverse("hr:notifications")
    response = manager_client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["leave_digest"] is True
    response = manager_client.post(url, {"language": "en"})  # the box unticked
    assert response.status_code == 302
    row = StaffNotifications.objects.get(user=employer_manager)
    assert (row.leave_digest, row.language) == (False, "en")


def test_an_unknown_language_is_refused_and_nothing_saved(manager_client, employer_manager):
    response = manager_client.post(
        reverse("hr:notifications"), {"leave_digest": "on", "language": "xx"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["language"]
    assert not StaffNotifications.objects.filter(user=employer_manager).exists()


def test_every_hr_user_reaches_the_page_from_the_top_bar(viewer_client, employer):
    page = viewer_client.get(reverse("hr:employee_list", args=[employer.pk])).content.decode()
    assert reverse("hr:notifications") in page


def test_one_users_setting_does_not_touch_anothers(manager_client, employer):
    colleague = MembershipFactory(employer=employer, role=StaffMembership.Role.MANAGER).user
    manager_client.post(reverse("hr:notifications"), {"language": "nl"})
    assert not StaffNotifications.objects.filter(user=colleague).exists()
