"""R11's 4 days is a setting: change INVITATION_VALID_DAYS and every page and mail follows."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from invitations.models import Invitation
from invitations.services import invitation_grant
from tests.factories import EmployeeFactory
from tests.invitations.helpers import last_token, link_path

pytestmark = pytest.mark.usefixtures("seven_days")


@pytest.fixture
def seven_days(settings):
    settings.INVITATION_VALID_DAYS = 7
    settings.LANGUAGE_CODE = "nl"


@pytest.fixture
def sent(grant, employee):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC), tick=False):
        invitation = grant(employee)
    invitation.refresh_from_db()
    return invitation, last_token()


def test_the_link_lives_as_many_days_as_the_setting_says(sent):
    invitation, _token = sent
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=7)


def test_the_mail_states_the_last_day_from_the_setting(sent):
    invitation, _token = sent
    valid_until = timezone.localtime(invitation.expires_at)
    assert valid_until.date() == datetime.date(2026, 3, 9)
    assert "09-03-2026" in mail.outbox[-1].body


def test_the_link_works_until_the_last_second_of_the_setting(client, sent):
    invitation, token = sent
    with time_machine.travel(invitation.sent_at + datetime.timedelta(days=7, seconds=-1)):
        assert client.get(link_path(token))["Location"] == "/activate/"


def test_the_expired_link_page_names_the_days_of_the_setting(client, sent):
    invitation, token = sent
    with time_machine.travel(invitation.sent_at + datetime.timedelta(days=7), tick=False):
        response = client.get(link_path(token), follow=True)
    assert response.status_code == 410
    assert "Een uitnodigingslink werkt 7 dagen." in response.content.decode()


def test_the_collective_grant_page_names_the_days_of_the_setting(manager_client, employer):
    EmployeeFactory(employer=employer)  # someone to invite
    response = manager_client.get(reverse("hr:collective_grant", args=[employer.pk]))
    assert "persoonlijke link die 7 dagen geldig is" in response.content.decode()


def test_hr_sees_the_validity_of_a_mail_still_queued_from_the_setting(manager_client, employee):
    invitation_grant(employee=employee)  # not committed: the mail has not gone out yet
    assert Invitation.objects.get(employee=employee).expires_at is None
    response = manager_client.get(reverse("hr:employee_detail", args=[employee.pk]))
    assert "7 dagen na versturen" in response.content.decode()
