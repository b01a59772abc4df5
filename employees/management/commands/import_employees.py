from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from employees.records.importing import COLUMNS, REQUIRED_COLUMNS, employee_import_csv
from employers.management.lookups import employer_from_option, run_file_import


class Command(BaseCommand):
    help = _(
        "Create or update one employer's employees from the payroll system's CSV export "
        "(UTF-8, ';' or ',' separated, a header row). Employees are matched by employee number. "
        "Nothing is imported when any row is invalid. Columns: %(columns)s; required: "
        "%(required)s."
    ) % {"columns": ", ".join(COLUMNS), "required": ", ".join(REQUIRED_COLUMNS)}

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The CSV file to import."))
        parser.add_argument("--employer", required=True, help=_("The employer's id or exact name."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the file and show what would change, without saving."),
        )

    def handle(self, *args, file, employer, dry_run, **options):
        employer = employer_from_option(employer)
        summary = run_file_import(
            file,
            employer,
            lambda stream: employee_import_csv(employer=employer, file=stream, dry_run=dry_run),
        )
        self.stdout.write(summary)
