"""Header injection through names and subjects; template injection through HR's email texts."""

import email
import email.policy
import json

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from employers.models import EmailText, Employer
from employers.texts import email_text_effective
from essportal.mail.kinds import INVITATION_BODY, KINDS
from essportal.mail.texts import text_problems
from invitations.services import invitation_resend
from tests.invitations.helpers import LINK

EVIL = "evil@attacker.example"
BREAKS = {"CRLF": "\r\n", "LF": "\n", "CR": "\r", "U+2028": "\u2028", "NEL": "\x85"}


def sent_headers() -> email.message.Message:
    """The one mail in the outbox as a mail server would parse it."""
    assert len(mail.outbox) == 1
    raw = mail.outbox[0].message().as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


def assert_no_injected_header(parsed):
    assert EVIL not in mail.outbox[0].recipients()
    for name in ("Bcc", "Cc", "X-Injected"):
        assert parsed[name] is None, name
    assert len(parsed.get_all("To")) == 1
    assert "\n" not in str(parsed["Subject"]) and "\r" not in str(parsed["Subject"])


@pytest.mark.parametrize("brk", BREAKS, ids=list(BREAKS))
def test_a_line_break_in_the_employer_name_adds_no_header(employer, employee, grant, brk):
    # Stored directly: the admin or an import could put it there, not only the HR form.
    Employer.objects.filter(pk=employer.pk).update(
        name=f"Bakkerij{BREAKS[brk]}Bcc: {EVIL}{BREAKS[brk]}X-Injected: yes"
    )
    employee.refresh_from_db()
    grant(employee)
    parsed = sent_headers()
    assert_no_injected_header(parsed)
    assert "Bakkerij" in str(parsed["From"])


def test_a_line_break_in_the_first_name_used_in_an_hr_subject_adds_no_header(
    employer, employee, grant
):
    EmailText.objects.create(
        employer=employer, kind="invitation", language="nl", subject="Welkom {first_name}"
    )
    type(employee).objects.filter(pk=employee.pk).update(
        first_name=f"Anna\r\nBcc: {EVIL}\r\nX-Injected: yes"
    )
    employee.refresh_from_db()
    grant(employee)
    parsed = sent_headers()
    assert_no_injected_header(parsed)
    assert str(parsed["Subject"]).startswith("Welkom Anna")


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\u2028", "\x0b"])
def test_hr_cannot_save_a_subject_with_a_line_break(manager_client, employer, brk):
    url = reverse("hr:email_text_edit", args=["employer", employer.pk, "invitation", "nl"])
    response = manager_client.post(url, {"subject": f"Hallo{brk}Bcc: {EVIL}", "body": ""})
    assert response.status_code == 200
    assert "subject" in response.context["form"].errors
    assert not EmailText.objects.exists()


def test_a_subject_with_a_line_break_stored_anyway_is_not_used(employer, employee, grant):
    EmailText.objects.create(
        employer=employer, kind="invitation", language="nl", subject=f"Hallo\nBcc: {EVIL}"
    )
    grant(employee)
    parsed = sent_headers()
    assert_no_injected_header(parsed)
    assert "Hallo" not in str(parsed["Subject"])


def test_a_reply_to_address_with_a_line_break_adds_no_header(
    manager_client, employer, employee, grant
):
    url = reverse("hr:email_sender", args=[employer.pk])
    manager_client.post(url, {"reply_to_email": f"hr@example.test\r\nBcc: {EVIL}"})
    employer.refresh_from_db()
    assert "\n" not in employer.reply_to_email and EVIL not in employer.reply_to_email
    grant(employee)
    assert_no_injected_header(sent_headers())


# --- Template injection -------------------------------------------------------------------------

PAYLOADS = {
    "variable": "{{ settings.SECRET_KEY }}",
    "debug tag": "{% debug %}",
    "load tag": "{% load static %}{% get_static_prefix %}",
    "single-brace attribute": "{link.__class__.__init__.__globals__}",
    "format spec": "{first_name!r:>{link}}",
}


