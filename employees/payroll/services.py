"""Writes for payroll documents and leave. Views, the HR side, the import and the demo data
all come through here."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.mails import employee_mail_queue
from employees.models import AnnualStatement, Employee, LeaveRequest, LeaveType, Payslip
from employees.payroll import mails as payroll_mails  # noqa: F401  (registers the mail kinds queued below)
from employees.portal.selectors import overlapping_open_requests


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
    return bool(changed)


@transaction.atomic
def leave_request_decide(
    *, leave_request: LeaveRequest, approve: bool, actor, note: str = ""
) -> LeaveRequest:
    """Approve or reject a waiting request, once: the conditional update lets exactly one of
    two simultaneous decisions through; the other gets LeaveRequestAlreadyDecided."""
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
    leave_request.status = status
    leave_request.decided_by = actor
    leave_request.decided_at = now
    leave_request.decision_note = note[:500]
    employee_mail_queue(
        kind="leave_decided", employee=leave_request.employee, leave_request_id=leave_request.pk
    )
    return leave_request


@transaction.atomic
def payslip_publish_notify(*, today: datetime.date, employer=None, employees=None) -> int:
    """Tell employees about payslips that have become visible, one mail per employee.

    Each payslip is handled once (`notified_at`); employees without an active portal account or
    an email address are skipped but their payslips are marked too: they would find a mail
    about old payslips confusing once they get access. Returns the number of mails queued.
    """
    due = Payslip.objects.select_for_update(of=("self",)).filter(
        publish_date__lte=today, notified_at__isnull=True
    )
    if employer is not None:
        due = due.filter(employee__employer=employer)
    if employees is not None:
        due = due.filter(employee__in=employees)
    rows = list(
        due.values_list("pk", "employee_id", "employee__email", "employee__user__is_active")
    )
    if not rows:
        return 0
    Payslip.objects.filter(pk__in=[row[0] for row in rows], notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    per_employee: dict[int, list[int]] = defaultdict(list)
    for payslip_id, employee_id, email, active in rows:
        if email and active:
            per_employee[employee_id].append(payslip_id)
    for employee_id, payslip_ids in per_employee.items():
        employee_mail_queue(
            kind="payslip_published",
            employee=Employee(pk=employee_id),
            payslip_ids=sorted(payslip_ids),
        )
    return len(per_employee)


@transaction.atomic
def statement_publish_notify(*, today: datetime.date, employer=None) -> int:
    """Tell employees about annual statements that have become visible; once per statement."""
    due = AnnualStatement.objects.select_for_update(of=("self",)).filter(
        publish_date__lte=today, notified_at__isnull=True
    )
    if employer is not None:
        due = due.filter(employee__employer=employer)
    rows = list(
        due.values_list("pk", "employee_id", "employee__email", "employee__user__is_active")
    )
    if not rows:
        return 0
    AnnualStatement.objects.filter(pk__in=[row[0] for row in rows]).update(
        notified_at=timezone.now()
    )
    queued = 0
    for statement_id, employee_id, email, active in rows:
        if email and active:
            employee_mail_queue(
                kind="statement_published",
                employee=Employee(pk=employee_id),
                statement_id=statement_id,
            )
            queued += 1
    return queued


def documents_publish_notify(*, today: datetime.date, employer=None) -> int:
    """Daily (Celery beat) and after every import: announce what became visible today."""
    return payslip_publish_notify(today=today, employer=employer) + statement_publish_notify(
        today=today, employer=employer
    )
