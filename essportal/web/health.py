from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from essportal.celery import app


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False
    return True


def _broker_ok() -> bool | None:
    """None when tasks run in-process (there is no broker to check)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:  # noqa: BLE001
        return False
    return True


@never_cache
def healthz(request):
    """For load balancers: 200 when the database (and the broker, if any) answer, else 503."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(ok is not False for ok in checks.values())
    body = {name: ("ok" if ok else "down") for name, ok in checks.items() if ok is not None}
    return JsonResponse(body, status=200 if healthy else 503)
