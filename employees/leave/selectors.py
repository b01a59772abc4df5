"""Reads of an employee's leave: balances with what was taken and planned, and open requests.
Every function takes the employee: nothing here can return another employee's rows."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from employees.models import (
    Employee,
    LeaveBalance,
    LeaveRequest,
    LeaveType,
)

ZERO = Decimal("0")


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


def leave_requests_for_employer(employer, *, status: str = "") -> QuerySet[LeaveRequest]:
    """HR's list: waiting requests first, soonest leave first; decided ones newest first after."""
    rows = (
        LeaveRequest.objects.filter(employee__employer=employer)
        .select_related("employee", "leave_type", "decided_by")
        .annotate(
            waiting=Case(
                When(status=LeaveRequest.Status.REQUESTED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "start_date", "-id")
    )
    return rows.filter(status=status) if status else rows


def leave_requests_waiting_count(employer) -> int:
    """How many of the employer's requests await HR's decision: the menu's badge, one count."""
    if not employer.leave_module:
        return 0
    return LeaveRequest.objects.filter(
        employee__employer=employer, status=LeaveRequest.Status.REQUESTED
    ).count()


def leave_requests_waiting_per_employer(employer_ids) -> dict[int, int]:
    """Requests awaiting a decision per employer (where the leave module is on): one query."""
    return dict(
        LeaveRequest.objects.filter(
            employee__employer_id__in=list(employer_ids),
            employee__employer__leave_module=True,
            status=LeaveRequest.Status.REQUESTED,
        )
        .values_list("employee__employer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def leave_requests_waiting_since(employers, since) -> QuerySet[LeaveRequest]:
    """Requests at these employers (leave module on) that came in after `since` and still
    await a decision, per employer and in the order they came in."""
    return (
        leave_requests_of_employers(employers)
        .filter(status=LeaveRequest.Status.REQUESTED, created_at__gt=since)
        .select_related("employee__employer", "leave_type")
        .order_by("employee__employer__name", "employee__employer_id", "created_at", "id")
    )


def leave_requests_of_employers(employers) -> QuerySet[LeaveRequest]:
    """Requests at these employers, where the leave module is on (R2)."""
    return LeaveRequest.objects.select_related("employee__employer", "leave_type").filter(
        employee__employer__in=employers, employee__employer__leave_module=True
    )


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
