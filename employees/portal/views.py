"""The employee's own pages (R1). Every object is loaded through request.employee: another
employee's id is a 404, and so is a document before its publish date."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from employees.leave.forms import LeaveRequestForm
from employees.models import LeaveRequest
from employees.payroll import pdf
from employees.payroll.services import leave_request_cancel, leave_request_create
from employees.portal.access import employee_object_or_404, employee_required, leave_module_required
from employees.portal.selectors import (
    WHATS_NEW_DAYS,
    home_page,
    leave_overview,
    leave_requests_for_employee,
    leave_totals,
    payslip_with_lines,
    payslip_years,
    payslips_for_employee,
    statements_for_employee,
)
from employees.portal.signals import PREVIOUS_LOGIN_SESSION_KEY


def _page(request, template: str, nav: str, **context):
    return render(request, template, {"employee": request.employee, "nav": nav, **context})


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _previous_login(request) -> datetime.datetime:
    fallback = timezone.now() - datetime.timedelta(days=WHATS_NEW_DAYS)
    value = parse_datetime(request.session.get(PREVIOUS_LOGIN_SESSION_KEY) or "")
    return value or fallback


@employee_required
def home(request):
    employee = request.employee
    today = timezone.localdate()
    leave_on = employee.employer.leave_module
    leave = (
        leave_totals(leave_overview(employee, year=today.year, today=today)) if leave_on else None
    )
    page = home_page(employee, today=today, since=_previous_login(request), include_leave=leave_on)
    return _page(
        request,
        "portal/home.html",
        "home",
        latest=page.latest_payslip,
        news=page.news,
        leave=leave,
        year=today.year,
    )


@employee_required
def payslips(request):
    today = timezone.localdate()
    years = payslip_years(request.employee, today=today)
    try:
        year = int(request.GET["year"])
    except (KeyError, ValueError):
        year = years[0] if years else today.year
    rows = payslips_for_employee(request.employee, today=today).filter(year=year)
    return _page(
        request,
        "portal/payslips.html",
        "payslips",
        payslips=rows.order_by("-period_start", "-id"),
        years=years,
        year=year,
    )


def _payslip(request, payslip_id: int):
    visible = payslips_for_employee(request.employee, today=timezone.localdate())
    return employee_object_or_404(payslip_with_lines(visible), request.employee, pk=payslip_id)


@employee_required
def payslip(request, payslip_id):
    slip = _payslip(request, payslip_id)
    lines = list(slip.lines.all())
    return _page(
        request,
        "portal/payslip.html",
        "payslips",
        payslip=slip,
        earnings=[ln for ln in lines if ln.kind == ln.Kind.EARNING],
        deductions=[ln for ln in lines if ln.kind == ln.Kind.DEDUCTION],
        other=[ln for ln in lines if ln.kind in (ln.Kind.EMPLOYER, ln.Kind.INFO)],
    )


@employee_required
def payslip_pdf(request, payslip_id):
    slip = _payslip(request, payslip_id)
    return _pdf_response(pdf.payslip_pdf(slip), f"loonstrook-{slip.file_stem}.pdf")


@employee_required
def statements(request):
    rows = statements_for_employee(request.employee, today=timezone.localdate())
    return _page(request, "portal/statements.html", "statements", statements=rows)


def _statement(request, statement_id: int):
    visible = statements_for_employee(request.employee, today=timezone.localdate())
    return employee_object_or_404(visible, request.employee, pk=statement_id)


@employee_required
def statement(request, statement_id):
    return _page(
        request,
        "portal/statement.html",
        "statements",
        statement=_statement(request, statement_id),
    )


@employee_required
def statement_pdf(request, statement_id):
    statement = _statement(request, statement_id)
    return _pdf_response(pdf.annual_statement_pdf(statement), f"jaaropgave-{statement.year}.pdf")


@leave_module_required
def leave(request):
    today = timezone.localdate()
    rows = leave_overview(request.employee, year=today.year, today=today)
    return _page(
        request,
        "portal/leave.html",
        "leave",
        year=today.year,
        rows=rows,
        totals=leave_totals(rows),
        requests=leave_requests_for_employee(request.employee)[:100],
    )


@leave_module_required
def leave_request(request):
    form = LeaveRequestForm(
        request.POST or None, employee=request.employee, today=timezone.localdate()
    )
    if request.method == "POST" and form.is_valid():
        try:
            leave_request_create(employee=request.employee, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your leave request was sent to your employer."))
            return redirect("portal:leave")
    return _page(request, "portal/leave_request.html", "leave", form=form)


@require_POST
@leave_module_required
def leave_cancel(request, request_id):
    leave_request = employee_object_or_404(
        LeaveRequest.objects.all(), request.employee, pk=request_id
    )
    if leave_request_cancel(leave_request=leave_request):
        messages.success(request, _("Your leave request was withdrawn."))
    else:
        messages.error(request, _("This request has already been decided and cannot be withdrawn."))
    return redirect("portal:leave")


@employee_required
def details(request):
    return _page(request, "portal/details.html", "details", employer=request.employee.employer)
