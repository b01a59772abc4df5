"""Building the messages the portal sends.

The From address is always DEFAULT_FROM_EMAIL (its domain passes SPF/DMARC); the display name
says on whose behalf it is sent, and replies go to the employer.
"""

import functools
from email.mime.image import MIMEImage
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.utils.translation import gettext as _

from essportal.mail.logo import LOGO_MAX_BYTES, logo_png
from essportal.mail.texts import LINE_BREAKS, MailTexts


def absolute_url(path: str) -> str:
    """A link for a mail: built from SITE_URL, never from a request's Host header."""
    return settings.SITE_URL + path


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
    logo = logo_part(employer.logo.name) if employer.logo else None
    if logo is not None:
        # multipart/related: the HTML refers to the logo as cid:employer-logo.
        message.mixed_subtype = "related"
        message.attach(logo)
    return message


def build_site_message(*, subject: str, text: str, html: str, to: list[str], connection=None):
    """A mail from the portal itself, to HR staff: on no employer's behalf, so the configured
    sender as it is and no reply-to. The subject is made one line whatever it holds."""
    message = EmailMultiAlternatives(
        subject=" ".join(LINE_BREAKS.sub(" ", subject).split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


@functools.lru_cache(maxsize=64)
def logo_part(name: str) -> MIMEImage | None:
    """The employer's logo as an inline MIME part, read once per process and logo file.

    Re-encoded here too (cheap for a logo that already is one): a file stored before uploads
    were checked, or put into the media folder some other way, goes out bounded or not at all."""
    try:
        with default_storage.open(name, "rb") as file:
            png = logo_png(file.read(LOGO_MAX_BYTES + 1))
    except (OSError, ValidationError):
        return None
    part = MIMEImage(png, "png")
    part.add_header("Content-ID", "<employer-logo>")
    part.add_header("Content-Disposition", "inline", filename="logo.png")
    return part
