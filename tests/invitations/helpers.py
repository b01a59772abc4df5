import re

from django.core import mail

LINK = re.compile(r"https://portal\.example\.test/invite/([A-Za-z0-9_-]+)/")


def links_in_outbox() -> list[str]:
    return [m for message in mail.outbox for m in LINK.findall(message.body)]


def last_token() -> str:
    return links_in_outbox()[-1]


def link_path(token: str) -> str:
    return f"/invite/{token}/"
