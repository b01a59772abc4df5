"""The invitation mail: one function decides its wording (R7).

The email-texts work extends `invitation_texts` with provider and employer overrides (R16).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Invitation


@dataclass(frozen=True)
class MailTexts:
    subject: str
    text: str
    html: str


def invitation_link(raw_token: str) -> str:
    # Built from SITE_URL, never from a request's Host header.
    return settings.SITE_URL + reverse("invitations:open", args=[raw_token])


def invitation_texts(invitation: Invitation, *, link: str) -> MailTexts:
    employee = invitation.employee
    employer = employee.employer
    with translation.override(employee.language):
        context = {
            "employee": employee,
            "employer": employer,
            "link": link,
            "valid_until": timezone.localtime(invitation.expires_at),
            "is_resend": invitation.is_resend,
            "site_name": settings.SITE_NAME,
        }
        subject = render_to_string("emails/invitation_subject.txt", context)
        text = render_to_string("emails/invitation_body.txt", context)
        html = render_to_string("emails/invitation_body.html", context)
    # A subject is one line: anything else is a header-injection attempt or a template slip.
    subject = " ".join(subject.split())[:200]
    return MailTexts(subject=subject, text=text, html=html)


def invitation_message(invitation: Invitation, *, link: str, connection=None):
    texts = invitation_texts(invitation, link=link)
    message = EmailMultiAlternatives(
        subject=texts.subject,
        body=texts.text,
        to=[invitation.employee.email],
        connection=connection,
    )
    message.attach_alternative(texts.html, "text/html")
    # Lets an ESP's tracking webhook be matched without a database lookup by address.
    message.extra_headers["X-ESS-Invitation"] = str(invitation.pk)
    return message
