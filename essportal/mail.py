"""Building the messages the portal sends.

The From address is always DEFAULT_FROM_EMAIL (its domain passes SPF/DMARC); the display name
says on whose behalf it is sent, and replies go to the employer.
"""

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.translation import gettext as _

from invitations.texts import LINE_BREAKS, MailTexts


def sender_for(employer) -> str:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    # formataddr quotes the name; line breaks are removed so a name can never add a header.
    name = _("%(employer)s via %(site)s") % {"employer": employer.name, "site": settings.SITE_NAME}
    return formataddr((LINE_BREAKS.sub(" ", name), address))


def reply_to_for(employer) -> list[str]:
    address = employer.reply_to_email or employer.contact_email
    return [address] if address else []


def build_message(texts: MailTexts, *, employer, to: list[str], connection=None, headers=None):
    message = EmailMultiAlternatives(
        subject=texts.subject,
        body=texts.text,
        from_email=sender_for(employer),
        to=to,
        reply_to=reply_to_for(employer),
        connection=connection,
        headers=headers,
    )
    message.attach_alternative(texts.html, "text/html")
    return message
