import datetime
import re

from django.core import mail

LINK = re.compile(r"https://portal\.example\.test/invite/([A-Za-z0-9_-]+)/")


def links_in_outbox() -> list[str]:
    return [m for message in mail.outbox for m in LINK.findall(message.body)]


def last_token() -> str:
    return links_in_outbox()[-1]


def link_path(token: str) -> str:
    return f"/invite/{token}/"


ACTIVATE = "/activate/"
ACCOUNT = "/activate/account/"
# Where activation leads, signed in: the optional step that offers a passkey (employees.mfa).
AFTER_ACTIVATION = "/two-step/passkey/add/"
BIRTH_DATE = {"day": "14", "month": "3", "year": "1985"}  # the factory's birth date
WRONG_DATE = {"day": "15", "month": "3", "year": "1985"}
CREDENTIALS = {
    "username": "anna.bakker",
    "password1": "kleine groene kikkers dansen",
    "password2": "kleine groene kikkers dansen",
}


def activate(client, credentials=None):
    """Walk an opened invitation through the birth date and the credentials."""
    assert client.post(ACTIVATE, BIRTH_DATE)["Location"] == ACCOUNT
    return client.post(ACCOUNT, credentials or CREDENTIALS)


def sent_invitation(employee, **fields):
    """An invitation whose mail went out and whose link works for another day, made directly
    (the race tests start their threads from it)."""
    from invitations.models import Invitation
    from invitations.tokens import token_for, token_hash, token_nonce_new

    nonce = token_nonce_new()
    values = {
        "token_nonce": nonce,
        "token_hash": token_hash(token_for(nonce)),
        "expires_at": datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1),
        "mail_status": "sent",
        **fields,
    }
    return Invitation.objects.create(employee=employee, **values)
