from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from essportal.operations import operations_report


class Command(BaseCommand):
    help = _(
        "The operator's status: broker, beat and worker heartbeats, the invitation outbox, "
        "failed mails and collective grants. One line per check; exits non-zero when something "
        "needs attention (for cron and monitoring)."
    )

    def handle(self, *args, **options):
        report = operations_report()
        for check in report.checks:
            mark = _("ok") if check.ok else _("ATTENTION")
            self.stdout.write(f"{mark:<10} {check.summary}")
        if not report.ok:
            raise CommandError(
                _("Needs attention: %(checks)s.") % {"checks": ", ".join(report.needing_attention)}
            )
        return _("All %(count)d checks are fine.") % {"count": len(report.checks)}
