"""Reads for the portal. Every function takes the signed-in employee: nothing here can return
another employee's rows. Payslips and statements exist for the employee only from their
publish date on (R1)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from employees.models import (
    AnnualStatement,
    Employee,
    LeaveBalance,
    LeaveRequest,
    LeaveType,
    Payslip,
)

ZERO = Decimal("0")
WHATS_NEW_DAYS = 30


def payslips_for_employee(employee: Employee, *, today: datetime.date) -> QuerySet[Payslip]:
    return Payslip.objects.filter(employee=employee, publish_date__lte=today)


def payslip_years(employee: Employee, *, today: datetime.date) -> list[int]:
    years = payslips_for_employee(employee, today=today).values_list("year", flat=True)
    return sorted(set(years.order_by()), reverse=True)


def payslip_with_lines(queryset: QuerySet[Payslip]) -> QuerySet[Payslip]:
    return queryset.prefetch_related("lines")


def statements_for_employee(
    employee: Employee, *, today: datetime.date
) -> QuerySet[AnnualStatement]:
    return AnnualStatement.objects.filter(employee=employee, publish_date__lte=today)


@dataclass(frozen=True)
class LeaveRow:
    """One leave type's balance for a year, in hours."""

    leave_type: LeaveType
    entitlement: Decimal
    taken: Decimal
    planned: Decimal  # approved requests that have not started yet

    @property
    def balance(self) -> Decimal:
        return self.entitlement - self.taken - self.planned


def planned_requests(employee: Employee, *, today: datetime.date) -> QuerySet[LeaveRequest]:
    """Approved leave that has not started yet: payroll has not counted it as taken."""
    return LeaveRequest.objects.filter(
        employee=employee, status=LeaveRequest.Status.APPROVED, start_date__gte=today
    )


def _statutory_first(row: LeaveRow) -> tuple:
    return (row.leave_type.kind != LeaveType.Kind.STATUTORY, row.leave_type.name)


def leave_overview(employee: Employee, *, year: int, today: datetime.date) -> list[LeaveRow]:
    """Balances per leave type for `year`: entitlement − taken − planned. One query."""
    planned = (
        planned_requests(employee, today=today)
        .filter(start_date__year=year, leave_type=OuterRef("leave_type"))
        .order_by()
        .values("leave_type")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    balances = (
        LeaveBalance.objects.filter(employee=employee, year=year)
        .select_related("leave_type")
        .annotate(
            planned=Coalesce(
                Subquery(planned, output_field=DecimalField(max_digits=9, decimal_places=2)),
                ZERO,
                output_field=DecimalField(max_digits=9, decimal_places=2),
            )
        )
    )
    rows = [
        LeaveRow(
            leave_type=balance.leave_type,
            entitlement=balance.entitlement_hours,
            taken=balance.taken_hours,
            planned=Decimal(balance.planned),
        )
        for balance in balances
    ]
    rows.sort(
        key=lambda row: (row.leave_type.kind != LeaveType.Kind.STATUTORY, row.leave_type.name)
    )
    return rows


def leave_totals(rows: list[LeaveRow]) -> dict[str, Decimal]:
    return {
        "entitlement": sum((row.entitlement for row in rows), ZERO),
        "taken": sum((row.taken for row in rows), ZERO),
        "planned": sum((row.planned for row in rows), ZERO),
        "balance": sum((row.balance for row in rows), ZERO),
    }


def leave_requests_for_employee(employee: Employee) -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.filter(employee=employee).select_related("leave_type")


def overlapping_open_requests(
    employee: Employee, *, start: datetime.date, end: datetime.date
) -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.filter(
        employee=employee,
        status__in=LeaveRequest.OPEN_STATUSES,
        start_date__lte=end,
        end_date__gte=start,
    )


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
