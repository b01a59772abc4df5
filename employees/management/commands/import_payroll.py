from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from employees.payroll.importing.forms import KINDS
from employees.payroll.importing.services import payroll_import
from employers.management.lookups import employer_from_option, run_file_import


class Command(BaseCommand):
    help = _(
        "Import payslips, annual statements and leave balances for one employer from the payroll "
        "system: a JSON file with the lists %(kinds)s, or a CSV file of one kind. Employees are "
        "matched by employee number; importing again updates what was imported before. Nothing "
        "is imported when anything in the file is invalid. See docs/payroll-import.md."
    ) % {"kinds": ", ".join(KINDS)}

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The JSON or CSV file to import."))
        parser.add_argument("--employer", required=True, help=_("The employer's id or exact name."))
        parser.add_argument(
            "--kind",
            choices=KINDS,
            help=_("What a CSV file holds; by default recognised from its header."),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the file and show what would change, without saving."),
        )

    def handle(self, *args, file, employer, kind, dry_run, **options):
        employer = employer_from_option(employer)
        summary = run_file_import(
            file,
            employer,
            lambda stream: payroll_import(
                employer=employer, file=stream, kind=kind, dry_run=dry_run
            ),
        )
        self.stdout.write(summary)
