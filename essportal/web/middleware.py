import re
import time

from django.conf import settings
from django.http import Http404

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# HR's preview of a mail (employers/hr/text_preview.py), shown in a sandboxed frame: the mail's
# inline styles and its logo as a data: URL, nothing else; framed by the portal's own pages.
MAIL_PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set.

    Pages behind a login hold personal data: browsers and proxies must not keep copies of them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


# anymail.backends.<esp>.EmailBackend: the ESP whose webhook may exist.
ANYMAIL_BACKEND = re.compile(r"anymail\.backends\.(\w+)\.EmailBackend")


def tracking_webhook_path() -> str | None:
    """The one webhook URL that exists: the tracking URL of the ESP in EMAIL_BACKEND, and only
    with ANYMAIL_WEBHOOK_SECRET set. None when there is no such URL."""
    if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        return None
    match = ANYMAIL_BACKEND.fullmatch(settings.EMAIL_BACKEND)
    return f"/anymail/{match[1]}/tracking/" if match else None


class WebhookGateMiddleware:
    """django-anymail only warns when its webhooks have no shared secret, and then accepts
    anyone's events. Without ANYMAIL_WEBHOOK_SECRET the webhook URLs do not exist.

    anymail also routes every other provider's webhooks and every inbound one; those need
    settings of their own (a crash without them) and nothing here listens to them. Only the
    configured provider's tracking URL exists."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/anymail/") and path != tracking_webhook_path():
            raise Http404
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Keeps a signed-in session alive while it is used, with at most one write a minute.

    The session expires SESSION_COOKIE_AGE after its last refresh; refreshing on every request
    (SESSION_SAVE_EVERY_REQUEST) would cost a database write per page view."""

    REFRESH_AFTER = 60  # seconds
    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.REFRESH_AFTER:
                session[self.KEY] = now  # marks the session modified: saved with a new expiry
        return response
