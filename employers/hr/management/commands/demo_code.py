from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_otp.oath import TOTP

from employers.hr.demo import DEMO_DEVICE_NAME, DEMO_HR_USERNAMES
from essportal.models import User


class Command(BaseCommand):
    help = _(
        "Print the current two-step sign-in code of a demo HR login (seed_demo), so that a "
        "developer can sign in without an authenticator app. Only with DEBUG on."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", choices=DEMO_HR_USERNAMES)

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError(_("DEBUG is off: demo codes are for development machines only."))
        user = User.objects.by_username(username).first()
        device = user and user.totpdevice_set.filter(name=DEMO_DEVICE_NAME, confirmed=True).first()
        if device is None:
            raise CommandError(
                _("No demo authenticator app for %(username)s: run seed_demo.")
                % {"username": username}
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        return f"{totp.token():0{device.digits}d}"
