"""The payroll import service: read, validate, then save all or nothing."""

import datetime
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.importing import ImportFileError, import_file_read
from employees.models import LeaveType
from employees.payroll.importing.reading import csv_records_read, json_records_read
from employees.payroll.importing.result import PayrollImportResult
from employees.payroll.importing.saving import (
    balances_save,
    payslips_save,
    statements_save,
)
from employees.payroll.importing.validation import leave_types_check, records_validate
from employees.payroll.services import documents_publish_notify
from employees.portal.page_cache import portal_pages_changed
from employers.models import Employer

MAX_FILE_BYTES = 50 * 1024 * 1024


def payroll_import(
    *,
    employer: Employer,
    file: IO,
    kind: str | None = None,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> PayrollImportResult:
    """Import one file (JSON, or CSV of one `kind`) for `employer`, as the package docstring
    describes. When the result has errors, nothing was saved."""
    today = today or timezone.localdate()
    result = PayrollImportResult(dry_run=dry_run)
    try:
        text = import_file_read(file, max_bytes=MAX_FILE_BYTES)
        is_json = text.lstrip().startswith(("{", "["))
        records = json_records_read(text) if is_json else csv_records_read(text, kind)
    except ImportFileError as error:
        result.add_problem(error.problem)
        return result
    if not any(records.values()):
        result.add_error(_("The file holds nothing to import."))
        return result

    employees = {employee.number: employee for employee in employer.employees.all()}
    cleaned = records_validate(records, employees, result, grouped_lines=not is_json)
    leave_types = {t.code: t for t in LeaveType.objects.filter(employer=employer)}
    leave_types_check(cleaned["leave_balances"], leave_types, result)
    if not result.ok:
        return result

    with transaction.atomic():
        payslips_save(employer, cleaned["payslips"], result)
        statements_save(employer, cleaned["annual_statements"], result, today)
        balances_save(employer, cleaned["leave_balances"], leave_types, result)
        # Saved in bulk, around the signals that keep the employees' pages current.
        portal_pages_changed(employer_ids=[employer.pk])
        if dry_run:
            transaction.set_rollback(True)
        elif cleaned["payslips"] or cleaned["annual_statements"]:
            # Both kinds of document announce themselves; an import of only annual statements
            # (January's usual one) must not wait for the next payslip to be mailed about.
            result.mails = documents_publish_notify(today=today, employer=employer)
    return result
