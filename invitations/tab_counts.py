"""The numbers on the HR list's access-state tabs: counted in one pass over the employer's
employees, and kept in the cache until an employee's access changes (employees/access_cache.py)."""

import datetime

from django.db.models import Case, CharField, Count, Exists, FilteredRelation, Min, Q, Value, When
from django.utils import timezone

from employees.access_cache import cached_figure
from employees.models import fold_for_search
from invitations.models import OPEN_STATUSES, Invitation
from invitations.selectors import AccessState, EmployeeFilters, searched, undelivered_last


def access_state_counts(employer, filters: EmployeeFilters) -> dict[str, int]:
    """How many of the searched employees are in each access state, and "all": the numbers on
    the list's tabs, from the cache when nothing has changed since they were counted
    (employees/access_cache.py)."""
    words = fold_for_search(filters.q).split()[:5]  # as searched reads them
    employment = filters.employment if filters.employment in ("active", "left") else ""
    return cached_figure(
        employer.pk,
        "tab-counts",
        [employment, *words],
        lambda: access_state_count(employer, filters),
    )


def access_state_count(
    employer, filters: EmployeeFilters
) -> tuple[dict[str, int], datetime.datetime | None]:
    """The counts in one query whatever the tab, and the moment they change by themselves (the
    first pending invitation to expire). Each employee's state is worked out once, from the
    account and the open invitation (joined: at most one per employee, by constraint), and the
    rows are grouped by it: one pass over the employer's rows, not one per state."""
    employees, _words = searched(employer, filters)
    now = timezone.now()
    rows = (
        employees.annotate(
            open_invitation=FilteredRelation(
                "invitations", condition=Q(invitations__status__in=OPEN_STATUSES)
            )
        )
        .annotate(state=_access_state_case(now))
        .values("state")
        .annotate(
            count=Count("pk"),
            next_expiry=Min(
                "open_invitation__expires_at",
                filter=Q(
                    open_invitation__status=Invitation.Status.PENDING,
                    open_invitation__expires_at__gt=now,
                ),
            ),
        )
        .order_by()
    )
    counts = dict.fromkeys(AccessState.values, 0)
    expiries = []
    for row in rows:
        counts[row["state"]] = row["count"]
        if row["next_expiry"] is not None:
            expiries.append(row["next_expiry"])
    counts["all"] = sum(counts.values())
    return counts, min(expiries, default=None)


def _access_state_case(now) -> Case:
    """access_state_of in SQL, over the `open_invitation` relation."""
    Status = Invitation.Status
    return Case(
        When(user__isnull=False, user__is_active=True, then=Value(AccessState.ACTIVE)),
        When(user__isnull=False, then=Value(AccessState.BLOCKED)),
        When(open_invitation__status=Status.LOCKED, then=Value(AccessState.LOCKED)),
        When(open_invitation__expires_at__lte=now, then=Value(AccessState.EXPIRED)),
        When(open_invitation__isnull=False, then=Value(AccessState.INVITED)),
        When(email="", then=Value(AccessState.NO_EMAIL)),
        When(Exists(undelivered_last()), then=Value(AccessState.UNDELIVERED)),
        default=Value(AccessState.NO_ACCESS),
        output_field=CharField(),
    )
