"""The invitation mail (R7): its link and values; the wording comes from essportal.mail.texts."""

import functools

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from employers.texts import Renderer
from essportal.formats import format_date
from essportal.mail.message import build_message
from essportal.mail.texts import common_values
from invitations.models import Invitation


@functools.cache
def _link_template(site_url: str) -> str:
    return site_url + reverse("invitations:open", args=["TOKEN"])


def invitation_link(raw_token: str) -> str:
    # Built from SITE_URL, never from a request's Host header. The URL is reversed once, not
    # for each of a collective grant's thousands of mails.
    return _link_template(settings.SITE_URL).replace("TOKEN", raw_token)


def invitation_values(invitation: Invitation, *, link: str, valid_until) -> dict[str, str]:
    valid_until = timezone.localtime(valid_until)
    return {
        **common_values(invitation.employee),
        "link": link,
        "valid_until_date": format_date(valid_until),
        "valid_until_time": valid_until.strftime("%H:%M"),
    }


class InvitationMails:
    """Builds invitation messages; one per chunk of a collective grant, so that texts are
    resolved once per employer and language."""

    def __init__(self):
        self.renderers = {False: Renderer("invitation"), True: Renderer("invitation_resend")}

    def message(self, invitation: Invitation, *, link: str, valid_until, connection=None):
        employee = invitation.employee
        texts = self.renderers[invitation.is_resend].render(
            employer=employee.employer,
            language=employee.language,
            values=invitation_values(invitation, link=link, valid_until=valid_until),
        )
        return build_message(
            texts,
            employer=employee.employer,
            to=[employee.email],
            connection=connection,
            # Helps match ESP tracking events and support questions to the row.
            headers={"X-ESS-Invitation": str(invitation.pk)},
        )
