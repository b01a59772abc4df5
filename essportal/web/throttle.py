"""A fixed-window counter per client address, in the cache (Redis in production)."""

import time

from django.core.cache import cache


def throttle_hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once the limit for the current window is used up."""
    bucket = int(time.time() // window_seconds)
    cache_key = f"throttle:{scope}:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
