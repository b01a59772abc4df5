"""Import employees from the payroll system's CSV export.

Every row goes through EmployeeForm, the same validation as the HR form (a thin subclass answers
its two uniqueness look-ups from data loaded once per file instead of by queries). The import is
all-or-nothing: one invalid row and nothing is saved, and every problem is reported as
"line N, column: message" with line numbers as a spreadsheet shows them (the header is line 1).
"""

import copy
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from employees.importing import (
    ImportErrors,
    ImportFileError,
    csv_header_check,
    csv_row_width_error,
    csv_table_read,
    import_file_read,
)
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


@dataclass
class ImportResult(ImportErrors):
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

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
        text = import_file_read(file, max_bytes=MAX_FILE_BYTES)
        header, records = csv_table_read(text, max_rows=MAX_ROWS)
        csv_header_check(header, known=COLUMNS, required=REQUIRED_COLUMNS)
    except ImportFileError as error:
        result.add_problem(error.problem)
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


def _validate(
    *,
    employer: Employer,
    header: list[str],
    records: Iterator[tuple[int, list[str]]],
    result: ImportResult,
) -> list[_Row]:
    existing = {employee.number: employee for employee in employer.employees.all()}
    email_owners = {employee.email: employee.pk for employee in existing.values() if employee.email}
    seen: dict[str, dict[str, int]] = {"number": {}, "email": {}}  # value -> its first line
    rows: list[_Row] = []
    try:
        for line, record in records:
            if len(record) != len(header):
                result.add_error(csv_row_width_error(record, header), line=line)
                continue
            cells = zip(header, record, strict=True)
            values = {COLUMNS[name]: cell.strip() for name, cell in cells}
            instance = existing.get(values["number"])
            form = _ImportRowForm(
                data=_form_data(values, instance),
                instance=copy.copy(instance) if instance else None,
                employer=employer,
                email_owners=email_owners,
            )
            if _row_valid(form, line, seen, result):
                data = {name: form.cleaned_data[name] for name in EmployeeForm.Meta.fields}
                rows.append(_Row(line=line, existing=instance, data=data))
    except ImportFileError as error:
        # The reader cannot go on (a broken quote, the row limit); the rows before it were
        # checked all the same, so their problems are reported too.
        result.add_problem(error.problem)
    return rows


def _row_valid(
    form: _ImportRowForm, line: int, seen: dict[str, dict[str, int]], result: ImportResult
) -> bool:
    valid = form.is_valid()
    for name, messages in form.errors.items():
        column = FIELD_TO_COLUMN.get(name, "")
        for message in messages:
            result.add_error(message, line=line, column=column)

    # A number or an address twice in one file: name both lines.
    for name, column, message in (
        ("number", "employee_number", DUPLICATE_NUMBER),
        ("email", "email", DUPLICATE_EMAIL),
    ):
        value = form.cleaned_data.get(name)
        if not value:
            continue
        if value in seen[name]:
            valid = False
            result.add_error(
                message % {"value": value, "other": seen[name][value]}, line=line, column=column
            )
        else:
            seen[name][value] = line
    return valid


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
