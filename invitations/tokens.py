"""Invitation link tokens: 256 random bits, only their hash is stored.

The raw token exists in the mail alone; a database dump cannot be turned back into a link.
"""

import hashlib
import re
import secrets

TOKEN_BYTES = 32  # 256 bits
TOKEN_LENGTH = 43  # len(secrets.token_urlsafe(32))
_TOKEN_FORMAT = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")


def token_mint() -> tuple[str, str]:
    """A new (raw token, hash) pair."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, token_hash(raw)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


def token_is_well_formed(raw: str) -> bool:
    """Checked before any database lookup: anything else is simply "not valid"."""
    return isinstance(raw, str) and _TOKEN_FORMAT.fullmatch(raw) is not None
