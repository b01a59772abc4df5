"""Mail kinds about payroll documents and leave. Imported at startup (EmployeesConfig.ready) so
that the worker knows them, and by payroll_services, which queues them."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from employees.mails import employee_mail
from employees.models import AnnualStatement, LeaveRequest, Payslip
from employees.payroll.formatting import format_hours


def _portal_url(name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name)


@employee_mail("leave_decided")
def leave_decided_values(employee, *, leave_request_id: int):
    leave_request = (
        LeaveRequest.objects.select_related("leave_type")
        .filter(pk=leave_request_id, employee=employee)
        .first()
    )
    if leave_request is None or leave_request.status not in (
        LeaveRequest.Status.APPROVED,
        LeaveRequest.Status.REJECTED,
    ):
        return None
    approved = leave_request.status == LeaveRequest.Status.APPROVED
    with translation.override(employee.language):
        hours = format_hours(leave_request.hours)
    return "leave_approved" if approved else "leave_rejected", {
        "leave_type": leave_request.leave_type.name,
        "leave_start": leave_request.start_date.strftime("%d-%m-%Y"),
        "leave_end": leave_request.end_date.strftime("%d-%m-%Y"),
        "leave_hours": hours,
        "decision_note": leave_request.decision_note,
        "link": _portal_url("portal:leave"),
    }


@employee_mail("payslip_published")
def payslip_published_values(employee, *, payslip_ids: list[int]):
    payslips = list(Payslip.objects.filter(pk__in=payslip_ids, employee=employee))
    if not payslips:
        return None
    with translation.override(employee.language):
        periods = ", ".join(str(p.period_label) for p in payslips)
    return "payslip_published", {"periods": periods, "link": _portal_url("portal:payslips")}


@employee_mail("statement_published")
def statement_published_values(employee, *, statement_id: int):
    statement = AnnualStatement.objects.filter(pk=statement_id, employee=employee).first()
    if statement is None:
        return None
    return "statement_published", {
        "year": str(statement.year),
        "link": _portal_url("portal:statements"),
    }
