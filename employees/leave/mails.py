"""The mail an employee gets when HR approves or rejects a leave request."""

from django.urls import reverse
from django.utils import translation

from employees.formatting import format_hours
from employees.mails import employee_mail
from employees.models import LeaveRequest
from essportal.formats import format_date
from essportal.mail.message import absolute_url


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
        "leave_start": format_date(leave_request.start_date),
        "leave_end": format_date(leave_request.end_date),
        "leave_hours": hours,
        "decision_note": leave_request.decision_note,
        "link": absolute_url(reverse("portal:leave")),
    }
