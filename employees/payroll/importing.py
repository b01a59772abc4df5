"""Import payslips, annual statements and leave balances from the payroll system.

Two formats (docs/payroll-import.md):
- JSON: one object with the lists "payslips" (lines nested), "annual_statements" and
  "leave_balances"; problems are reported with paths such as `payslips[3].lines[1].amount`;
- CSV: one kind per file (`kind` given, or recognised from the header); a payslip has one row
  per line item, with the payslip's own columns repeated; problems are reported as
  "line N, column" (the header is line 1).

All or nothing per file: any problem and nothing is saved. Idempotent: a payslip is identified
by (employee number, year, period kind, period), a statement by (employee number, year), a balance
by (employee number, leave type code, year); importing again updates them, and a payslip's lines
are replaced.
"""

import datetime
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.importing import (
    ImportErrors,
    ImportFileError,
    csv_header_check,
    csv_row_width_error,
    csv_table_read,
    import_file_read,
)
from employees.models import (
    AnnualStatement,
    Employee,
    LeaveBalance,
    LeaveType,
    Payslip,
    PayslipLine,
)
from employees.payroll.services import documents_publish_notify
from employers.models import Employer

KINDS = ("payslips", "annual_statements", "leave_balances")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_MONEY = Decimal("9999999999.99")
MAX_HOURS = Decimal("9999.99")


class _Missing(Exception):
    pass


# --- Values -------------------------------------------------------------------------------


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(max_length: int) -> Callable[[Any], str]:
    def parse(value) -> str:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ValueError(_("Expected text."))
        text = str(value).strip()
        if len(text) > max_length:
            raise ValueError(_("At most %(max)s characters.") % {"max": max_length})
        return text

    return parse


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def parse(value) -> int:
        if isinstance(value, bool):
            raise ValueError(_("Expected a whole number."))
        try:
            number = int(value.strip()) if isinstance(value, str) else int(value)
            if isinstance(value, Decimal | float) and number != value:
                raise ValueError
        except (TypeError, ValueError):
            raise ValueError(_("Expected a whole number.")) from None
        if not low <= number <= high:
            raise ValueError(
                _("Expected a number from %(low)s to %(high)s.") % {"low": low, "high": high}
            )
        return number

    return parse


def _decimal(maximum: Decimal, *, negative: bool = True) -> Callable[[Any], Decimal]:
    def parse(value) -> Decimal:
        if isinstance(value, bool | float):
            raise ValueError(_("Expected an amount such as 1234.56."))
        text = value.strip() if isinstance(value, str) else str(value)
        if "," in text and "." not in text:  # a decimal comma, as Dutch spreadsheets write
            text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ValueError(_("Expected an amount such as 1234.56.")) from None
        if not amount.is_finite() or amount.as_tuple().exponent < -2:
            raise ValueError(_("Expected an amount with at most two decimals."))
        if abs(amount) > maximum:
            raise ValueError(_("The amount is too large."))
        if amount < 0 and not negative:
            raise ValueError(_("The amount cannot be negative."))
        return amount

    return parse


_money = _decimal(MAX_MONEY)
_hours = _decimal(MAX_HOURS, negative=False)
_percentage = _decimal(Decimal("100"), negative=False)


def _date(value) -> datetime.date:
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
            try:
                return datetime.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
    raise ValueError(_("Expected a date as YYYY-MM-DD or DD-MM-YYYY."))


TRUE = {"true", "1", "yes", "ja", "j", "y"}
FALSE = {"false", "0", "no", "nee", "n"}


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise ValueError(_("Expected true or false."))


def _choice(choices, aliases: dict[str, str] | None = None) -> Callable[[Any], str]:
    values = {value: value for value in choices.values}
    values.update(aliases or {})

    def parse(value) -> str:
        key = value.strip().lower() if isinstance(value, str) else value
        if key not in values:
            raise ValueError(
                _("Expected one of: %(choices)s.") % {"choices": ", ".join(choices.values)}
            )
        return values[key]

    return parse


@dataclass(frozen=True)
class Field:
    parse: Callable[[Any], Any]
    required: bool = True
    default: Any = None


