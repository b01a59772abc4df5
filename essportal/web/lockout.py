"""The sign-in lockout (django-axes): the username a failed sign-in counts against."""

from axes.models import AccessAttempt

from essportal.models import username_key

# axes keeps the username in a column this long; folding can make a typed name longer than that.
STORED_USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length


def lockout_username(request, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: failures count per username key (essportal.models), so every
    spelling that reaches one account adds to one count, as sign-in itself compares them."""
    source = credentials if credentials is not None else getattr(request, "POST", {})
    username = source.get("username")
    if not isinstance(username, str) or not username.strip():
        return None
    return username_key(username)[:STORED_USERNAME_LENGTH]
