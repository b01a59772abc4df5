"""The invitation mail (R7): its link and values; the wording comes from essportal.mail.texts."""

import functools
from collections.abc import Callable
from dataclasses import replace
from html import escape

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


# What differs from one employee to the next in an invitation mail; the other values are the same
# for every invitation of one employer in a chunk.
PERSONAL_VALUES = ("first_name", "full_name", "link")


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

    def merged_message(
        self,
        invitations: list[tuple[Invitation, str]],
        *,
        valid_until,
        merge_field: Callable[[str], str],
        connection=None,
    ):
        """One message for the invitations of one employer, language and kind, for a provider's
        batch sending (anymail's merge_data): one mail per address in `to`.

        The mail is rendered once, with the provider's merge field (`merge_field(name)`) where
        a recipient's own value goes: the plain value in the text part, NAME_html (the value
        HTML-escaped here, once) in the HTML part, and the whole subject, rendered per
        recipient as the single mail's is. What the others share (the employer, the validity)
        is written into the mail itself, so every recipient gets what `message()` builds."""
        first = invitations[0][0]
        employer, language = first.employee.employer, first.employee.language
        renderer = self.renderers[first.is_resend]
        merge_data = {}
        for invitation, raw in invitations:
            values = invitation_values(
                invitation, link=invitation_link(raw), valid_until=valid_until
            )
            personal = {name: values[name] for name in PERSONAL_VALUES}
            merge_data[invitation.employee.email] = {
                **personal,
                **{f"{name}_html": escape(value) for name, value in personal.items()},
                "subject": renderer.subject(employer=employer, language=language, values=values),
            }
        template = invitation_values(first, link="-", valid_until=valid_until)
        html_template = dict(template)
        for name in PERSONAL_VALUES:
            template[name] = merge_field(name)
            html_template[name] = merge_field(f"{name}_html")
        texts = renderer.render(
            employer=employer, language=language, values=template, html_values=html_template
        )
        message = build_message(
            replace(texts, subject=merge_field("subject")),
            employer=employer,
            to=list(merge_data),
            connection=connection,
        )
        message.merge_data = merge_data
        # Matches each recipient's mail to its row, as the single mail's X-ESS-Invitation does.
        message.merge_metadata = {
            invitation.employee.email: {"invitation": str(invitation.pk)}
            for invitation, _raw in invitations
        }
        return message
