"""The employee's payslips and annual statements (R1), on screen and as PDF. Each is loaded
through request.employee: another employee's document, or one before its publish date, is a 404."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.payroll import pdf
from employees.payroll.selectors import (
    payslip_with_lines,
    payslips_for_employee,
    payslips_of_year,
    statements_for_employee,
)
from employees.portal.access import (
    cached_employee_page,
    employee_object_or_404,
    employee_required,
)
from employees.portal.page_cache import page_content


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# Years a payslip list is kept for: the ones an employee can have. Any other number in the
# address is rendered each time, so that nobody fills the cache with pages of made-up years.
KEPT_YEARS_BACK = 60


@employee_required
def payslips(request):
    this_year = timezone.localdate().year
    try:
        year = int(request.GET["year"])
    except (KeyError, ValueError):
        year = None

    def render(today):
        page = payslips_of_year(request.employee, today=today, year=year)
        context = {"payslips": page.payslips, "years": page.years, "year": page.year}
        return page_content("employees/payroll/payslips.html", _("Payslips"), context)

    keep = year is None or this_year - KEPT_YEARS_BACK <= year <= this_year + 1
    return cached_employee_page(request, "payslips", "payslips", [year], render, keep=keep)


def _payslip(request, payslip_id: int, today=None):
    visible = payslips_for_employee(request.employee, today=today or timezone.localdate())
    return employee_object_or_404(payslip_with_lines(visible), request.employee, pk=payslip_id)


@employee_required
def payslip(request, payslip_id):
    def render(today):
        slip = _payslip(request, payslip_id, today)
        lines = list(slip.lines.all())
        return page_content(
            "employees/payroll/payslip.html",
            _("Payslip %(period)s") % {"period": slip.period_label},
            {
                "payslip": slip,
                "earnings": [ln for ln in lines if ln.kind == ln.Kind.EARNING],
                "deductions": [ln for ln in lines if ln.kind == ln.Kind.DEDUCTION],
                "other": [ln for ln in lines if ln.kind in (ln.Kind.EMPLOYER, ln.Kind.INFO)],
            },
        )

    return cached_employee_page(request, "payslips", "payslip", [payslip_id], render)


@employee_required
def payslip_pdf(request, payslip_id):
    slip = _payslip(request, payslip_id)
    return _pdf_response(pdf.payslip_pdf(slip), f"loonstrook-{slip.file_stem}.pdf")


@employee_required
def statements(request):
    def render(today):
        rows = list(statements_for_employee(request.employee, today=today))
        context = {"statements": rows}
        return page_content("employees/payroll/statements.html", _("Annual statements"), context)

    return cached_employee_page(request, "statements", "statements", [], render)


def _statement(request, statement_id: int, today=None):
    visible = statements_for_employee(request.employee, today=today or timezone.localdate())
    return employee_object_or_404(visible, request.employee, pk=statement_id)


@employee_required
def statement(request, statement_id):
    def render(today):
        found = _statement(request, statement_id, today)
        return page_content(
            "employees/payroll/statement.html",
            _("Annual statement %(year)s") % {"year": found.year},
            {"statement": found, "employee": request.employee},
        )

    return cached_employee_page(request, "statements", "statement", [statement_id], render)


@employee_required
def statement_pdf(request, statement_id):
    statement = _statement(request, statement_id)
    return _pdf_response(pdf.annual_statement_pdf(statement), f"jaaropgave-{statement.year}.pdf")
