"""A payroll file's text as raw records: JSON (every kind in one object) or CSV (one kind)."""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from employees.importing import (
    ImportFileError,
    csv_header_check,
    csv_row_width_error,
    csv_table_read,
)
from employees.payroll.importing.forms import KINDS, ROW_FORMS, PayslipLineForm, is_blank

CSV_LINE_COLUMNS = {f"line_{name}": name for name in PayslipLineForm.base_fields}
# The columns of a CSV file of each kind: its form's fields, and for payslips a line's too.
CSV_COLUMNS = {kind: list(form.base_fields) for kind, form in ROW_FORMS.items()}
CSV_COLUMNS["payslips"] += list(CSV_LINE_COLUMNS)


@dataclass
class Record:
    """One raw record and where it is: at a JSON path, or on a CSV line."""

    values: dict[str, Any]
    path: str = ""
    line: int | None = None
    column_prefix: str = ""  # a payslip line's fields are in the CSV columns line_<name>
    lines: list["Record"] = field(default_factory=list)

    def where(self, name: str = "") -> dict[str, Any]:
        """Where the record, or its field `name`, is; as ImportErrors.add_error takes it."""
        if self.line is None:
            return {"path": f"{self.path}.{name}" if name else self.path}
        return {"line": self.line, "column": self.column_prefix + name if name else ""}

    def label(self) -> str:
        """The record as a message about another record names it."""
        return self.path if self.line is None else _("line %(line)s") % {"line": self.line}


def json_records_read(text: str) -> dict[str, list[Record]]:
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
    records: dict[str, list[Record]] = {}
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


def _json_record(item, location: str) -> Record:
    if not isinstance(item, dict):
        raise ImportFileError(_("Expected an object."), path=location)
    return Record(values=dict(item), path=location)


def csv_records_read(text: str, kind: str | None) -> dict[str, list[Record]]:
    header, rows = csv_table_read(text)
    kind = kind or _kind_from_header(header)
    csv_header_check(header, known=CSV_COLUMNS[kind])
    records: list[Record] = []
    for line, row in rows:
        # A row may stop short of the header: what it leaves out is missing.
        if len(row) > len(header):
            raise ImportFileError(csv_row_width_error(row, header), line=line)
        record = Record(values=dict(zip(header, row, strict=False)), line=line)
        if kind == "payslips":
            line_values = {
                CSV_LINE_COLUMNS[c]: record.values.pop(c)
                for c in list(record.values)
                if c in CSV_LINE_COLUMNS
            }
            if any(not is_blank(v) for v in line_values.values()):
                record.lines = [Record(values=line_values, line=line, column_prefix="line_")]
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
