"""Paging long lists (HR's employees, audit log, leave requests) without counting them."""

from django.db.models import QuerySet


def page_of(queryset: QuerySet, page: int, per_page: int = 25) -> tuple[list, bool]:
    """One page of rows and whether another follows, without counting the whole list."""
    page = max(page, 1)
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def page_number(request) -> int:
    """The `page` query parameter; anything that is not a positive number is page 1."""
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1
