"""The employee's own pages, kept rendered in the shared cache (Redis) until something they show
changes.

An employee reads the same few pages again and again, and they change a few times a month: a
payroll import, a leave request, HR's decision. Working a page out costs one to four queries and
its template (bench/README.md, "Portal pages from the cache"); serving it from the cache costs one
round trip to Redis. What is kept is the page's own part (its title and its `<main>` content); the
menu, the messages and the language switch are rendered on every request.

A kept page is valid under two generations (essportal/web/generation_cache.py): the employee's
(`portal-employee:<id>`) and the employer's (`portal-employer:<id>`). They are replaced after the
commit of every write that can change what a page shows:
- a save or delete of a payslip, annual statement, leave balance, leave request or leave type, of
  the employee or of the employer (signals, connected in EmployeesConfig.ready: the services, the
  admin site and every other save() or delete() of one row);
- the writes that go around those signals, each with its own call to `portal_pages_changed`: the
  payroll import (bulk), withdrawing and deciding leave (UPDATE), the demo data (bulk).
PORTAL_PAGE_CACHE_SECONDS bounds a write that has neither (SQL by hand).

The key holds the employee, the page and its arguments, the language, today's date (a document
shows from its publish date on, R1, and a kept page ends at midnight) and the release (a digest
of the code, templates and translations, so a deploy never serves a page its old code made).
Only a page that was rendered for this employee is kept: another employee's document, or one not
yet published, is a 404 before anything is stored, and the key of a page holds its owner.

A CSRF token is never kept: a page with forms is rendered with a placeholder, which each request
replaces with its own token.
"""

import datetime
import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from essportal.web import generation_cache


@functools.cache
def csrf_placeholder() -> str:
    """Rendered where {% csrf_token %} puts the token, and replaced by the request's own token.
    Derived from SECRET_KEY: the same in every process (a page kept by one is served by all),
    and no text an employee or HR writes can hold it by chance or on purpose."""
    return "csrf-" + salted_hmac("essportal.portal.page_cache", "csrf placeholder").hexdigest()


@dataclass(frozen=True)
class PageContent:
    title: str
    html: SafeString


def employee_scope(employee_id: int) -> str:
    return f"portal-employee:{employee_id}"


def employer_scope(employer_id: int) -> str:
    return f"portal-employer:{employer_id}"


def portal_pages_changed(
    *, employee_ids: Iterable[int | None] = (), employer_ids: Iterable[int | None] = ()
) -> None:
    """Call in the transaction of a write that changes what an employee's pages show (for every
    employee of an employer: `employer_ids`). After the commit their kept pages are rendered
    again; a rollback changes nothing."""
    generation_cache.scopes_changed(
        *(employee_scope(pk) for pk in employee_ids if pk is not None),
        *(employer_scope(pk) for pk in employer_ids if pk is not None),
    )


def employee_row_changed(sender, instance, **kwargs) -> None:
    """post_save and post_delete of the rows that belong to one employee."""
    portal_pages_changed(employee_ids=[instance.employee_id])


def employee_changed(sender, instance, **kwargs) -> None:
    portal_pages_changed(employee_ids=[instance.pk])


def employer_row_changed(sender, instance, **kwargs) -> None:
    """post_save and post_delete of a leave type (its name shows on every leave page)."""
    portal_pages_changed(employer_ids=[instance.employer_id])


def employer_changed(sender, instance, **kwargs) -> None:
    portal_pages_changed(employer_ids=[instance.pk])


def page_content(template: str, title: str, context: dict) -> PageContent:
    """Render a page's own part. It is rendered without the request, so that nothing of one
    request (its CSRF token, its path) can be kept for the next."""
    html = render_to_string(template, {"csrf_token": csrf_placeholder(), **context})
    return PageContent(title=title, html=html)


def cached_page_content(
    request,
    page: str,
    arguments: Iterable[object],
    render: Callable[[datetime.date], PageContent],
    today: datetime.date,
) -> PageContent:
    """The page's own part for the signed-in employee on `today`: kept, or `render(today)`ed and
    kept (the day is worked out once, so that a request around midnight cannot keep tomorrow's
    documents under today's key, R1). `page` and `arguments` name it (with the employee, the
    language and the day); `render` may raise Http404, and then nothing is kept. Its forms still
    hold the placeholder: with_csrf_token."""
    employee = request.employee
    parts = [_release(), translation.get_language() or "", today.isoformat(), page]
    parts += [str(argument) for argument in arguments]
    return generation_cache.cached(
        [employer_scope(employee.employer_id), employee_scope(employee.pk)],
        generation_cache.value_key(f"portal-page:{employee.pk}", parts),
        lambda: (render(today), _next_midnight(today)),
        settings.PORTAL_PAGE_CACHE_SECONDS,
    )


def with_csrf_token(request, content: PageContent) -> PageContent:
    """The page's own part with this request's CSRF token where its forms need one."""
    placeholder = csrf_placeholder()
    if placeholder not in content.html:
        return content
    html = mark_safe(content.html.replace(placeholder, get_token(request)))  # noqa: S308 - the token is letters and digits
    return PageContent(title=content.title, html=html)


def _next_midnight(today: datetime.date) -> datetime.datetime:
    tomorrow = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(tomorrow)


@functools.cache
def _release() -> str:
    """A digest of the project's code, templates and compiled translations, read once per
    process: a page kept by one release is never served by the next."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    folders = ["employees", "employers", "essportal", "invitations", "templates", "locale"]
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".mo"} and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
