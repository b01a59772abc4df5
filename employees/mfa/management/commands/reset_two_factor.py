from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from employees.mfa.services import two_factor_reset


class Command(BaseCommand):
    help = _(
        "Reset the two-step sign-in of an account (for HR staff who lost their phone and "
        "recovery codes; HR resets employees from the employee's page). Removes the "
        "authenticator apps, passkeys and recovery codes; the person sets up a new one at their "
        "next sign-in. Audited and mailed to the person."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("Login name (case does not matter)."))

    def handle(self, *args, **options):
        user = get_user_model().objects.by_username(options["username"]).first()
        if user is None:
            raise CommandError(_('No account "%(username)s".') % {"username": options["username"]})
        removed = two_factor_reset(user=user, actor=None, ip_address=None)
        return _("Two-step sign-in of %(username)s reset: %(count)d sign-in methods removed.") % {
            "username": user.get_username(),
            "count": removed,
        }
