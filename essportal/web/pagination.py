"""Paging long lists (HR's employees, audit log, leave requests) without counting them."""

from django.db.models import QuerySet

# The deepest page a list shows. Beyond it the offset would no longer fit the database's
# integers (a crash), and even below that the database would skip millions of rows to show
# nothing: nobody reads that far, a search finds it.
MAX_PAGE = 10_000


def page_of(queryset: QuerySet, page: int, per_page: int = 25) -> tuple[list, bool]:
    """One page of rows and whether another follows, without counting the whole list."""
    page = min(max(page, 1), MAX_PAGE)
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return rows[:per_page], len(rows) > per_page and page < MAX_PAGE


def page_number(request) -> int:
    """The `page` query parameter, between 1 and MAX_PAGE; anything that is not a number is
    page 1."""
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:  # not a number, or too many digits to read as one
        return 1
    return min(max(page, 1), MAX_PAGE)
