"""Import employees from the payroll system's CSV export.

Every row goes through EmployeeForm, the same validation as the HR form (a thin subclass answers
its two uniqueness look-ups from data loaded once per file instead of by queries). The import is
all-or-nothing: one invalid row and nothing is saved, and every problem is reported as
"line N, column: message" with line numbers as a spreadsheet shows them (the header is line 1).
"""

import codecs
import copy
import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from employees.models import Employee
from employees.records.forms import EmployeeForm, normalise_email
from employees.records.services import employee_create, employee_update
from employers.models import Employer

# CSV column -> EmployeeForm field. The column names are those of the payroll export.
COLUMNS = {
    "employee_number": "number",
    "initials": "initials",
    "first_name": "first_name",
    "infix": "infix",
    "last_name": "last_name",
    "birth_date": "birth_date",
    "email": "email",
    "job_title": "job_title",
    "street": "street",
    "postcode": "postcode",
    "city": "city",
    "start_date": "start_date",
    "end_date": "end_date",
    "language": "language",
}
REQUIRED_COLUMNS = ("employee_number", "first_name", "last_name", "birth_date", "start_date")
FIELD_TO_COLUMN = {form_field: column for column, form_field in COLUMNS.items()}

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ROWS = 200_000
# Beyond this many problems the list stops helping; the count still tells the whole story.
MAX_REPORTED_ERRORS = 200


