from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from employers.management.lookups import employer_from_option
from invitations.collective import grant_batch_run, stalled_grant_batches
from invitations.outbox import invitations_due_for_sending, invitations_send_mail
from invitations.services import invitations_requeue_undelivered


class Command(BaseCommand):
    help = _(
        "Send invitation mails that are due (queued, retrying or stuck) and resume stalled "
        "collective grants, in this process. Works while the broker is down."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help=_(
                "Also send the mails still waiting: fresh grants in their first two minutes "
                "and mails waiting for their next retry."
            ),
        )
        parser.add_argument(
            "--failed",
            action="store_true",
            help=_(
                "First queue again the invitations whose mail was not delivered (employees "
                "with an address and no account), to their current address."
            ),
        )
        parser.add_argument(
            "--employer", help=_("With --failed: only this employer (id or exact name)")
        )

    def handle(self, *args, now, failed, employer, **options):
        requeued = 0
        if failed:
            employer_obj = employer_from_option(employer) if employer else None
            requeued = invitations_requeue_undelivered(employer=employer_obj)
        due = invitations_due_for_sending(include_waiting=now or failed)
        sent = retrying = undelivered = 0
        chunk = settings.COLLECTIVE_CHUNK_SIZE
        for start in range(0, len(due), chunk):
            result = invitations_send_mail(invitation_ids=due[start : start + chunk])
            sent += len(result.sent)
            retrying += len(result.retrying)
            undelivered += len(result.failed)
        batches = stalled_grant_batches()
        for batch_id in batches:
            grant_batch_run(batch_id=batch_id)
        return _(
            "%(requeued)d undelivered queued again; %(sent)d sent, %(retrying)d to retry later, "
            "%(failed)d not delivered; %(batches)d collective grants resumed."
        ) % {
            "requeued": requeued,
            "sent": sent,
            "retrying": retrying,
            "failed": undelivered,
            "batches": len(batches),
        }
