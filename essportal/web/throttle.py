"""A fixed-window counter in the cache (Redis in production, so every web and worker process counts
in the same place; local memory in development)."""

import hashlib
import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def throttle_hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once the limit for the current window is used up.

    The key is hashed: the cache never holds an address (a client's or a recipient's) in clear,
    and any length fits. A cache that cannot be reached also answers False: a limit that cannot
    be counted is treated as used up, so an outage never lifts it, and the caller answers as it
    does when throttled instead of failing the request.
    """
    bucket = int(time.time() // window_seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()
    cache_key = f"throttle:{scope}:{digest}:{bucket}"
    try:
        cache.add(cache_key, 0, timeout=window_seconds)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window_seconds)
            count = 1
    except Exception:  # noqa: BLE001 - whatever the cache backend raises when it is down
        logger.warning("Throttle %s could not be counted; treated as used up", scope)
        return False
    return count <= limit
