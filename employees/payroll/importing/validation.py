"""Raw records to clean data: every field, the employee, and the checks across records."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from employees.models import Employee, LeaveType, Payslip
from employees.payroll.importing.reading import Record
from employees.payroll.importing.result import PayrollImportResult
from employees.payroll.importing.rows import (
    FIELDS,
    KINDS,
    LINE_FIELDS,
    PAYSLIP_FIELDS,
    Field,
    is_blank,
)


def _clean(record: Record, fields: dict[str, Field], result: PayrollImportResult) -> dict | None:
    data: dict[str, Any] = {}
    ok = True
    for name in record.values:
        if name not in fields:
            result.add_error(_("Unknown field."), **record.where(name))
            ok = False
    for name, spec in fields.items():
        value = record.values.get(name)
        if is_blank(value):
            if spec.required:
                result.add_error(_("This field is required."), **record.where(name))
                ok = False
            data[name] = spec.default
            continue
        try:
            data[name] = spec.parse(value)
        except ValueError as error:
            result.add_error(str(error), **record.where(name))
            ok = False
    return data if ok else None


@dataclass
class Clean:
    data: dict
    record: Record
    lines: list[dict] = field(default_factory=list)


def records_validate(
    records: dict[str, list[Record]],
    employees: dict[str, Employee],
    result: PayrollImportResult,
    *,
    grouped_lines: bool,
) -> dict[str, list[Clean]]:
    cleaned: dict[str, list[Clean]] = {kind: [] for kind in KINDS}
    for kind, items in records.items():
        keys: dict[tuple, Clean] = {}
        for record in items:
            data = _clean(record, FIELDS[kind], result)
            if data is None:
                # Still check the lines, so that one run reports every problem.
                for line in record.lines:
                    _clean(line, LINE_FIELDS, result)
                continue
            employee = employees.get(data["employee_number"])
            if employee is None:
                result.add_error(
                    _("No employee with number %(number)s at this employer.")
                    % {"number": data["employee_number"]},
                    **record.where("employee_number"),
                )
                continue
            data["employee"] = employee
            lines = [line for line in (_clean(r, LINE_FIELDS, result) for r in record.lines)]
            if any(line is None for line in lines) or not _check(kind, data, record, result):
                continue
            key = record_key(kind, data)
            if key in keys:
                first = keys[key]
                if grouped_lines:
                    # CSV: another line item of a payslip seen before; its columns must agree.
                    _check_same_payslip(first, data, record, result)
                    first.lines += lines
                    continue
                result.add_error(
                    _("Appears twice in the file (also at %(other)s).")
                    % {"other": first.record.label()},
                    **record.where(),
                )
                continue
            keys[key] = Clean(data=data, record=record, lines=lines)
        cleaned[kind] = list(keys.values())
    return cleaned


def record_key(kind: str, data: dict) -> tuple:
    employee_id = data["employee"].pk
    if kind == "payslips":
        return (employee_id, data["year"], data["period_kind"], data["period"])
    if kind == "annual_statements":
        return (employee_id, data["year"])
    return (employee_id, data["leave_type_code"], data["year"])


def _check(kind: str, data: dict, record: Record, result: PayrollImportResult) -> bool:
    ok = True
    if kind == "payslips":
        if data["period_end"] < data["period_start"]:
            result.add_error(_("The period ends before it starts."), **record.where("period_end"))
            ok = False
        if data["period_kind"] == Payslip.PeriodKind.MONTHLY and data["period"] > 12:
            result.add_error(_("A monthly period is 1 to 12."), **record.where("period"))
            ok = False
        if data["publish_date"] is None:
            data["publish_date"] = data["pay_date"]
    elif kind == "annual_statements":
        start, end = data["tax_credit_from"], data["tax_credit_until"]
        if start and end and end < start:
            result.add_error(_("This is before the start."), **record.where("tax_credit_until"))
            ok = False
    return ok


def _check_same_payslip(
    first: Clean, data: dict, record: Record, result: PayrollImportResult
) -> None:
    for name in PAYSLIP_FIELDS:
        if data[name] != first.data[name]:
            result.add_error(
                _("Differs from %(other)s for the same payslip.") % {"other": first.record.label()},
                **record.where(name),
            )


def leave_types_check(
    balances: list[Clean], existing: dict[str, LeaveType], result: PayrollImportResult
) -> None:
    seen: dict[str, Clean] = {}
    for item in balances:
        data, code = item.data, item.data["leave_type_code"]
        if code not in existing and not data["leave_type_name"]:
            result.add_error(
                _("Required for the new leave type code %(code)s.") % {"code": code},
                **item.record.where("leave_type_name"),
            )
        first = seen.setdefault(code, item)
        for name in ("leave_type_name", "leave_type_kind"):
            if data[name] and first.data[name] and data[name] != first.data[name]:
                result.add_error(
                    _("Differs from %(other)s for the same leave type code.")
                    % {"other": first.record.label()},
                    **item.record.where(name),
                )
