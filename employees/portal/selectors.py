"""Reads for the portal. Every function takes the signed-in employee: nothing here can return
another employee's rows. Payslips and statements exist for the employee only from their
publish date on (R1)."""

import datetime
from dataclasses import dataclass

from employees.leave.selectors import leave_requests_for_employee
from employees.models import (
    AnnualStatement,
    EmailChange,
    Employee,
    LeaveRequest,
    Payslip,
)
from employees.payroll.selectors import payslips_for_employee, statements_for_employee

WHATS_NEW_DAYS = 30


@dataclass(frozen=True)
class WhatsNew:
    payslips: list[Payslip]
    statements: list[AnnualStatement]
    decisions: list[LeaveRequest]

    def __bool__(self) -> bool:
        return bool(self.payslips or self.statements or self.decisions)


@dataclass(frozen=True)
class HomePage:
    latest_payslip: Payslip | None
    news: WhatsNew


def home_page(
    employee: Employee,
    *,
    today: datetime.date,
    since: datetime.datetime,
    include_leave: bool,
) -> HomePage:
    """The latest payslip, and what is new: documents published in the last 30 days and leave
    decisions taken since `since` (the employee's previous sign-in)."""
    recent_from = today - datetime.timedelta(days=WHATS_NEW_DAYS)
    # One query serves both the latest payslip and the news: the most recently published ones.
    newest = list(
        payslips_for_employee(employee, today=today).order_by("-publish_date", "-pay_date", "-id")[
            :6
        ]
    )
    latest = max(newest, key=lambda p: (p.pay_date, p.pk), default=None)
    payslips = [p for p in newest if p.publish_date > recent_from]
    statements = list(
        statements_for_employee(employee, today=today).filter(publish_date__gt=recent_from)[:3]
    )
    decisions = []
    if include_leave:
        decisions = list(
            leave_requests_for_employee(employee)
            .filter(
                status__in=(LeaveRequest.Status.APPROVED, LeaveRequest.Status.REJECTED),
                decided_at__gt=since,
            )
            .order_by("-decided_at")[:6]
        )
    return HomePage(
        latest_payslip=latest,
        news=WhatsNew(payslips=payslips, statements=statements, decisions=decisions),
    )


def email_changes_for_employee(employee: Employee, *, limit: int = 5) -> list[EmailChange]:
    """The latest changes of the employee's address, newest first (shown masked)."""
    return list(EmailChange.objects.filter(employee=employee)[:limit])
