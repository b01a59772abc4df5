"""Opening the link from the mail (R8, R11, R14, R15)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from employers.models import AuditEvent
from invitations.activation.link import SESSION_KEY
from invitations.models import Invitation
from invitations.services import invitation_resend, invitation_revoke
from tests.invitations.helpers import last_token, link_path


@pytest.fixture
def sent(grant, employee):
    """An employee with a freshly mailed invitation: (invitation, raw token)."""
    invitation = grant(employee)
    invitation.refresh_from_db()
    return invitation, last_token()


def test_a_valid_link_moves_the_token_out_of_the_url(client, sent):
    invitation, token = sent
    response = client.get(link_path(token))
    assert response.status_code == 302
    assert response["Location"] == "/activate/"
    assert token not in response["Location"]
    assert client.session[SESSION_KEY] == invitation.pk


def test_opening_a_link_changes_nothing(client, sent):
    invitation, token = sent
    before = Invitation.objects.values().get(pk=invitation.pk)
    events = AuditEvent.objects.count()
    for _ in range(3):
        client.get(link_path(token))
    client.head(link_path(token))
    assert Invitation.objects.values().get(pk=invitation.pk) == before
    assert AuditEvent.objects.count() == events


def test_posting_to_a_link_is_not_allowed(client, sent):
    _, token = sent
    assert client.post(link_path(token)).status_code == 405


def test_the_link_is_valid_until_the_last_second_of_day_four(client, sent):
    invitation, token = sent
    just_before = invitation.sent_at + datetime.timedelta(days=3, hours=23, minutes=59, seconds=59)
    with time_machine.travel(just_before, tick=False):
        assert client.get(link_path(token))["Location"] == "/activate/"


def test_the_link_has_expired_one_second_after_four_days(client, sent):
    invitation, token = sent
    with time_machine.travel(
        invitation.sent_at + datetime.timedelta(days=4, seconds=1), tick=False
    ):
        response = client.get(link_path(token), follow=True)
    assert response.status_code == 410
    assert response.context["state"] == "expired"
    assert SESSION_KEY not in client.session


def test_a_revoked_link_says_it_was_withdrawn_and_whom_to_ask(client, sent, employee):
    _, token = sent
    invitation_revoke(employee=employee)
    response = client.get(link_path(token), follow=True)
    assert response.context["state"] == "revoked"
    assert employee.employer.contact_email in response.content.decode()


def test_after_a_resend_the_old_link_points_to_the_latest_mail(client, sent, employee, on_commit):
    _, old_token = sent
    with on_commit():
        invitation_resend(employee=employee)
    new_token = last_token()
    assert new_token != old_token
    assert client.get(link_path(old_token), follow=True).context["state"] == "superseded"
    assert client.get(link_path(new_token))["Location"] == "/activate/"


def test_a_used_link_points_to_the_login_page(client, sent):
    invitation, token = sent
    Invitation.objects.filter(pk=invitation.pk).update(status="accepted")
    response = client.get(link_path(token), follow=True)
    assert response.context["state"] == "used"
    assert "/login/" in response.content.decode()


def test_a_locked_link_says_so(client, sent):
    invitation, token = sent
    Invitation.objects.filter(pk=invitation.pk).update(status="locked", failed_attempts=5)
    assert client.get(link_path(token), follow=True).context["state"] == "locked"


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "x" * 42,
        "x" * 44,
        "x" * 5000,
        "A" * 42 + "!",
        "A" * 42 + "%00",
        "A" * 42 + "é",
        "A" * 41 + "==",
        "A" * 43,  # well formed, unknown
    ],
)
def test_a_malformed_or_unknown_token_gets_one_plain_page(client, sent, token):
    response = client.get(link_path(token), follow=True)
    assert response.status_code == 404
    assert response.context["state"] == "invalid"
    assert "Anna" not in response.content.decode()


def test_no_link_page_reveals_anything_about_the_employee(client, sent, employee):
    invitation, token = sent
    employee.first_name, employee.last_name = "Zwaantje", "Quist"
    employee.save()
    for status in ["revoked", "superseded", "accepted", "locked", "expired"]:
        Invitation.objects.filter(pk=invitation.pk).update(status=status)
        page = client.get(link_path(token), follow=True).content.decode()
        assert employee.first_name not in page and employee.last_name not in page
        assert employee.email not in page


def test_an_altered_token_is_not_valid(client, sent):
    _, token = sent
    altered = ("B" if token[0] != "B" else "C") + token[1:]
    assert client.get(link_path(altered), follow=True).status_code == 404


def test_link_pages_are_not_cached(client, sent):
    _, token = sent
    assert "no-store" in client.get(link_path(token))["Cache-Control"]
    assert "no-store" in client.get(link_path("x"))["Cache-Control"]
    assert "no-store" in client.get(link_path("x"), follow=True)["Cache-Control"]


def test_a_queued_invitation_without_mail_has_no_working_link(employee):
    from invitations.services import invitation_grant

    invitation = invitation_grant(employee=employee)  # on_commit not run: mail still queued
    assert invitation.token_hash is None and invitation.expires_at is None
    assert not invitation.is_expired(timezone.now())
