from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from employees.importing import COLUMNS, REQUIRED_COLUMNS, employee_import_csv
from employers.management.lookups import employer_from_option


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
        try:
            with open(file, "rb") as stream:
                result = employee_import_csv(employer=employer, file=stream, dry_run=dry_run)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from error
        if not result.ok:
            heading = _("Nothing was imported into %(employer)s; fix these errors:") % {
                "employer": employer
            }
            raise CommandError("\n".join([heading, *result.error_lines()]))
        self.stdout.write(result.summary())
