from django.conf import settings


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


def session_timed_out(request) -> bool:
    """A session cookie whose session no longer exists: the idle timeout ended it (a signed-out
    browser has no cookie any more)."""
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return False
    request.session.get("_")  # loads the session; an expired one drops its key
    return request.session.session_key is None


def posted_text(request, name: str, *, max_length: int) -> str:
    """A text value read from the POST data without a form: trimmed, cut to max_length, and
    without NUL characters (PostgreSQL refuses them in text; a form field refuses them itself)."""
    return request.POST.get(name, "").replace("\0", "").strip()[:max_length]
