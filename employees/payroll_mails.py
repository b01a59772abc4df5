"""Mail kinds about payroll documents and leave. Imported at startup (EmployeesConfig.ready) so
that the worker knows them, and by payroll_services, which queues them."""

from django.conf import settings
from django.urls import reverse

from .mails import employee_mail
from .models import LeaveRequest, Payslip


def _portal_url(name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name)


@employee_mail("leave_decided")
def leave_decided_context(employee, *, leave_request_id: int) -> dict:
    leave_request = (
        LeaveRequest.objects.select_related("leave_type")
        .filter(pk=leave_request_id, employee=employee)
        .first()
    )
    return {
        "leave_request": leave_request,
        "approved": leave_request is not None
        and leave_request.status == LeaveRequest.Status.APPROVED,
        "link": _portal_url("portal:leave"),
    }


@employee_mail("payslip_published")
def payslip_published_context(employee, *, payslip_ids: list[int]) -> dict:
    payslips = list(Payslip.objects.filter(pk__in=payslip_ids, employee=employee))
    return {"payslips": payslips, "link": _portal_url("portal:payslips")}
