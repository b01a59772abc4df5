import getpass
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from employers.management.lookups import employer_from_option, provider_from_option
from employers.models import StaffMembership
from employers.services import staff_create


class Command(BaseCommand):
    help = _(
        "Create an HR user with access to a provider (all its employers) or to one employer, "
        "or give an existing HR user (same username and email) that access. The password is "
        "asked twice, or read from standard input with --password-from-stdin."
    )

    stealth_options = ("stdin",)  # tests pass the password stream, as with createsuperuser

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("Login name (unique, case does not matter)."))
        parser.add_argument("--email", required=True, help=_("The user's email address."))
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--provider", help=_("Provider id or exact name."))
        scope.add_argument("--employer", help=_("Employer id or exact name."))
        parser.add_argument(
            "--role",
            choices=StaffMembership.Role.values,
            default=StaffMembership.Role.VIEWER,
            help=_("manager may change employees and access; viewer (the default) only reads."),
        )
        parser.add_argument(
            "--password-from-stdin",
            action="store_true",
            help=_("Read the password from the first line of standard input (for scripts)."),
        )

    def handle(self, *args, username, email, provider, employer, role, **options):
        provider = provider_from_option(provider) if provider else None
        employer = employer_from_option(employer) if employer else None
        password = None
        # An existing user keeps their password; only a new one needs it.
        if not get_user_model().objects.by_username(username).exists():
            if options["password_from_stdin"]:
                password = self.password_from_stdin(options.get("stdin") or sys.stdin)
            else:
                password = self.password_from_prompt()
        try:
            membership, created = staff_create(
                username=username,
                email=email,
                password=password,
                provider=provider,
                employer=employer,
                role=role,
            )
        except ValidationError as error:
            raise CommandError(" ".join(_messages(error))) from error
        values = {
            "username": membership.user.username,
            "role": membership.role,
            "scope": membership.provider or membership.employer,
        }
        if created:
            summary = _("Created HR user %(username)s with %(role)s access to %(scope)s.")
        else:
            summary = _("Gave existing user %(username)s %(role)s access to %(scope)s.")
        self.stdout.write(summary % values)

    def password_from_stdin(self, stdin) -> str:
        password = stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError(_("No password on standard input."))
        return password

    def password_from_prompt(self) -> str:
        password = getpass.getpass(_("Password: "))
        if password != getpass.getpass(_("Password (again): ")):
            raise CommandError(_("The passwords do not match."))
        if not password:
            raise CommandError(_("The password cannot be empty."))
        return password


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{field}: {message}" if field != "__all__" else message
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return error.messages
