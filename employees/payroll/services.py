"""Payroll documents: announcing payslips and annual statements to employees once their publish
date has come (the daily beat task, and after every import)."""

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from employees.mails import employee_mail_queue
from employees.models import AnnualStatement, Employee, Payslip


@transaction.atomic
def payslip_publish_notify(*, today: datetime.date, employer=None) -> int:
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
