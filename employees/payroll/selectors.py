"""Reads of an employee's payslips and annual statements: each exists for the employee only
from its publish date on (R1)."""

import datetime

from django.db.models import QuerySet

from employees.models import (
    AnnualStatement,
    Employee,
    Payslip,
)


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
