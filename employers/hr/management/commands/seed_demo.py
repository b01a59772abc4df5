from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from employers.hr.demo import demo_seed


class Command(BaseCommand):
    help = _(
        "Fill the database with demo data: the provider Salarisbureau De Linde, two employers, "
        "about 50 employees and HR logins with published demo passwords. Safe to run again: "
        "only what is missing is added. --employees N also fills Benchmark B.V. with N employees."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--employees",
            type=int,
            default=0,
            help=_("Top the benchmark employer up to this many employees (bulk, fast)."),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_(
                "Run even though DEBUG is off. The demo passwords are public: demo servers only."
            ),
        )

    def handle(self, *args, employees, force, **options):
        if employees < 0:
            raise CommandError(_("--employees cannot be negative."))
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "DEBUG is off, so this may be a production server, and the demo logins "
                    "have published passwords. Use --force on a demo server."
                )
            )
        summary = demo_seed(employees=employees)
        self.stdout.write(_("Demo logins (demo only: these passwords are public):"))
        width = max(len(login.username) for login in summary.logins)
        for login in summary.logins:
            self.stdout.write(
                f"  {login.username:<{width}}  {login.password:<22}  {login.description}"
            )
        self.stdout.write(
            _(
                "HR signs in in two steps. Add these keys to an authenticator app (time-based), "
                "or print the current code with: python manage.py demo_code <username>"
            )
        )
        for login in summary.logins:
            if login.totp_secret:
                self.stdout.write(f"  {login.username:<{width}}  {login.totp_secret}")
        if summary.invited:
            self.stdout.write(
                _("Invited demo employees (their links work; the birth date is on their page):")
            )
            for name, link in summary.invited:
                self.stdout.write(f"  {name}: {link}")
        self.stdout.write(
            _(
                "Demo data ready: %(employers)s employers, %(employees)s employees; "
                "%(new)s new records created."
            )
            % {
                "employers": summary.employers,
                "employees": summary.employees,
                "new": summary.created_total,
            }
        )
