from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from employers.hr.digest import leave_digest_send


class Command(BaseCommand):
    help = _(
        "Mail HR staff about new leave requests awaiting a decision (Celery beat runs this "
        "daily at LEAVE_DIGEST_HOUR; a second run the same day sends nothing again)."
    )

    def handle(self, *args, **options):
        count = leave_digest_send()
        return ngettext("%(count)d leave digest sent.", "%(count)d leave digests sent.", count) % {
            "count": count
        }
