"""The employee's payslips and annual statements (R1), on screen and as PDF. Each is loaded
through request.employee: another employee's document, or one before its publish date, is a 404."""

from django.http import HttpResponse
from django.utils import timezone

from employees.payroll import pdf
from employees.payroll.selectors import (
    payslip_with_lines,
    payslips_for_employee,
    payslips_of_year,
    statements_for_employee,
)
from employees.portal.access import employee_object_or_404, employee_page, employee_required


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@employee_required
def payslips(request):
    try:
        year = int(request.GET["year"])
    except (KeyError, ValueError):
        year = None
    page = payslips_of_year(request.employee, today=timezone.localdate(), year=year)
    return employee_page(
        request,
        "employees/payroll/payslips.html",
        "payslips",
        payslips=page.payslips,
        years=page.years,
        year=page.year,
    )


def _payslip(request, payslip_id: int):
    visible = payslips_for_employee(request.employee, today=timezone.localdate())
    return employee_object_or_404(payslip_with_lines(visible), request.employee, pk=payslip_id)


@employee_required
def payslip(request, payslip_id):
    slip = _payslip(request, payslip_id)
    lines = list(slip.lines.all())
    return employee_page(
        request,
        "employees/payroll/payslip.html",
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
    return employee_page(
        request, "employees/payroll/statements.html", "statements", statements=rows
    )


def _statement(request, statement_id: int):
    visible = statements_for_employee(request.employee, today=timezone.localdate())
    return employee_object_or_404(visible, request.employee, pk=statement_id)


@employee_required
def statement(request, statement_id):
    return employee_page(
        request,
        "employees/payroll/statement.html",
        "statements",
        statement=_statement(request, statement_id),
    )


@employee_required
def statement_pdf(request, statement_id):
    statement = _statement(request, statement_id)
    return _pdf_response(pdf.annual_statement_pdf(statement), f"jaaropgave-{statement.year}.pdf")
