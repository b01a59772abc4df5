"""Rendering and sending of every mail the portal sends.

Each mail is three templates: `emails/<name>_subject.txt`, `emails/<name>_body.txt` and
`emails/<name>_body.html`, rendered in the recipient's language.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class MailTexts:
    subject: str
    text: str
    html: str


def render_mail(name: str, context: dict, *, language: str) -> MailTexts:
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{name}_subject.txt", context)
        text = render_to_string(f"emails/{name}_body.txt", context)
        html = render_to_string(f"emails/{name}_body.html", context)
    # A subject is one line: anything else is a header-injection attempt or a template slip.
    return MailTexts(subject=" ".join(subject.split())[:200], text=text, html=html)


def build_message(texts: MailTexts, *, to: list[str], connection=None, headers=None):
    message = EmailMultiAlternatives(
        subject=texts.subject, body=texts.text, to=to, connection=connection, headers=headers
    )
    message.attach_alternative(texts.html, "text/html")
    return message
