"""Raw records to clean data: each record through its row form, its employee found, and the
checks across records."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from employees.models import Employee, LeaveType
from employees.payroll.importing.forms import (
    KINDS,
    ROW_FORMS,
    PayslipForm,
    PayslipLineForm,
    RowForm,
)
from employees.payroll.importing.reading import Record
from employees.payroll.importing.result import PayrollImportResult


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
            # Every check runs whatever the others found, so that one run reports every problem.
            data, valid = _clean(record, ROW_FORMS[kind], result)
            employee = None
            if "employee_number" in data:
                employee = employees.get(data["employee_number"])
                if employee is None:
                    result.add_error(
                        _("No employee with number %(number)s at this employer.")
                        % {"number": data["employee_number"]},
                        **record.where("employee_number"),
                    )
            checked_lines = [_clean(line, PayslipLineForm, result) for line in record.lines]
            if not valid or employee is None or not all(ok for _line, ok in checked_lines):
                continue
            lines = [line for line, _ok in checked_lines]
            data["employee"] = employee
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


def _clean(
    record: Record, form_class: type[RowForm], result: PayrollImportResult
) -> tuple[dict, bool]:
    """The record's clean data (the fields that are valid) and whether it is valid as a whole,
    after reporting its problems: unknown fields first, then the form's errors field by field."""
    unknown = [name for name in record.values if name not in form_class.base_fields]
    for name in unknown:
        result.add_error(_("Unknown field."), **record.where(name))
    form = form_class(record.values)
    for name, messages in form.errors.items():
        for message in messages:
            result.add_error(message, **record.where(name))
    return form.cleaned_data, form.is_valid() and not unknown


def record_key(kind: str, data: dict) -> tuple:
    employee_id = data["employee"].pk
    if kind == "payslips":
        return (employee_id, data["year"], data["period_kind"], data["period"])
    if kind == "annual_statements":
        return (employee_id, data["year"])
    return (employee_id, data["leave_type_code"], data["year"])


def _check_same_payslip(
    first: Clean, data: dict, record: Record, result: PayrollImportResult
) -> None:
    for name in PayslipForm.base_fields:
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
