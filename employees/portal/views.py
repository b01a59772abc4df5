"""The employee's own pages (R1). Every object is loaded through request.employee: another
employee's id is a 404, and so is a document before its publish date."""

import datetime

from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from employees.leave.selectors import leave_overview, leave_totals
from employees.portal.access import cached_employee_page, employee_page, employee_required
from employees.portal.page_cache import page_content
from employees.portal.selectors import WHATS_NEW_DAYS, email_changes_for_employee, home_page
from employees.portal.signals import PREVIOUS_LOGIN_SESSION_KEY
from essportal.web.http import session_end_reason


def _previous_login(request) -> datetime.datetime:
    """The employee's sign-in before this one; without one, the start of the day 30 days ago
    (a whole day, so that the kept home page is the same all day)."""
    value = parse_datetime(request.session.get(PREVIOUS_LOGIN_SESSION_KEY) or "")
    if value:
        return value
    start = timezone.localdate() - datetime.timedelta(days=WHATS_NEW_DAYS)
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time()))


def home(request):
    """The first page: for a visitor, what the site is and where to sign in; for a signed-in
    employee, their overview."""
    if not request.user.is_authenticated and not session_end_reason(request):
        return render(request, "employees/portal/welcome.html")
    return _overview(request)


@employee_required
def _overview(request):
    employee = request.employee
    since = _previous_login(request)

    def render(today):
        leave_on = employee.employer.leave_module
        leave = None
        if leave_on:
            leave = leave_totals(leave_overview(employee, year=today.year, today=today))
        page = home_page(employee, today=today, since=since, include_leave=leave_on)
        return page_content(
            "employees/portal/home.html",
            _("Home"),
            {
                "employee": employee,
                "latest": page.latest_payslip,
                "news": page.news,
                "leave": leave,
                "year": today.year,
            },
        )

    return cached_employee_page(request, "home", "home", [since.isoformat()], render)


@employee_required
def details(request):
    # Changes of the address are listed so that an employee who missed the notice at the old
    # address still sees that mail about the account goes elsewhere now.
    return employee_page(
        request,
        "employees/portal/details.html",
        "details",
        employer=request.employee.employer,
        email_changes=email_changes_for_employee(request.employee),
    )
