"""Calls to the shared cache (Redis in production) that degrade instead of failing the request.

The database is the record for everything the cache holds (sessions are written through to it,
throttle counters are disposable), so an unreachable or hung cache costs speed, never a page.
After a failed call the cache is left alone for `CACHE_RETRY_SECONDS`: with Redis hung, every
call would otherwise wait out its socket timeout, several times per request. The state is per
process; each process finds out for itself, once, and logs it once.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

_lock = threading.Lock()
_down_until: float | None = None  # monotonic time of the next try while the cache is down
_on_recovery: list[Callable[[], None]] = []


def cache_is_down() -> bool:
    """Whether the cache failed recently and is being left alone until the next try."""
    return _down_until is not None and time.monotonic() < _down_until


def guarded(operation: str, call: Callable[[], T], fallback: T) -> T:
    """`call()`, or `fallback` when the cache is down or fails now. Logs the start and the end of
    an outage, not every call that meets it. The first call after an outage runs the recovery
    hooks before its own work, so nothing reads what they clean up."""
    global _down_until
    if cache_is_down():
        return fallback
    try:
        if _down_until is not None:
            for hook in list(_on_recovery):
                hook()
        result = call()
    except Exception as exc:  # noqa: BLE001 - whatever the cache backend raises when it is down
        with _lock:
            first = _down_until is None
            _down_until = time.monotonic() + settings.CACHE_RETRY_SECONDS
        if first:
            logger.warning(
                "Cache unreachable (%s during %s); going on without it, sessions from the "
                "database, until it answers again",
                type(exc).__name__,
                operation,
            )
        return fallback
    if _down_until is not None:
        with _lock:
            recovered, _down_until = _down_until is not None, None
        if recovered:
            logger.warning("Cache reachable again")
    return result


def on_recovery(hook: Callable[[], None]) -> None:
    """Run `hook` in this process when the cache is tried again after an outage, before the call
    that tries it; the hook talks to the cache directly and raises if it is still down."""
    _on_recovery.append(hook)


def reset() -> None:
    """Forget an outage (for tests)."""
    global _down_until
    with _lock:
        _down_until = None
