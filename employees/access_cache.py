"""Figures about employees' access, cached per employer: the HR list's tab counts.

Counting each access state is one pass over all of an employer's employees (134 ms at 100,000,
bench/hr_list.py), and the list shows the counts on every page. So they are kept in the cache
(Redis in production) under the employer's *access generation* (essportal/web/generation_cache.py),
which every change of an employee's access state replaces, through `employer_access_changed`,
after its transaction commits. A figure counted under an older generation is never served again.

A figure also carries the moment it stops being true without any write (an invitation passing
its expiry moves from "invited" to "expired"), worked out in the same count, and it lives at most
ACCESS_COUNTS_CACHE_SECONDS: the bound for a write that has no call (the admin site, a script).
"""

import datetime
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings

from essportal.web import generation_cache

T = TypeVar("T")


def access_scope(employer_id: int) -> str:
    return f"access:{employer_id}"


def employer_access_changed(*employer_ids: int | None) -> None:
    """Call in the transaction of every write that can change an employee's access state, the
    list's search (name, number, email) or its employment filter (end date): a new invitation
    or a new status of one, an account made, blocked or unblocked, an employee created, changed
    or deleted. After the commit the employers' cached figures are counted again; a rollback
    changes nothing."""
    generation_cache.scopes_changed(*(access_scope(pk) for pk in employer_ids if pk is not None))


def employee_deleted(sender, instance, **kwargs) -> None:
    """post_delete of Employee (connected in EmployeesConfig.ready): the admin site, an employer
    deleted with its employees."""
    employer_access_changed(instance.employer_id)


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
    return generation_cache.cached(
        [access_scope(employer_id)],
        # "access-counts", not the "access-fig" of the release before: its entries have another
        # shape, and during a rolling deploy neither release must read the other's.
        generation_cache.value_key(f"access-counts:{employer_id}:{name}", parts),
        count,
        settings.ACCESS_COUNTS_CACHE_SECONDS,
    )
