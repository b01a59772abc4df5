from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from invitations.collective import grant_batch_run, stalled_grant_batches
from invitations.outbox import invitations_due_for_sending, invitations_send_mail


class Command(BaseCommand):
    help = _(
        "Send invitation mails that are due (queued, retrying or stuck) and resume stalled "
        "collective grants, in this process. Works while the broker is down."
    )

    def handle(self, *args, **options):
        due = invitations_due_for_sending()
        sent = retrying = failed = 0
        chunk = settings.COLLECTIVE_CHUNK_SIZE
        for start in range(0, len(due), chunk):
            result = invitations_send_mail(invitation_ids=due[start : start + chunk])
            sent += len(result.sent)
            retrying += len(result.retrying)
            failed += len(result.failed)
        batches = stalled_grant_batches()
        for batch_id in batches:
            grant_batch_run(batch_id=batch_id)
        return _(
            "%(sent)d sent, %(retrying)d to retry later, %(failed)d failed; "
            "%(batches)d collective grants resumed."
        ) % {"sent": sent, "retrying": retrying, "failed": failed, "batches": len(batches)}
