"""Reads of an employee's payslips and annual statements: each exists for the employee only
from its publish date on (R1)."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from employees.models import (
    AnnualStatement,
    Employee,
    Payslip,
)


def payslips_for_employee(employee: Employee, *, today: datetime.date) -> QuerySet[Payslip]:
    return Payslip.objects.filter(employee=employee, publish_date__lte=today)


@dataclass(frozen=True)
class PayslipYear:
    """The list page: one year's payslips, newest first, and every year that has any."""

    year: int
    payslips: list[Payslip]
    years: list[int]


def payslips_of_year(employee: Employee, *, today: datetime.date, year: int | None) -> PayslipYear:
    """One query for the page: an employee has a few hundred payslips at most (13 a year), so
    all visible ones are read and split by year here. Without a year, or with one that has
    none, the newest year with payslips (or this year, without any)."""
    rows = list(payslips_for_employee(employee, today=today).order_by("-period_start", "-id"))
    years = sorted({row.year for row in rows}, reverse=True)
    if year is None:
        year = years[0] if years else today.year
    return PayslipYear(year=year, payslips=[row for row in rows if row.year == year], years=years)


def payslip_with_lines(queryset: QuerySet[Payslip]) -> QuerySet[Payslip]:
    return queryset.prefetch_related("lines")


def statements_for_employee(
    employee: Employee, *, today: datetime.date
) -> QuerySet[AnnualStatement]:
    return AnnualStatement.objects.filter(employee=employee, publish_date__lte=today)
