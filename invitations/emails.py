"""The invitation mail: one function decides its wording (R7).

The email-texts work extends `invitation_texts` with provider and employer overrides (R16).
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from essportal.mail import MailTexts, build_message, render_mail

from .models import Invitation


def invitation_link(raw_token: str) -> str:
    # Built from SITE_URL, never from a request's Host header.
    return settings.SITE_URL + reverse("invitations:open", args=[raw_token])


def invitation_texts(invitation: Invitation, *, link: str) -> MailTexts:
    employee = invitation.employee
    context = {
        "employee": employee,
        "employer": employee.employer,
        "link": link,
        "valid_until": timezone.localtime(invitation.expires_at),
        "is_resend": invitation.is_resend,
    }
    return render_mail("invitation", context, language=employee.language)


def invitation_message(invitation: Invitation, *, link: str, connection=None):
    texts = invitation_texts(invitation, link=link)
    return build_message(
        texts,
        to=[invitation.employee.email],
        connection=connection,
        # Helps match ESP tracking events and support questions to the row.
        headers={"X-ESS-Invitation": str(invitation.pk)},
    )
