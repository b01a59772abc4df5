"""Demo payroll: a year of monthly payslips, last year's annual statement and, where the leave
module is on, leave types, balances and a few requests. Called by employers.hr.demo.demo_seed.

The figures are plausible, not exact: a simplified wage tax (one rate minus a flat monthly tax
credit), a pension premium over the wage above a franchise, and the 8% holiday allowance
reserved as an information line. Idempotent: only what is missing is added, in bulk.
"""

import datetime
from calendar import monthrange
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from employees.models import (
    AnnualStatement,
    Employee,
    LeaveBalance,
    LeaveRequest,
    LeaveType,
    Payslip,
    PayslipLine,
)
from employees.portal.page_cache import portal_pages_changed
from employers.models import Employer

CENT = Decimal("0.01")
TAX_RATE = Decimal("0.3582")  # first bracket, tax and national insurance together
MONTHLY_TAX_CREDIT = Decimal("560.00")  # general tax credit + labour tax credit, roughly
PENSION_RATE = Decimal("0.075")
PENSION_FRANCHISE = Decimal("1500.00")  # per month
HOLIDAY_ALLOWANCE_RATE = Decimal("0.08")
ZVW_RATE = Decimal("0.0651")
ZVW_MAX_WAGE = Decimal("75864.00")
LEAVE_TYPES = [
    ("WV", "Wettelijk verlof", LeaveType.Kind.STATUTORY),
    ("BWV", "Bovenwettelijk verlof", LeaveType.Kind.EXTRA_STATUTORY),
]
STATUTORY_HOURS = Decimal("152")  # four weeks of 38 hours
EXTRA_HOURS = Decimal("40")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _gross(employee: Employee) -> Decimal:
    # 2,400 to 4,950 a month, spread by employee number.
    return Decimal(2400 + (sum(map(ord, employee.number)) * 137) % 52 * 50)