PAYSLIP_FIELDS = {
    "employee_number": Field(_text(20)),
    "year": Field(_integer(2000, 2100)),
    "period_kind": Field(
        _choice(Payslip.PeriodKind, {"4-weekly": "4weekly", "month": "monthly"}),
        required=False,
        default=Payslip.PeriodKind.MONTHLY,
    ),
    "period": Field(_integer(1, 13)),
    "period_start": Field(_date),
    "period_end": Field(_date),
    "pay_date": Field(_date),
    "publish_date": Field(_date, required=False),  # default: the pay date
    "gross_wage": Field(_money),
    "net_pay": Field(_money),
    "wage_tax": Field(_money, required=False, default=Decimal("0")),
    "fiscal_wage": Field(_money, required=False, default=Decimal("0")),
    "tax_table": Field(
        _choice(Payslip.TaxTable, {"wit": "white", "groen": "green"}), required=False, default=""
    ),
    "tax_credit_applied": Field(_boolean, required=False, default=True),
    "special_rate_percentage": Field(_percentage, required=False),
    "cumulative_gross_wage": Field(_money, required=False),
    "cumulative_fiscal_wage": Field(_money, required=False),
    "cumulative_wage_tax": Field(_money, required=False),
}
LINE_FIELDS = {
    "code": Field(_text(20), required=False, default=""),
    "description": Field(_text(200)),
    "kind": Field(_choice(PayslipLine.Kind)),
    "amount": Field(_money),
}
STATEMENT_FIELDS = {
    "employee_number": Field(_text(20)),
    "year": Field(_integer(2000, 2100)),
    "fiscal_wage": Field(_money),
    "wage_tax_withheld": Field(_money),
    "tax_credit_applied": Field(_boolean, required=False, default=True),
    "tax_credit_from": Field(_date, required=False),
    "tax_credit_until": Field(_date, required=False),
    "insured_wage": Field(_money),
    "zvw_wage": Field(_money),
    "zvw_contribution": Field(_money),
    "employer_tax_number": Field(_text(20)),
    "publish_date": Field(_date, required=False),  # default: the day of the import
}
BALANCE_FIELDS = {
    "employee_number": Field(_text(20)),
    "year": Field(_integer(2000, 2100)),
    "leave_type_code": Field(_text(20)),
    "leave_type_name": Field(_text(100), required=False, default=""),
    "leave_type_kind": Field(
        _choice(LeaveType.Kind, {"wettelijk": "statutory", "bovenwettelijk": "extra"}),
        required=False,
        default="",
    ),
    "entitlement_hours": Field(_hours),
    "taken_hours": Field(_hours, required=False, default=Decimal("0")),
}
FIELDS = {
    "payslips": PAYSLIP_FIELDS,
    "annual_statements": STATEMENT_FIELDS,
    "leave_balances": BALANCE_FIELDS,
}
CSV_LINE_COLUMNS = {f"line_{name}": name for name in LINE_FIELDS}
# The columns of a CSV file of each kind.
CSV_COLUMNS = {
    "payslips": [*PAYSLIP_FIELDS, *CSV_LINE_COLUMNS],
    "annual_statements": list(STATEMENT_FIELDS),
    "leave_balances": list(BALANCE_FIELDS),
}


# --- Results ------------------------------------------------------------------------------


@dataclass
class PayrollImportResult(ImportErrors):
    dry_run: bool = False
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    lines: int = 0
    mails: int = 0

    def summary(self) -> str:
        labels = {
            "payslips": _("payslips"),
            "annual_statements": _("annual statements"),
            "leave_balances": _("leave balances"),
        }
        parts = [
            _("%(kind)s: %(created)s new, %(updated)s updated")
            % {"kind": labels[kind], "created": self.created[kind], "updated": self.updated[kind]}
            for kind in KINDS
            if self.created[kind] or self.updated[kind]
        ]
        text = "; ".join(parts) or _("nothing to import")
        if self.lines:
            text += " " + _("(%(lines)s payslip lines)") % {"lines": self.lines}
        if self.dry_run:
            return _("Dry run, nothing was saved: %(text)s.") % {"text": text}
        return _("Imported %(text)s; %(mails)s notification mails queued.") % {
            "text": text,
            "mails": self.mails,
        }


# --- Reading ------------------------------------------------------------------------------


