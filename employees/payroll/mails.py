"""Mails announcing new payslips and annual statements. Imported at startup
(EmployeesConfig.ready), so that the web process and the worker know these kinds."""

from django.urls import reverse
from django.utils import translation

from employees.mails import employee_mail
from employees.models import AnnualStatement, Payslip
from essportal.mail.message import absolute_url


@employee_mail("payslip_published")
def payslip_published_values(employee, *, payslip_ids: list[int]):
    payslips = list(Payslip.objects.filter(pk__in=payslip_ids, employee=employee))
    if not payslips:
        return None
    with translation.override(employee.language):
        periods = ", ".join(str(p.period_label) for p in payslips)
    return "payslip_published", {
        "periods": periods,
        "link": absolute_url(reverse("portal:payslips")),
    }


@employee_mail("statement_published")
def statement_published_values(employee, *, statement_id: int):
    statement = AnnualStatement.objects.filter(pk=statement_id, employee=employee).first()
    if statement is None:
        return None
    return "statement_published", {
        "year": str(statement.year),
        "link": absolute_url(reverse("portal:statements")),
    }
