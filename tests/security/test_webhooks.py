"""The ESP webhooks under /anymail/: only the configured provider's tracking URL exists."""

import base64
import json

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.test import Client, override_settings

from invitations.models import Invitation

SECRET = "hook:s3cret-value"
AUTH = "Basic " + base64.b64encode(SECRET.encode()).decode()
POSTMARK = "anymail.backends.postmark.EmailBackend"

# Every URL django-anymail offers besides Postmark's tracking: other providers' tracking (some
# need settings of their own and crashed without them) and every inbound endpoint.
NOT_CONFIGURED = [
    "/anymail/mailgun/tracking/",
    "/anymail/amazon_ses/tracking/",
    "/anymail/mandrill/",
    "/anymail/mandrill/tracking/",
    "/anymail/postal/tracking/",
    "/anymail/resend/tracking/",
    "/anymail/mailjet/tracking/",
    "/anymail/unisender_go/tracking/",
    "/anymail/mailersend/tracking/",
    "/anymail/sendgrid/tracking/",
    "/anymail/brevo/tracking/",
    "/anymail/postmark/inbound/",
    "/anymail/mailgun/inbound/",
    "/anymail/sparkpost/inbound/",
]


def post(path, **headers):
    # A crash must show as a response here, as the ESP would see it.
    client = Client(raise_request_exception=False)
    return client.post(path, data="{}", content_type="application/json", **headers)


@override_settings(ANYMAIL={"WEBHOOK_SECRET": SECRET}, EMAIL_BACKEND=POSTMARK)
@pytest.mark.parametrize("path", NOT_CONFIGURED)
def test_the_webhooks_of_a_provider_that_is_not_configured_do_not_exist(db, path):
    assert post(path, HTTP_AUTHORIZATION=AUTH).status_code == 404


@override_settings(ANYMAIL={"WEBHOOK_SECRET": SECRET}, EMAIL_BACKEND=POSTMARK)
def test_the_configured_providers_tracking_url_answers(db):
    event = {"RecordType": "Delivery", "MessageID": "unknown", "Recipient": "a@example.test"}
    client = Client(raise_request_exception=False)
    response = client.post(
        "/anymail/postmark/tracking/",
        data=json.dumps(event),
        content_type="application/json",
        HTTP_AUTHORIZATION=AUTH,
    )
    assert response.status_code == 200


@override_settings(
    ANYMAIL={"WEBHOOK_SECRET": SECRET},
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
)
@pytest.mark.parametrize("path", ["/anymail/postmark/tracking/", "/anymail/mailgun/tracking/"])
def test_with_mail_over_smtp_no_webhook_url_exists(db, path):
    assert post(path, HTTP_AUTHORIZATION=AUTH).status_code == 404


def test_a_nul_character_in_a_tracking_event_is_dropped_not_a_crash(grant, employee):
    # PostgreSQL refuses NUL in text; the ESP would get a 500 and send the event again forever.
    invitation = grant(employee)
    Invitation.objects.filter(pk=invitation.pk).update(mail_message_id="msg-1")
    event = AnymailTrackingEvent(
        event_type="bounced", message_id="msg-1\0", description="550 user\0 unknown"
    )
    tracking.send(sender=object, event=event, esp_name="Postmark")
    invitation.refresh_from_db()
    assert invitation.mail_status == "bounced"
    assert invitation.mail_error == "550 user unknown"