@dataclass(frozen=True)
class ImportProblem:
    """One problem; `line` is None for problems with the file as a whole."""

    message: str
    line: int | None = None
    column: str = ""

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        if self.column:
            return _("line %(line)s, %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportErrors:
    """The problems of an import file: every one counted, the first MAX_REPORTED_ERRORS kept
    to show (a file with errors on every line must not fill the screen or the memory). Shared
    by the employee import here and the payroll import."""

    errors: list = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def _record(self, problem) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(problem)

    def error_lines(self) -> list[str]:
        lines = [str(error) for error in self.errors]
        if self.error_count > len(self.errors):
            more = self.error_count - len(self.errors)
            lines.append(
                ngettext("... and %(count)s more error.", "... and %(count)s more errors.", more)
                % {"count": more}
            )
        return lines


@dataclass
class ImportResult(ImportErrors):
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def add_error(self, message: str, line: int | None = None, column: str = "") -> None:
        self._record(ImportProblem(message=str(message), line=line, column=column))

    def summary(self) -> str:
        counts = {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            text = ngettext(
                "Dry run: %(total)s employee would be imported: %(created)s created, "
                "%(updated)s updated, %(unchanged)s unchanged. Nothing was saved.",
                "Dry run: %(total)s employees would be imported: %(created)s created, "
                "%(updated)s updated, %(unchanged)s unchanged. Nothing was saved.",
                self.total,
            )
        else:
            text = ngettext(
                "Imported %(total)s employee: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged.",
                "Imported %(total)s employees: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged.",
                self.total,
            )
        return text % counts


class _ImportRowForm(EmployeeForm):
    """EmployeeForm whose two uniqueness look-ups are answered from data loaded once per file
    instead of by two queries per row; every other rule is EmployeeForm's own."""

    def __init__(self, *args, email_owners: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.email_owners = email_owners

    def clean_number(self):
        # The row's employee was looked up by this very number, so it cannot clash with
        # another employee; only the format is left to check (as EmployeeForm does).
        number = self.cleaned_data["number"].strip()
        if not number.isalnum():
            raise forms.ValidationError(_("Use letters and digits only."))
        return number

    def clean_email(self):
        email = normalise_email(self.cleaned_data.get("email", ""))
        owner = self.email_owners.get(email)
        if email and owner is not None and owner != self.instance.pk:
            raise forms.ValidationError(
                _("Another employee of this employer already uses this email address.")
            )
        return email


class _FileProblem(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class _Row:
    line: int
    existing: Employee | None
    data: dict[str, Any]  # cleaned form data


DUPLICATE_NUMBER = gettext_lazy("Employee number %(value)s is also on line %(other)s.")
DUPLICATE_EMAIL = gettext_lazy("Email address %(value)s is also on line %(other)s.")


def employee_import_csv(
    *, employer: Employer, file: IO, actor=None, dry_run: bool = False
) -> ImportResult:
    """Create or update (by employee number) the employer's employees from a CSV export.

    `file` is opened in binary mode (a text stream works too). Returns the counts, or the
    errors; when there are errors nothing has been saved.
    """
    result = ImportResult(dry_run=dry_run)
    try:
        header, records = _read_table(file)
    except _FileProblem as problem:
        result.add_error(problem.message, line=problem.line)
        return result

    rows = _validate(employer=employer, header=header, records=records, result=result)
    if not result.ok:
        return result
    if not rows:
        result.add_error(_("The file has a header but no employees."))
        return result

    changes = []
    for row in rows:
        if row.existing is None:
            result.created += 1
            changes.append((row, row.data))
        else:
            changed = {
                name: value
                for name, value in row.data.items()
                if getattr(row.existing, name) != value
            }
            if changed:
                result.updated += 1
                changes.append((row, changed))
            else:
                result.unchanged += 1
    if dry_run:
        return result

    try:
        with transaction.atomic():
            for row, data in changes:
                if row.existing is None:
                    employee_create(employer=employer, data=data, actor=actor)
                else:
                    employee_update(employee=row.existing, data=data, actor=actor)
    except IntegrityError:
        # Someone changed these employees between our checks and the save.
        result.created = result.updated = result.unchanged = 0
        result.add_error(
            _(
                "The employees were changed by someone else during the import. "
                "Nothing was imported; please try again."
            )
        )
    return result


def _read_table(file: IO) -> tuple[list[str], Iterator[list[str]]]:
    raw = file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise _FileProblem(
            _("The file is larger than %(size)s MB; split it into smaller files.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if isinstance(raw, bytes):
        if raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _FileProblem(
                _('The file is not UTF-8 encoded. Save it as "CSV UTF-8" and try again.'),
                line=raw.count(b"\n", 0, error.start) + 1,
            ) from None
    else:
        text = raw.removeprefix("\ufeff")
    if not text.strip():
        raise _FileProblem(_("The file is empty."))

    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(records)]
    _check_header(header)
    return header, records


def _check_header(header: list[str]) -> None:
    problems = []
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        problems.append(
            _("Unknown columns: %(columns)s. Known columns are: %(known)s.")
            % {
                "columns": ", ".join(f'"{name}"' for name in unknown),
                "known": ", ".join(COLUMNS),
            }
        )
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        problems.append(
            _("Columns appear more than once: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        problems.append(
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if problems:
        raise _FileProblem(" ".join(problems), line=1)


def _validate(
    *, employer: Employer, header: list[str], records, result: ImportResult
) -> list[_Row]:
    existing = {employee.number: employee for employee in employer.employees.all()}
    email_owners = {employee.email: employee.pk for employee in existing.values() if employee.email}
    number_lines: dict[str, int] = {}
    email_lines: dict[str, int] = {}
    rows: list[_Row] = []
    data_rows = 0
    line = 1  # the header
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as error:
            # The reader has stopped at a broken quote or an oversized field; it cannot
            # reliably continue, so report where and stop.
            result.add_error(
                _("The file cannot be read here (%(error)s).") % {"error": error},
                line=line + 1,
            )
            break
        line += 1
        if not any(cell.strip() for cell in record):
            continue  # spreadsheets leave empty rows behind; they carry nothing
        data_rows += 1
        if data_rows > MAX_ROWS:
            result.add_error(
                _("The file has more than %(max)s rows; split it into smaller files.")
                % {"max": MAX_ROWS}
            )
            break
        if len(record) != len(header):
            result.add_error(
                _(
                    "This row has %(cells)s fields where the header has %(columns)s; "
                    "check the delimiter and the quotes."
                )
                % {"cells": len(record), "columns": len(header)},
                line=line,
            )
            continue

        values = {COLUMNS[name]: cell.strip() for name, cell in zip(header, record, strict=True)}
        instance = existing.get(values["number"])
        form = _ImportRowForm(
            data=_form_data(values, instance),
            instance=copy.copy(instance) if instance else None,
            employer=employer,
            email_owners=email_owners,
        )
        valid = form.is_valid()
        for name, messages in form.errors.items():
            column = FIELD_TO_COLUMN.get(name, "")
            for message in messages:
                result.add_error(message, line=line, column=column)

        cleaned = form.cleaned_data
        # A number or an address twice in one file: name both lines.
        for name, column, seen, message in (
            ("number", "employee_number", number_lines, DUPLICATE_NUMBER),
            ("email", "email", email_lines, DUPLICATE_EMAIL),
        ):
            value = cleaned.get(name)
            if not value:
                continue
            if value in seen:
                valid = False
                result.add_error(
                    message % {"value": value, "other": seen[value]}, line=line, column=column
                )
            else:
                seen[value] = line
        if valid:
            rows.append(
                _Row(
                    line=line,
                    existing=instance,
                    data={name: cleaned[name] for name in EmployeeForm.Meta.fields},
                )
            )
    return rows


def _form_data(values: dict[str, str], instance: Employee | None) -> dict[str, str]:
    """What the form receives: a column missing from the file keeps the employee's current
    value (or the default for a new employee); a column present but empty clears it."""
    data = {}
    for name in EmployeeForm.Meta.fields:
        if name in values:
            data[name] = values[name]
        elif instance is not None:
            data[name] = _as_input(getattr(instance, name))
        else:
            data[name] = ""
    data["language"] = data["language"].lower()
    if not data["language"]:
        data["language"] = instance.language if instance else Employee.Language.DUTCH
    return data


def _as_input(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
