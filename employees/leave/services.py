"""Leave requests: the employee asks or cancels, HR decides. The portal pages, the HR pages and
the demo data all come through here."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.leave.selectors import overlapping_open_requests
from employees.mails import employee_mail_queue
from employees.models import Employee, LeaveRequest, LeaveType
from employees.portal.page_cache import portal_pages_changed
from employers.models import AuditEvent
from employers.services import audit_record
from essportal.formats import format_date


class LeaveRequestAlreadyDecided(Exception):
    """Someone else decided (or the employee cancelled) the request first."""


@transaction.atomic
def leave_request_create(
    *,
    employee: Employee,
    leave_type: LeaveType,
    start_date: datetime.date,
    end_date: datetime.date,
    hours: Decimal,
    note: str = "",
) -> LeaveRequest:
    """Input is validated by LeaveRequestForm; the overlap check is repeated here, inside the
    transaction that writes, because two submits can race past the form."""
    if leave_type.employer_id != employee.employer_id:
        raise ValidationError(_("Choose a leave type of your employer."))
    if end_date < start_date:
        raise ValidationError(_("The last day cannot be before the first day."))
    # Lock the employee row so two concurrent requests are checked one after the other.
    Employee.objects.select_for_update(no_key=True).filter(pk=employee.pk).first()
    if overlapping_open_requests(employee, start=start_date, end=end_date).exists():
        raise ValidationError(_("You already have a leave request for (part of) these days."))
    return LeaveRequest.objects.create(
        employee=employee,
        leave_type=leave_type,
        start_date=start_date,
        end_date=end_date,
        hours=hours,
        note=note,
    )


@transaction.atomic
def leave_request_cancel(*, leave_request: LeaveRequest) -> bool:
    """Withdraw a request that is still waiting for a decision. False when it no longer is."""
    changed = LeaveRequest.objects.filter(
        pk=leave_request.pk, status=LeaveRequest.Status.REQUESTED
    ).update(status=LeaveRequest.Status.CANCELLED, updated_at=timezone.now())
    if changed:
        leave_request.status = LeaveRequest.Status.CANCELLED
        portal_pages_changed(employee_ids=[leave_request.employee_id])
    return bool(changed)


@transaction.atomic
def leave_request_decide(
    *,
    leave_request: LeaveRequest,
    approve: bool,
    actor,
    note: str = "",
    ip_address: str | None = None,
) -> LeaveRequest:
    """Approve or reject a waiting request, once: the conditional update lets exactly one of
    two simultaneous decisions through; the other gets LeaveRequestAlreadyDecided. The decision
    is in the audit log, with who decided and from where."""
    now = timezone.now()
    status = LeaveRequest.Status.APPROVED if approve else LeaveRequest.Status.REJECTED
    changed = LeaveRequest.objects.filter(
        pk=leave_request.pk, status=LeaveRequest.Status.REQUESTED
    ).update(
        status=status,
        decided_by=actor,
        decided_at=now,
        decision_note=note[:500],
        updated_at=now,
    )
    if not changed:
        raise LeaveRequestAlreadyDecided
    portal_pages_changed(employee_ids=[leave_request.employee_id])
    leave_request.status = status
    leave_request.decided_by = actor
    leave_request.decided_at = now
    leave_request.decision_note = note[:500]
    audit_record(
        employee=leave_request.employee,
        action=AuditEvent.Action.LEAVE_APPROVED if approve else AuditEvent.Action.LEAVE_REJECTED,
        actor=actor,
        ip_address=ip_address,
        detail=_leave_audit_detail(leave_request),
    )
    employee_mail_queue(
        kind="leave_decided", employee=leave_request.employee, leave_request_id=leave_request.pk
    )
    return leave_request


def _leave_audit_detail(leave_request: LeaveRequest) -> str:
    """Which leave, in a form that reads the same in either language (the row is stored once
    and read in both): the type's own name, the days and the hours. HR's note stays on the
    request."""
    hours = Decimal(leave_request.hours).normalize()
    return (
        f"{leave_request.leave_type.name}, {format_date(leave_request.start_date)} – "
        f"{format_date(leave_request.end_date)}, {hours:f} h"
    )
