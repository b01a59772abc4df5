"""The sign-in lockout (django-axes): what a failed sign-in counts against, and other password
checks that count as one."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials, get_failure_limit, get_lockout_response
from axes.models import AccessAttempt
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponse

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


# --- Password checks outside the sign-in forms (the current password when changing it) -------
# They count against the same lockout as a failed sign-in: django-axes hears the signal a failed
# sign-in sends, for this user and this client address. The session counts them as well: a
# borrowed session moved from address to address would otherwise get the limit at each one.

SESSION_FAILURES_KEY = "wrong_passwords"


def password_check_allowed(request, user) -> bool:
    """False while the user is locked out from this client address, as at the sign-in form."""
    return AxesProxyHandler.is_allowed(request, get_credentials(user.get_username()))


def password_check_failed(request, user) -> bool:
    """Count a wrong password as a failed sign-in. True when the session must end: the account
    is now locked out from this address, or this session has reached the limit from any."""
    credentials = get_credentials(user.get_username())
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    failures = request.session.get(SESSION_FAILURES_KEY, 0) + 1
    request.session[SESSION_FAILURES_KEY] = failures
    locked_out = bool(getattr(request, "axes_locked_out", False))
    return locked_out or failures >= get_failure_limit(request, credentials)


def sign_out_locked_out(request, user) -> HttpResponse:
    """End the session and answer as the sign-in form does for a locked-out account."""
    credentials = get_credentials(user.get_username())
    logout(request)
    return get_lockout_response(request, None, credentials)
