"""A fixed-window counter in the cache (Redis in production, so every web and worker process counts
in the same place; local memory in development)."""

import hashlib
import time

from django.core.cache import cache

from essportal.web.cache_guard import guarded


def _cache_key(scope: str, key: str, window_seconds: int) -> str:
    # The key is hashed: the cache never holds an address (a client's or a recipient's) in clear,
    # and any length fits.
    bucket = int(time.time() // window_seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"throttle:{scope}:{digest}:{bucket}"


def _count(cache_key: str, window_seconds: int) -> int:
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        return 1


def throttle_hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once the limit for the current window is used up.

    A cache that cannot be reached also answers False: a limit that cannot be counted is
    treated as used up, so an outage never lifts it, and the caller answers as it does when
    throttled instead of failing the request. Only for what may wait out an outage (mails
    asked for by whoever knows an address), never for a step someone must get through.
    """
    cache_key = _cache_key(scope, key, window_seconds)
    count = guarded(f"throttle {scope}", lambda: _count(cache_key, window_seconds), None)
    return count is not None and count <= limit


def throttle_used_up(
    scope: str, key: str, *, limit: int, window_seconds: int, if_unreachable: bool
) -> bool:
    """Whether `limit` attempts were already counted (with `throttle_count`) in this window.

    For limits on failures only: the caller asks first, and counts after the attempt turned out
    to be one. Parallel attempts may each see the last one left, so a few more than the limit
    can be counted; use it only where something exact stands behind it. With the cache
    unreachable the answer is `if_unreachable`: the caller decides whether an outage stops
    everyone or lifts this limit for its duration.
    """
    cache_key = _cache_key(scope, key, window_seconds)
    count = guarded(f"throttle {scope}", lambda: cache.get(cache_key, 0), None)
    if count is None:
        return if_unreachable
    return count >= limit


def throttle_count(scope: str, key: str, *, window_seconds: int) -> None:
    """Count one failure for `throttle_used_up` (not at all while the cache is unreachable)."""
    cache_key = _cache_key(scope, key, window_seconds)
    guarded(f"throttle {scope}", lambda: _count(cache_key, window_seconds), None)