@dataclass
class _Record:
    """One raw record and where it is: at a JSON path, or on a CSV line."""

    values: dict[str, Any]
    path: str = ""
    line: int | None = None
    column_prefix: str = ""  # a payslip line's fields are in the CSV columns line_<name>
    lines: list["_Record"] = field(default_factory=list)

    def where(self, name: str = "") -> dict[str, Any]:
        """Where the record, or its field `name`, is; as ImportErrors.add_error takes it."""
        if self.line is None:
            return {"path": f"{self.path}.{name}" if name else self.path}
        return {"line": self.line, "column": self.column_prefix + name if name else ""}

    def label(self) -> str:
        """The record as a message about another record names it."""
        return self.path if self.line is None else _("line %(line)s") % {"line": self.line}


def _json_records(text: str) -> dict[str, list[_Record]]:
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            _("Not valid JSON: %(error)s.") % {"error": error.msg},
            line=error.lineno,
            column=_("column %(column)s") % {"column": error.colno},
        ) from None
    if not isinstance(data, dict):
        raise ImportFileError(
            _("Expected an object with the keys %(keys)s.") % {"keys": ", ".join(KINDS)}
        )
    unknown = [key for key in data if key not in KINDS]
    if unknown:
        raise ImportFileError(
            _("Unknown keys: %(keys)s. Known keys are: %(known)s.")
            % {"keys": ", ".join(unknown), "known": ", ".join(KINDS)}
        )
    records: dict[str, list[_Record]] = {}
    for kind, items in data.items():
        if not isinstance(items, list):
            raise ImportFileError(_("Expected a list."), path=kind)
        records[kind] = []
        for index, item in enumerate(items):
            location = f"{kind}[{index}]"
            record = _json_record(item, location)
            if kind == "payslips":
                lines = record.values.pop("lines", [])
                if not isinstance(lines, list):
                    raise ImportFileError(_("Expected a list."), path=f"{location}.lines")
                record.lines = [
                    _json_record(line, f"{location}.lines[{n}]") for n, line in enumerate(lines)
                ]
            records[kind].append(record)
    return records


def _json_record(item, location: str) -> _Record:
    if not isinstance(item, dict):
        raise ImportFileError(_("Expected an object."), path=location)
    return _Record(values=dict(item), path=location)


def _csv_records(text: str, kind: str | None) -> dict[str, list[_Record]]:
    header, rows = csv_table_read(text)
    kind = kind or _kind_from_header(header)
    csv_header_check(header, known=CSV_COLUMNS[kind])
    records: list[_Record] = []
    for line, row in rows:
        # A row may stop short of the header: what it leaves out is missing.
        if len(row) > len(header):
            raise ImportFileError(csv_row_width_error(row, header), line=line)
        record = _Record(values=dict(zip(header, row, strict=False)), line=line)
        if kind == "payslips":
            line_values = {
                CSV_LINE_COLUMNS[c]: record.values.pop(c)
                for c in list(record.values)
                if c in CSV_LINE_COLUMNS
            }
            if any(not _is_blank(v) for v in line_values.values()):
                record.lines = [_Record(values=line_values, line=line, column_prefix="line_")]
        records.append(record)
    return {kind: records}


def _kind_from_header(header: list[str]) -> str:
    if "line_description" in header or "line_amount" in header:
        return "payslips"
    if "wage_tax_withheld" in header:
        return "annual_statements"
    if "entitlement_hours" in header:
        return "leave_balances"
    raise ImportFileError(
        _("Cannot tell what the file holds from its header; give the kind (%(kinds)s).")
        % {"kinds": ", ".join(KINDS)},
        line=1,
    )


# --- Validation ---------------------------------------------------------------------------


def _clean(record: _Record, fields: dict[str, Field], result: PayrollImportResult) -> dict | None:
    data: dict[str, Any] = {}
    ok = True
    for name in record.values:
        if name not in fields:
            result.add_error(_("Unknown field."), **record.where(name))
            ok = False
    for name, spec in fields.items():
        value = record.values.get(name)
        if _is_blank(value):
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
class _Clean:
    data: dict
    record: _Record
    lines: list[dict] = field(default_factory=list)


def _validate(
    records: dict[str, list[_Record]],
    employees: dict[str, Employee],
    result: PayrollImportResult,
    *,
    grouped_lines: bool,
) -> dict[str, list[_Clean]]:
    cleaned: dict[str, list[_Clean]] = {kind: [] for kind in KINDS}
    for kind, items in records.items():
        keys: dict[tuple, _Clean] = {}
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
            key = _key(kind, data)
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
            keys[key] = _Clean(data=data, record=record, lines=lines)
        cleaned[kind] = list(keys.values())
    return cleaned


