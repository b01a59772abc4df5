"""Delivery, bounce and complaint from the ESP's tracking webhook (anymail)."""

import base64
import json

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.test import override_settings

from invitations.models import Invitation


@pytest.fixture
def sent_invitation(grant, employee):
    invitation = grant(employee)
    Invitation.objects.filter(pk=invitation.pk).update(mail_message_id="msg-1")
    return invitation


def send_event(event_type, message_id="msg-1", description=""):
    event = AnymailTrackingEvent(
        event_type=event_type, message_id=message_id, description=description
    )
    tracking.send(sender=object, event=event, esp_name="Test")


@pytest.mark.parametrize(
    "event_type, status, action",
    [
        ("delivered", "delivered", "mail_delivered"),
        ("bounced", "bounced", "mail_bounced"),
        ("complained", "complained", "mail_complained"),
    ],
)
def test_tracking_events_move_the_mail_state(sent_invitation, event_type, status, action):
    send_event(event_type)
    sent_invitation.refresh_from_db()
    assert sent_invitation.mail_status == status
    assert sent_invitation.employee.audit_events.filter(action=action).count() == 1


def test_a_replayed_event_changes_nothing(sent_invitation):
    send_event("bounced", description="mailbox full")
    send_event("bounced", description="mailbox full")
    assert sent_invitation.employee.audit_events.filter(action="mail_bounced").count() == 1


def test_a_late_delivered_does_not_hide_a_bounce(sent_invitation):
    send_event("bounced")
    send_event("delivered")
    sent_invitation.refresh_from_db()
    assert sent_invitation.mail_status == "bounced"


def test_an_event_for_an_unknown_message_is_ignored(sent_invitation):
    send_event("bounced", message_id="someone-else")
    sent_invitation.refresh_from_db()
    assert sent_invitation.mail_status == "sent"


# The webhook exists for the ESP mail goes out through (WebhookGateMiddleware).
POSTMARK = "anymail.backends.postmark.EmailBackend"

POSTMARK_BOUNCE = {
    "RecordType": "Bounce",
    "Type": "HardBounce",
    "TypeCode": 1,
    "MessageID": "msg-1",
    "Email": "anna@example.test",
    "BouncedAt": "2026-11-27T10:00:00Z",
    "Description": "The server was unable to deliver your message",
    "Details": "smtp;550 5.1.1 user unknown",
}


@override_settings(ANYMAIL={"WEBHOOK_SECRET": "hook:s3cret-value"}, EMAIL_BACKEND=POSTMARK)
def test_the_webhook_with_the_shared_secret_records_a_bounce(client, sent_invitation):
    auth = base64.b64encode(b"hook:s3cret-value").decode()
    response = client.post(
        "/anymail/postmark/tracking/",
        data=json.dumps(POSTMARK_BOUNCE),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )
    assert response.status_code == 200
    sent_invitation.refresh_from_db()
    assert sent_invitation.mail_status == "bounced"


@override_settings(ANYMAIL={"WEBHOOK_SECRET": "hook:s3cret-value"}, EMAIL_BACKEND=POSTMARK)
@pytest.mark.parametrize("auth", [None, "Basic " + base64.b64encode(b"hook:wrong").decode()])
def test_a_forged_webhook_is_refused(client, sent_invitation, auth):
    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
    response = client.post(
        "/anymail/postmark/tracking/",
        data=json.dumps(POSTMARK_BOUNCE),
        content_type="application/json",
        **headers,
    )
    assert response.status_code in (400, 401, 403)
    sent_invitation.refresh_from_db()
    assert sent_invitation.mail_status == "sent"