@pytest.mark.parametrize("field", ["subject", "body"])
@pytest.mark.parametrize("payload", PAYLOADS, ids=list(PAYLOADS))
def test_template_syntax_is_refused_when_saving(manager_client, employer, payload, field):
    url = reverse("hr:email_text_edit", args=["employer", employer.pk, "invitation", "nl"])
    data = {"subject": "", "body": ""}
    data[field] = PAYLOADS[payload] + (" {link}" if field == "body" else "")
    response = manager_client.post(url, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not EmailText.objects.exists()


def assert_inert(text: str):
    """Nothing a template engine or str.format would have produced from the payloads."""
    assert django_settings.SECRET_KEY not in text
    assert "sys.path" not in text and "'False': False" not in text  # {% debug %} output
    assert "__builtins__" not in text and "<function" not in text  # attribute walking
    assert "'Anna'" not in text  # !r conversion


@pytest.mark.parametrize("payload", PAYLOADS, ids=list(PAYLOADS))
def test_template_syntax_stored_directly_stays_inert(employer, employee, grant, payload):
    EmailText.objects.create(
        employer=employer,
        kind="invitation",
        language="nl",
        subject=PAYLOADS[payload],
        body=PAYLOADS[payload] + "\n{link}",
    )
    grant(employee)
    message = mail.outbox[0]
    for text in (message.subject, message.body, message.alternatives[0][0]):
        assert_inert(text)
        assert django_settings.STATIC_URL not in text  # {% get_static_prefix %} output
    assert "/invite/" in message.body  # the mail still works, with the default text


@pytest.mark.parametrize("payload", PAYLOADS, ids=list(PAYLOADS))
def test_the_preview_of_template_syntax_is_inert(manager_client, employer, payload):
    url = reverse("hr:email_text_preview", args=["employer", employer.pk, "invitation", "nl"])
    body = PAYLOADS[payload] + " {link}"
    response = manager_client.post(url, {"subject": PAYLOADS[payload], "body": body})
    assert response.status_code == 200
    assert_inert(response.content.decode())


def test_markup_in_the_employer_name_is_escaped_in_the_html_mail(employer, employee, grant):
    Employer.objects.filter(pk=employer.pk).update(name='<img src=x onerror="alert(1)">B.V.')
    employee.refresh_from_db()
    grant(employee)
    html = mail.outbox[0].alternatives[0][0]
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_the_default_invitation_body_carries_the_link_placeholder():
    assert "{link}" in str(INVITATION_BODY)


def test_a_reply_to_address_with_a_line_break_stored_anyway_adds_no_header(
    employer, employee, grant
):
    Employer.objects.filter(pk=employer.pk).update(reply_to_email=f"hr@example.test\r\nBcc: {EVIL}")
    employee.refresh_from_db()
    grant(employee)
    # Django refuses to build the header; whatever is sent carries no injected one.
    for message in mail.outbox:
        assert EVIL not in message.recipients()
        assert f"Bcc: {EVIL}" not in message.message().as_string()


# --- Personal links stay out of subjects ----------------------------------------------------------
# A subject is shown in phone notifications and kept in mail-server logs: the invitation and
# password-reset links carry a live token, and no link belongs there.

LINK_KINDS = [key for key, kind in KINDS.items() if "link" in kind.placeholders]


@pytest.mark.parametrize("kind", LINK_KINDS)
def test_hr_cannot_put_the_link_in_a_subject(manager_client, employer, kind):
    url = reverse("hr:email_text_edit", args=["employer", employer.pk, kind, "en"])
    response = manager_client.post(
        url, {"subject": "Your link: {link}", "body": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["subject"])
    assert "{link}" in errors and "subject" in errors
    assert not EmailText.objects.exists()


def test_the_link_in_the_body_is_still_allowed(manager_client, employer):
    url = reverse("hr:email_text_edit", args=["employer", employer.pk, "password_reset", "nl"])
    response = manager_client.post(url, {"subject": "Nieuw wachtwoord", "body": "Klik {link}"})
    assert response.status_code == 302
    assert EmailText.objects.get().body == "Klik {link}"


def test_the_preview_refuses_the_link_in_a_subject(manager_client, employer):
    url = reverse("hr:email_text_preview", args=["employer", employer.pk, "invitation", "nl"])
    response = manager_client.post(url, {"subject": "{link}", "body": "Klik {link}"})
    assert "subject" in response.context["form"].errors
    assert "portal.example.nl/invite/" not in response.content.decode()  # no mail shown


@pytest.mark.parametrize("subject", ["Je link: {link}", "{link}", "Welkom {first_name} {link}"])
def test_an_invitation_subject_with_the_link_stored_anyway_is_not_used(
    employer, employee, grant, subject
):
    EmailText.objects.create(employer=employer, kind="invitation", language="nl", subject=subject)
    grant(employee)
    message = mail.outbox[0]
    token = LINK.findall(message.body)[0]
    assert token not in message.subject and "/invite/" not in message.subject
    assert message.subject == f"Je toegang tot het Werknemerloket van {employer.name}"


def test_a_resend_subject_with_the_link_stored_anyway_is_not_used(
    employer, employee, grant, on_commit
):
    EmailText.objects.create(
        provider=employer.provider, kind="invitation_resend", language="nl", subject="{link}"
    )
    grant(employee)
    with on_commit():
        invitation_resend(employee=employee)
    message = mail.outbox[-1]
    assert LINK.findall(message.body)
    assert "/invite/" not in message.subject


def test_a_reset_subject_with_the_link_stored_anyway_is_not_used(employer, employee, on_commit):
    from employees.accounts.services import account_recovery_request
    from tests.factories import UserFactory

    employee.user = UserFactory()
    employee.save()
    EmailText.objects.create(
        employer=employer, kind="password_reset", language="nl", subject="Reset: {link}"
    )
    with on_commit():
        account_recovery_request(kind="password_reset", email=employee.email)
    (message,) = mail.outbox
    assert "/reset/" in message.body
    assert "/reset/" not in message.subject and "Reset:" not in message.subject


def test_even_a_subject_that_escaped_validation_never_receives_the_link():
    from essportal.mail.texts import ResolvedText, render_resolved

    resolved = ResolvedText(KINDS["invitation"], "nl", subject="Link {link}", body="{link}")
    texts = render_resolved(resolved, {"link": "https://portal.example.test/invite/SECRET/"})
    assert "SECRET" not in texts.subject
    assert "SECRET" in texts.text


def test_no_default_subject_carries_the_link():
    for kind in KINDS.values():
        for language in ("nl", "en"):
            with translation.override(language):
                assert "{link}" not in str(kind.subject), kind.key


# --- ESP tracking webhooks ----------------------------------------------------------------------


def test_an_unauthenticated_tracking_event_is_refused_with_the_default_settings(
    client, employee, grant
):
    from invitations.models import Invitation
    from tests.invitations.test_tracking import POSTMARK_BOUNCE

    invitation = grant(employee)
    Invitation.objects.filter(pk=invitation.pk).update(mail_message_id="msg-1")
    response = client.post(
        "/anymail/postmark/tracking/",
        data=json.dumps(POSTMARK_BOUNCE),
        content_type="application/json",
    )
    invitation.refresh_from_db()
    assert invitation.mail_status == "sent"
    assert response.status_code in (400, 401, 403, 404)


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\ufeff", "\x07"])
def test_a_subject_with_invisible_characters_is_refused_and_not_used(hidden, employer):
    subject = f"Uw loonstrook{hidden} staat klaar"
    assert text_problems(KINDS["payslip_published"], "subject", subject)
    EmailText.objects.create(
        employer=employer, kind="payslip_published", language="nl", subject=subject
    )
    resolved = email_text_effective(employer=employer, kind="payslip_published", language="nl")
    assert resolved.sources["subject"] == "default"
