"""Health for load balancers and orchestrators.

Live and ready say whether this web process can serve pages; neither looks at the broker, the
worker or beat: the web works without them (mail waits in the outbox), and a load balancer that
pulled every node over a broker outage would take the whole site down with it. Those belong to
the operator's status (`manage.py check_operations`).
"""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


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