def _key(kind: str, data: dict) -> tuple:
    employee_id = data["employee"].pk
    if kind == "payslips":
        return (employee_id, data["year"], data["period_kind"], data["period"])
    if kind == "annual_statements":
        return (employee_id, data["year"])
    return (employee_id, data["leave_type_code"], data["year"])


def _check(kind: str, data: dict, record: _Record, result: PayrollImportResult) -> bool:
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


def _check_same_payslip(first: _Clean, data: dict, record: _Record, result) -> None:
    for name in PAYSLIP_FIELDS:
        if data[name] != first.data[name]:
            result.add_error(
                _("Differs from %(other)s for the same payslip.") % {"other": first.record.label()},
                **record.where(name),
            )


def _check_leave_types(
    balances: list[_Clean], existing: dict[str, LeaveType], result: PayrollImportResult
) -> None:
    seen: dict[str, _Clean] = {}
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


# --- Saving -------------------------------------------------------------------------------


def payroll_import(
    *,
    employer: Employer,
    file: IO,
    kind: str | None = None,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> PayrollImportResult:
    """Import one file (JSON, or CSV of one `kind`) for `employer`; see the module docstring.
    When the result has errors, nothing was saved."""
    today = today or timezone.localdate()
    result = PayrollImportResult(dry_run=dry_run)
    try:
        text = import_file_read(file, max_bytes=MAX_FILE_BYTES)
        is_json = text.lstrip().startswith(("{", "["))
        records = _json_records(text) if is_json else _csv_records(text, kind)
    except ImportFileError as error:
        result.add_problem(error.problem)
        return result
    if not any(records.values()):
        result.add_error(_("The file holds nothing to import."))
        return result

    employees = {employee.number: employee for employee in employer.employees.all()}
    cleaned = _validate(records, employees, result, grouped_lines=not is_json)
    leave_types = {t.code: t for t in LeaveType.objects.filter(employer=employer)}
    _check_leave_types(cleaned["leave_balances"], leave_types, result)
    if not result.ok:
        return result

    with transaction.atomic():
        _save_payslips(employer, cleaned["payslips"], result)
        _save_statements(employer, cleaned["annual_statements"], result, today)
        _save_balances(employer, cleaned["leave_balances"], leave_types, result)
        if dry_run:
            transaction.set_rollback(True)
        elif cleaned["payslips"]:
            result.mails = documents_publish_notify(today=today, employer=employer)
    return result


def _existing(model, employer: Employer, items: list[_Clean], key: Callable) -> dict:
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


def _save_payslips(employer, items: list[_Clean], result: PayrollImportResult) -> None:
    if not items:
        return
    existing = _existing(
        Payslip,
        employer,
        items,
        lambda p: (p.employee_id, p.year, p.period_kind, p.period),
    )
    fields = [name for name in PAYSLIP_FIELDS if name != "employee_number"]
    values = []
    for item in items:
        data = {name: item.data[name] for name in fields}
        values.append((_key("payslips", item.data), {"employee": item.data["employee"], **data}))
    new, changed = _upsert(Payslip, values, existing, fields)
    result.created["payslips"] += len(new)
    result.updated["payslips"] += len(changed)
    PayslipLine.objects.filter(payslip__in=changed).delete()
    by_key = {(p.employee_id, p.year, p.period_kind, p.period): p for p in [*new, *changed]}
    lines = [
        PayslipLine(payslip=by_key[_key("payslips", item.data)], sort_order=order, **line)
        for item in items
        for order, line in enumerate(item.lines, start=1)
    ]
    PayslipLine.objects.bulk_create(lines, batch_size=2000)
    result.lines += len(lines)


def _save_statements(employer, items, result, today) -> None:
    if not items:
        return
    existing = _existing(AnnualStatement, employer, items, lambda s: (s.employee_id, s.year))
    fields = [name for name in STATEMENT_FIELDS if name != "employee_number"]
    values = []
    for item in items:
        data = {name: item.data[name] for name in fields}
        data["publish_date"] = data["publish_date"] or today
        values.append(
            (_key("annual_statements", item.data), {"employee": item.data["employee"], **data})
        )
    new, changed = _upsert(AnnualStatement, values, existing, fields)
    result.created["annual_statements"] += len(new)
    result.updated["annual_statements"] += len(changed)


def _save_balances(employer, items, leave_types: dict[str, LeaveType], result) -> None:
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
