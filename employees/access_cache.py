"""Figures about employees' access, cached per employer: the HR list's tab counts.

Counting each access state is one pass over all of an employer's employees (134 ms at 100,000,
bench/hr_list.py), and the list shows the counts on every page. So they are kept in the cache
(Redis in production), each under the employer's *access generation*: a random value that every
change of an employee's access state replaces, through `employer_access_changed`, after its
transaction commits. A figure counted under an older generation is never served again.

A figure also carries the moment it stops being true without any write (an invitation passing
its expiry moves from "invited" to "expired"), worked out in the same count, and it lives at most
ACCESS_COUNTS_CACHE_SECONDS: the bound for a write that has no call (the admin site, a script).

Every cache call goes through cache_guard.guarded: with the cache down the figures are counted
again, each request. A generation that could not be replaced during an outage is handled by
the *epoch*, shared by all employers, which a process replaces when the cache answers again.
"""

import datetime
import hashlib
import math
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from essportal.web import cache_guard

_EPOCH_KEY = "access-epoch"

T = TypeVar("T")


def _generation_key(employer_id: int) -> str:
    return f"access-gen:{employer_id}"


def _figure_key(employer_id: int, name: str, parts: Iterable[str]) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"access-fig:{employer_id}:{name}:{digest}"


_pending = threading.local()  # the employers changed in this thread's open transaction


def employer_access_changed(*employer_ids: int | None) -> None:
    """Call in the transaction of every write that can change an employee's access state, the
    list's search (name, number, email) or its employment filter (end date): a new invitation
    or a new status of one, an account made, blocked or unblocked, an employee created, changed
    or deleted. After the commit the employers' cached figures are counted again; a rollback
    changes nothing. Replacing the generation *after* the commit means a count made meanwhile
    from the old rows is stored under the old generation, which nobody reads any more. An import
    of thousands calls this thousands of times and makes one cache call at its commit."""
    ids = {pk for pk in employer_ids if pk is not None}
    if not ids:
        return
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    _pending.ids |= ids
    transaction.on_commit(_new_generations)


def _new_generations() -> None:
    # The first callback after a commit takes every employer noted so far (ids noted in a
    # rolled-back savepoint too: a needless recount, never a missed one); the others find none.
    ids, _pending.ids = getattr(_pending, "ids", set()), set()
    if ids:
        new = {_generation_key(pk): uuid.uuid4().hex for pk in ids}
        cache_guard.guarded("access generation", lambda: cache.set_many(new, None), None)


def forget_pending() -> None:
    """Forget the employers noted in a transaction that was rolled back (for tests: their
    employer ids come again in the next test)."""
    _pending.ids = set()


def employee_deleted(sender, instance, **kwargs) -> None:
    """post_delete of Employee (connected in EmployeesConfig.ready): the admin site, an employer
    deleted with its employees."""
    employer_access_changed(instance.employer_id)


def _new_epoch() -> None:
    # Runs when the cache answers again after an outage: a generation this process could not
    # replace meanwhile must not let an older figure through.
    cache.set(_EPOCH_KEY, uuid.uuid4().hex, None)


cache_guard.on_recovery(_new_epoch)


def _current(key: str, value: str | None) -> str:
    """The stored generation (or epoch), or a new one when there is none (never set, evicted)."""
    if value is not None:
        return value
    cache.add(key, uuid.uuid4().hex, None)
    return cache.get(key)


def cached_figure(
    employer_id: int,
    name: str,
    parts: Iterable[str],
    count: Callable[[], tuple[T, datetime.datetime | None]],
) -> T:
    """The employer's figure `name` for these parameters (`parts`: what else it depends on), from
    the cache when it was counted under the current generation and is still true; else
    `count()`, which returns the figure and the moment it stops being true by itself (None: not
    before a write). A hit is one cache round trip."""
    seconds = settings.ACCESS_COUNTS_CACHE_SECONDS
    if seconds <= 0:
        return count()[0]
    keys = [_EPOCH_KEY, _generation_key(employer_id), _figure_key(employer_id, name, parts)]
    found = cache_guard.guarded("access figures", lambda: cache.get_many(keys), None)
    if found is None:  # the cache is down: count, every time
        return count()[0]
    now = timezone.now()
    epoch, generation, stored = (found.get(key) for key in keys)
    if (
        stored is not None
        and epoch is not None
        and generation is not None
        and (stored["epoch"], stored["generation"]) == (epoch, generation)
        and now < stored["until"]
    ):
        return stored["figure"]
    if epoch is None or generation is None:
        # Made before counting: a change committed during the count replaces the generation.
        epoch, generation = cache_guard.guarded(
            "access generation",
            lambda: (_current(keys[0], epoch), _current(keys[1], generation)),
            (None, None),
        )
    figure, changes_at = count()
    until = now + datetime.timedelta(seconds=seconds)
    if changes_at is not None:
        until = min(until, changes_at)
    timeout = math.ceil((until - now).total_seconds())
    if epoch is not None and generation is not None and timeout > 0:
        stored = {"epoch": epoch, "generation": generation, "until": until, "figure": figure}
        cache_guard.guarded("access figures", lambda: cache.set(keys[2], stored, timeout), None)
    return figure
