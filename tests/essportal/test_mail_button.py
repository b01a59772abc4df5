"""Action mails carry a button, with the plain link below it that wraps on a phone (issue 16)."""

import re

import pytest
from django.core import mail

from invitations.outbox import invitations_send_mail
from invitations.services import invitation_grant

pytestmark = pytest.mark.django_db


def html_of(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")


def test_the_invitation_mail_has_a_button_and_the_plain_link_below_it(employee):
    invitation = invitation_grant(employee=employee)
    invitations_send_mail(invitation_ids=[invitation.pk])
    message = mail.outbox[0]
    link = re.search(r"https://\S+/invite/\S+/", message.body).group(0)
    html = html_of(message)
    button = re.search(r'<a href="([^"]+)" style="display:inline-block[^"]*">([^<]+)</a>', html)
    assert button and button.group(1) == link
    assert button.group(2) == "Activeer je toegang"  # the employee's language: Dutch
    # The same link written out below the button, free to wrap at any character.
    plain = re.search(r'<a href="([^"]+)" style="[^"]*word-break:break-all[^"]*">([^<]+)</a>', html)
    assert plain.group(1) == plain.group(2) == link
    # The text part has no button, just the link.
    assert "Activeer je toegang" not in message.body and link in message.body


def test_an_english_employee_gets_an_english_button(employee):
    employee.language = "en"
    employee.save(update_fields=["language"])
    invitations_send_mail(invitation_ids=[invitation_grant(employee=employee).pk])
    assert ">Activate your access</a>" in html_of(mail.outbox[0])


def test_a_link_inside_a_sentence_stays_an_inline_link_that_wraps():
    from essportal.mail.kinds import KINDS
    from essportal.mail.texts import ResolvedText, render_resolved

    resolved = ResolvedText(KINDS["account_unblocked"], "nl", "Onderwerp", "Log hier in: {link}")
    html = render_resolved(resolved, {"link": "https://portal.example.test/login/"}).html
    assert "display:inline-block" not in html
    assert 'style="color:#0b5cad;word-break:break-all;overflow-wrap:anywhere;"' in html
