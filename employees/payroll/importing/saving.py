"""Clean records into the database: bulk upserts of payslips (their lines replaced), annual
statements and leave balances."""

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from employees.models import AnnualStatement, LeaveBalance, LeaveType, Payslip, PayslipLine
from employees.payroll.importing.forms import AnnualStatementForm, PayslipForm
from employees.payroll.importing.result import PayrollImportResult
from employees.payroll.importing.validation import Clean, record_key
from employers.models import Employer


def _existing(model, employer: Employer, items: list[Clean], key: Callable) -> dict:
    years = {item.data["year"] for item in items}
    rows = model.objects.filter(employee__employer=employer, year__in=years)
    return {key(row): row for row in rows}


def _upsert(model, items: Iterable[tuple[Any, dict]], existing: dict, fields: list[str]):
    """Create the new rows and update the existing ones in bulk; returns (created, updated)."""
    now = timezone.now()
    new, changed = [], []
    for key, values in items:
        row = existing.get(key)
        if row is None:
            new.append(model(**values))
        else:
            for name in fields:
                setattr(row, name, values[name])
            row.updated_at = now
            changed.append(row)
    model.objects.bulk_create(new, batch_size=1000)
    if changed:
        model.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=1000)
    return new, changed


def payslips_save(employer: Employer, items: list[Clean], result: PayrollImportResult) -> None:
    if not items:
        return
    existing = _existing(
        Payslip,
        employer,
        items,
        lambda p: (p.employee_id, p.year, p.period_kind, p.period),
    )
    fields = [name for name in PayslipForm.base_fields if name != "employee_number"]
    values = []
    for item in items:
        data = {name: item.data[name] for name in fields}
        values.append(
            (record_key("payslips", item.data), {"employee": item.data["employee"], **data})
        )
    new, changed = _upsert(Payslip, values, existing, fields)
    result.created["payslips"] += len(new)
    result.updated["payslips"] += len(changed)
    PayslipLine.objects.filter(payslip__in=changed).delete()
    by_key = {(p.employee_id, p.year, p.period_kind, p.period): p for p in [*new, *changed]}
    lines = [
        PayslipLine(payslip=by_key[record_key("payslips", item.data)], sort_order=order, **line)
        for item in items
        for order, line in enumerate(item.lines, start=1)
    ]
    PayslipLine.objects.bulk_create(lines, batch_size=2000)
    result.lines += len(lines)


def statements_save(
    employer: Employer, items: list[Clean], result: PayrollImportResult, today: datetime.date
) -> None:
    if not items:
        return
    existing = _existing(AnnualStatement, employer, items, lambda s: (s.employee_id, s.year))
    fields = [name for name in AnnualStatementForm.base_fields if name != "employee_number"]
    values = []
    for item in items:
        data = {name: item.data[name] for name in fields}
        data["publish_date"] = data["publish_date"] or today
        values.append(
            (
                record_key("annual_statements", item.data),
                {"employee": item.data["employee"], **data},
            )
        )
    new, changed = _upsert(AnnualStatement, values, existing, fields)
    result.created["annual_statements"] += len(new)
    result.updated["annual_statements"] += len(changed)


def balances_save(
    employer: Employer,
    items: list[Clean],
    leave_types: dict[str, LeaveType],
    result: PayrollImportResult,
) -> None:
    if not items:
        return
    for item in items:
        data, code = item.data, item.data["leave_type_code"]
        leave_type = leave_types.get(code)
        name = data["leave_type_name"]
        kind = data["leave_type_kind"]
        if leave_type is None:
            leave_type = LeaveType.objects.create(
                employer=employer, code=code, name=name, kind=kind or LeaveType.Kind.STATUTORY
            )
            leave_types[code] = leave_type
        elif (name and name != leave_type.name) or (kind and kind != leave_type.kind):
            leave_type.name = name or leave_type.name
            leave_type.kind = kind or leave_type.kind
            leave_type.save(update_fields=["name", "kind"])
    existing = _existing(
        LeaveBalance, employer, items, lambda b: (b.employee_id, b.leave_type_id, b.year)
    )
    fields = ["entitlement_hours", "taken_hours"]
    values = [
        (
            (
                item.data["employee"].pk,
                leave_types[item.data["leave_type_code"]].pk,
                item.data["year"],
            ),
            {
                "employee": item.data["employee"],
                "leave_type": leave_types[item.data["leave_type_code"]],
                "year": item.data["year"],
                **{name: item.data[name] for name in fields},
            },
        )
        for item in items
    ]
    new, changed = _upsert(LeaveBalance, values, existing, fields)
    result.created["leave_balances"] += len(new)
    result.updated["leave_balances"] += len(changed)
