"""Values worked out from the database and kept in the shared cache (Redis) under *generations*.

A value is stored with the generation of each *scope* it depends on ("access:12", the access
states of employer 12; "portal-employee:7", what employee 7's pages show). Every write that
changes a scope calls `scopes_changed` in its transaction; after the commit the scope gets a new
random generation, and a value stored under the old one is never served again. Replacing the
generation *after* the commit means a value worked out meanwhile from the old rows is stored under
the old generation, which nobody reads any more; a rollback changes nothing.

A value also carries the moment it stops being true without any write (an invitation passing its
expiry), and it lives at most the caller's `seconds`: the bound for a write that has no call.

Every cache call goes through cache_guard.guarded: with the cache down the value is worked out
again, each time. A generation that could not be replaced during an outage is handled by the
*epoch*, shared by all scopes, which a process replaces when the cache answers again.

Users: employees/access_cache.py (the HR list's tab counts) and employees/portal/page_cache.py
(the employee's own pages).
"""

import datetime
import hashlib
import math
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from essportal.web import cache_guard

EPOCH_KEY = "gen-epoch"

T = TypeVar("T")


def generation_key(scope: str) -> str:
    return f"gen:{scope}"


def value_key(prefix: str, parts: Iterable[str]) -> str:
    """The key of a value under `prefix` (its kind and owner), for the parameters it was worked
    out for (`parts`), digested so that any text (a search, a language) makes a short key."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{prefix}:{digest}"


_pending = threading.local()  # the scopes changed in this thread's open transaction


def scopes_changed(*scopes: str) -> None:
    """Call in the transaction of a write that changes what is cached under these scopes. An
    import of thousands may call this thousands of times: it makes one cache call at its
    commit."""
    if not scopes:
        return
    if not hasattr(_pending, "scopes"):
        _pending.scopes = set()
    _pending.scopes |= set(scopes)
    transaction.on_commit(_new_generations)


def _new_generations() -> None:
    # The first callback after a commit takes every scope noted so far (scopes noted in a
    # rolled-back savepoint too: a needless recount, never a missed one); the others find none.
    scopes, _pending.scopes = getattr(_pending, "scopes", set()), set()
    if scopes:
        new = {generation_key(scope): uuid.uuid4().hex for scope in scopes}
        cache_guard.guarded("cache generation", lambda: cache.set_many(new, None), None)


def forget_pending() -> None:
    """Forget the scopes noted in a transaction that was rolled back (for tests: their ids come
    again in the next test)."""
    _pending.scopes = set()


def _new_epoch() -> None:
    # Runs when the cache answers again after an outage: a generation this process could not
    # replace meanwhile must not let an older value through.
    cache.set(EPOCH_KEY, uuid.uuid4().hex, None)


cache_guard.on_recovery(_new_epoch)


def _current(key: str, value: str | None) -> str:
    """The stored generation (or epoch), or a new one when there is none (never set, evicted)."""
    if value is not None:
        return value
    cache.add(key, uuid.uuid4().hex, None)
    return cache.get(key)


def cached(
    scopes: Sequence[str],
    key: str,
    compute: Callable[[], tuple[T, datetime.datetime | None]],
    seconds: int,
) -> T:
    """The value stored under `key`, when it was worked out under the current generation of each
    of `scopes` and is still true; else `compute()`, which returns the value and the moment it
    stops being true by itself (None: not before a write), and stores it for `seconds` at most
    (0: the cache is not used). A hit is one cache round trip."""
    if seconds <= 0:
        return compute()[0]
    generation_keys = [EPOCH_KEY, *(generation_key(scope) for scope in scopes)]
    found = cache_guard.guarded(
        "cached value", lambda: cache.get_many([*generation_keys, key]), None
    )
    if found is None:  # the cache is down: work it out, every time
        return compute()[0]
    now = timezone.now()
    generations = [found.get(k) for k in generation_keys]
    stored = found.get(key)
    if (
        isinstance(stored, dict)
        and None not in generations
        and stored.get("generations") == generations
        and now < stored.get("until", now)
    ):
        return stored["value"]
    if None in generations:
        # Made before working it out: a change committed meanwhile replaces the generation.
        generations = cache_guard.guarded(
            "cache generation",
            lambda: [_current(k, g) for k, g in zip(generation_keys, generations, strict=True)],
            None,
        )
    value, changes_at = compute()
    until = now + datetime.timedelta(seconds=seconds)
    if changes_at is not None:
        until = min(until, changes_at)
    timeout = math.ceil((until - now).total_seconds())
    if generations is not None and timeout > 0:
        stored = {"generations": generations, "until": until, "value": value}
        cache_guard.guarded("cached value", lambda: cache.set(key, stored, timeout), None)
    return value