def _months(today: datetime.date) -> list[tuple[int, int]]:
    """The twelve months up to and including this one, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(12):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _employed(employee: Employee, start: datetime.date, end: datetime.date) -> bool:
    return employee.start_date <= end and (employee.end_date is None or employee.end_date >= start)


def _tax_number(employer: Employer) -> str:
    return f"{8_100_000_00 + employer.pk * 7919 % 10_000_000:09d}L01"


@transaction.atomic
def demo_payroll(*, employer: Employer, employees: Iterable[Employee], today: datetime.date) -> int:
    """Add the missing demo payroll data for these employees; returns how many rows it made."""
    employees = list(employees)
    created = _payslips(employees, today)
    created += _statements(employer, employees, today)
    if employer.leave_module:
        created += _leave(employer, employees, today)
    portal_pages_changed(employer_ids=[employer.pk])  # made in bulk, around the signals
    return created


def _payslips(employees: list[Employee], today: datetime.date) -> int:
    months = _months(today)
    existing = set(
        Payslip.objects.filter(
            employee__in=employees, period_kind=Payslip.PeriodKind.MONTHLY
        ).values_list("employee_id", "year", "period")
    )
    payslips, line_sets = [], []
    for employee in employees:
        cumulative = {}
        for year, month in months:
            start = datetime.date(year, month, 1)
            end = datetime.date(year, month, monthrange(year, month)[1])
            if not _employed(employee, start, end):
                continue
            gross = _gross(employee)
            pension = _money(max(gross - PENSION_FRANCHISE, Decimal(0)) * PENSION_RATE)
            fiscal = gross - pension
            tax = _money(max(fiscal * TAX_RATE - MONTHLY_TAX_CREDIT, Decimal(0)))
            totals = cumulative.setdefault(year, [Decimal(0)] * 3)
            totals[0] += gross
            totals[1] += fiscal
            totals[2] += tax
            if (employee.pk, year, month) in existing:
                continue
            payslips.append(
                Payslip(
                    employee=employee,
                    year=year,
                    period=month,
                    period_kind=Payslip.PeriodKind.MONTHLY,
                    period_start=start,
                    period_end=end,
                    pay_date=datetime.date(year, month, 25),
                    # This month's payslip appears on the 23rd: until then it is invisible.
                    publish_date=datetime.date(year, month, 23),
                    gross_wage=gross,
                    net_pay=gross - pension - tax,
                    wage_tax=tax,
                    fiscal_wage=fiscal,
                    tax_table=Payslip.TaxTable.WHITE,
                    tax_credit_applied=True,
                    special_rate_percentage=Decimal("37.48"),
                    cumulative_gross_wage=totals[0],
                    cumulative_fiscal_wage=totals[1],
                    cumulative_wage_tax=totals[2],
                    # Demo history is not news: nobody gets a mail about it.
                    notified_at=timezone.now(),
                )
            )
            line_sets.append(
                [
                    ("1000", "Salaris", PayslipLine.Kind.EARNING, gross),
                    ("4000", "Loonheffing", PayslipLine.Kind.DEDUCTION, tax),
                    ("5100", "Pensioenpremie werknemer", PayslipLine.Kind.DEDUCTION, pension),
                    ("7100", "Pensioenpremie werkgever", PayslipLine.Kind.EMPLOYER, pension * 2),
                    (
                        "7200",
                        "Werkgeversheffing Zvw",
                        PayslipLine.Kind.EMPLOYER,
                        _money(gross * ZVW_RATE),
                    ),
                    (
                        "9000",
                        "Reservering vakantiegeld 8%",
                        PayslipLine.Kind.INFO,
                        _money(gross * HOLIDAY_ALLOWANCE_RATE),
                    ),
                ]
            )
    Payslip.objects.bulk_create(payslips, batch_size=1000)
    lines = [
        PayslipLine(
            payslip=payslip,
            sort_order=order,
            code=code,
            description=description,
            kind=kind,
            amount=amount,
        )
        for payslip, line_set in zip(payslips, line_sets, strict=True)
        for order, (code, description, kind, amount) in enumerate(line_set, start=1)
    ]
    PayslipLine.objects.bulk_create(lines, batch_size=2000)
    return len(payslips) + len(lines)


def _statements(employer: Employer, employees: list[Employee], today: datetime.date) -> int:
    year = today.year - 1
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    existing = set(
        AnnualStatement.objects.filter(employee__in=employees, year=year).values_list(
            "employee_id", flat=True
        )
    )
    statements = []
    for employee in employees:
        if employee.pk in existing or not _employed(employee, first, last):
            continue
        start = max(first, employee.start_date)
        end = min(last, employee.end_date or last)
        months = Decimal((end.year - start.year) * 12 + end.month - start.month + 1)
        gross = _gross(employee)
        pension = _money(max(gross - PENSION_FRANCHISE, Decimal(0)) * PENSION_RATE)
        fiscal = (gross - pension) * months
        tax = _money(max((gross - pension) * TAX_RATE - MONTHLY_TAX_CREDIT, Decimal(0)) * months)
        zvw_wage = min(gross * months, ZVW_MAX_WAGE)
        statements.append(
            AnnualStatement(
                employee=employee,
                year=year,
                fiscal_wage=fiscal,
                wage_tax_withheld=tax,
                tax_credit_applied=True,
                tax_credit_from=start,
                tax_credit_until=end,
                insured_wage=gross * months,
                zvw_wage=zvw_wage,
                zvw_contribution=_money(zvw_wage * ZVW_RATE),
                employer_tax_number=_tax_number(employer),
                publish_date=datetime.date(today.year, 1, 20),
            )
        )
    AnnualStatement.objects.bulk_create(statements, batch_size=1000)
    return len(statements)


def _leave(employer: Employer, employees: list[Employee], today: datetime.date) -> int:
    created = 0
    types = {}
    for code, name, kind in LEAVE_TYPES:
        types[code], new = LeaveType.objects.get_or_create(
            employer=employer, code=code, defaults={"name": name, "kind": kind}
        )
        created += new
    active = [e for e in employees if e.end_date is None or e.end_date >= today]
    existing = set(
        LeaveBalance.objects.filter(employee__in=active, year=today.year).values_list(
            "employee_id", "leave_type_id"
        )
    )
    taken_so_far = Decimal(today.month - 1) * 8  # about a day a month
    balances = [
        LeaveBalance(
            employee=employee,
            leave_type=leave_type,
            year=today.year,
            entitlement_hours=STATUTORY_HOURS if code == "WV" else EXTRA_HOURS,
            taken_hours=taken_so_far if code == "WV" else Decimal(0),
        )
        for employee in active
        for code, leave_type in types.items()
        if (employee.pk, leave_type.pk) not in existing
    ]
    LeaveBalance.objects.bulk_create(balances, batch_size=1000)
    created += len(balances)

    # A few requests, only for employees who have none yet: one waiting, one approved, one
    # rejected with a note.
    have_requests = set(
        LeaveRequest.objects.filter(employee__in=active).values_list("employee_id", flat=True)
    )
    in_a_month = today + datetime.timedelta(days=30)
    requests = []
    for index, employee in enumerate(active[:6]):
        if employee.pk in have_requests:
            continue
        start = in_a_month + datetime.timedelta(days=7 * index)
        match index % 3:
            case 0:
                status, note = LeaveRequest.Status.REQUESTED, ""
            case 1:
                status, note = LeaveRequest.Status.APPROVED, "Fijne vakantie!"
            case _:
                status, note = LeaveRequest.Status.REJECTED, "Te druk in deze week, sorry."
        requests.append(
            LeaveRequest(
                employee=employee,
                leave_type=types["WV"],
                start_date=start,
                end_date=start + datetime.timedelta(days=4),
                hours=Decimal("38"),
                note=_holiday_name(start),
                status=status,
                decision_note=note,
                decided_at=None if status == LeaveRequest.Status.REQUESTED else timezone.now(),
            )
        )
    LeaveRequest.objects.bulk_create(requests)
    return created + len(requests)


# What a Dutch employee would call a week off in that month (the school holidays' names).
HOLIDAY_NAMES = {
    1: "Kerstvakantie",
    2: "Voorjaarsvakantie",
    3: "Weekje vrij",
    4: "Meivakantie",
    5: "Meivakantie",
    6: "Weekje vrij",
    7: "Zomervakantie",
    8: "Zomervakantie",
    9: "Weekje vrij",
    10: "Herfstvakantie",
    11: "Weekje vrij",
    12: "Kerstvakantie",
}


def _holiday_name(start: datetime.date) -> str:
    return HOLIDAY_NAMES[start.month]
