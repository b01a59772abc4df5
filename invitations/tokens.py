"""Invitation link tokens: derived with a server-side key from a random nonce; only the nonce and
the token's hash are stored.

The token is HMAC-SHA256(SECRET_KEY, nonce): 256 bits, written in the mail. The database holds the
nonce and the token's SHA-256, so a database dump alone cannot be turned back into a link (that
needs the key too). Deriving the token rather than drawing it at random lets a mail that has to go
out again (its first worker was paused past its claim, say) carry the same working link: the first
mail's link does not die because the second was sent (docs/design.md, the invitation outbox).

Rotating SECRET_KEY does not break links already mailed (their hash is stored); a mail re-sent
after the rotation carries a new link, and the earlier one stops working.
"""

import base64
import hashlib
import re
import secrets

from django.utils.crypto import salted_hmac

TOKEN_LENGTH = 43  # 32 bytes in URL-safe base64 without padding
NONCE_BYTES = 16
_TOKEN_FORMAT = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")
_KEY_SALT = "invitations.tokens.link"


def token_nonce_new() -> str:
    return secrets.token_hex(NONCE_BYTES)


def token_for(nonce: str) -> str:
    """The raw token of the invitation with this nonce. Used only when its mail is built."""
    digest = salted_hmac(_KEY_SALT, nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


def token_is_well_formed(raw: str) -> bool:
    """Checked before any database lookup: anything else is simply "not valid"."""
    return isinstance(raw, str) and _TOKEN_FORMAT.fullmatch(raw) is not None
