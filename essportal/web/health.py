"""Health for load balancers and orchestrators.

Live and ready say whether this web process can serve pages; neither looks at the broker, the
worker or beat: the web works without them (mail waits in the outbox), and a load balancer that
pulled every node over a broker outage would take the whole site down with it. Those belong to
the operator's status (`manage.py check_operations`, or `operations` below for a monitor).
"""

import hmac

from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from essportal.operations import operations_report


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False
    return True


@never_cache
def live(request):
    """The process answers. Touches nothing, so a restart is never triggered by a dependency."""
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request):
    """200 when the database answers, else 503: whether to send this node traffic."""
    ok = _database_ok()
    return JsonResponse({"database": "ok" if ok else "down"}, status=200 if ok else 503)


def _bearer_token_matches(request, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # Compared in constant time, so the answer's timing says nothing about how much was right.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@never_cache
@require_safe
def operations(request):
    """The operator's status as JSON: 200 when all is well, 503 when something needs attention.

    Behind `OPERATIONS_TOKEN`; without it the address does not exist, so an unconfigured site
    shows nobody its backlog."""
    token = settings.OPERATIONS_TOKEN
    if not token:
        raise Http404
    if not _bearer_token_matches(request, token):
        response = JsonResponse({"error": "unauthorized"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="operations"'
        return response
    report = operations_report()
    return JsonResponse(report.as_dict(), status=200 if report.ok else 503)
