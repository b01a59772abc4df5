from django.conf import settings
from django.contrib.sessions.models import Session


def client_ip(request) -> str | None:
    """The client's address for audit, throttling and the sign-in lockout. Behind PROXY_COUNT
    trusted proxies, each appends the address it saw to X-Forwarded-For, so the real client is
    that many from the right; anything further left was written by the client and is not
    trusted."""
    proxies = settings.PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def session_end_reason(request) -> str | None:
    """Why a browser that still has a session cookie is not signed in: "timeout" when its
    session expired (the idle timeout; the row stays until `clearsessions`), "ended" when the
    session is gone (signed out everywhere by a password change, or cleared) or names an account
    that may no longer sign in (blocked), None when there is no cookie (a signed-out browser has
    none) or the session was never signed in."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return None
    if request.session.session_key is not None or request.session.get("_auth_user_id"):
        # A live session: "ended" only if it names an account the middleware refused.
        return "ended" if request.session.get("_auth_user_id") else None
    expired = Session.objects.filter(session_key=key[:40]).exists()
    return "timeout" if expired else "ended"


def posted_text(request, name: str, *, max_length: int) -> str:
    """A text value read from the POST data without a form: trimmed, cut to max_length, and
    without NUL characters (PostgreSQL refuses them in text; a form field refuses them itself)."""
    return request.POST.get(name, "").replace("\0", "").strip()[:max_length]
