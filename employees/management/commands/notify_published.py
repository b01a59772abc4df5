from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from employees.payroll.services import documents_publish_notify


class Command(BaseCommand):
    help = _(
        "Mail employees about payslips and annual statements whose publish date has come "
        "(Celery beat runs this daily; each document is announced once)."
    )

    def handle(self, *args, **options):
        count = documents_publish_notify(today=timezone.localdate())
        return _("%(count)d mails queued.") % {"count": count}
