"""Celery tasks: thin wrappers that take ids and call the services."""

from celery import shared_task
from django.conf import settings

from essportal.operations import WORKER, heartbeat_record
from invitations.collective import grant_batch_run, stalled_grant_batches
from invitations.outbox import invitations_due_for_sending, invitations_send_mail


@shared_task(acks_late=True)
def send_invitation_mails(invitation_ids: list[int]) -> dict:
    """Send queued invitation mails. Failed attempts go back to the outbox with a backoff;
    the sweep retries them, so a retry survives a broker restart too."""
    result = invitations_send_mail(invitation_ids=invitation_ids)
    return {
        "sent": len(result.sent),
        "retrying": len(result.retrying),
        "failed": len(result.failed),
    }


@shared_task(acks_late=True)
def run_grant_batch(batch_id: int) -> None:
    grant_batch_run(batch_id=batch_id)


@shared_task
def sweep_invitation_outbox() -> dict:
    """Celery beat runs this every minute: re-queue stuck mail and stalled collective grants."""
    due = invitations_due_for_sending()
    chunk = settings.COLLECTIVE_CHUNK_SIZE
    for start in range(0, len(due), chunk):
        send_invitation_mails.delay(due[start : start + chunk])
    stalled = stalled_grant_batches()
    for batch_id in stalled:
        run_grant_batch.delay(batch_id)
    # Last, so that a sweep that fails leaves the heartbeat to age and the operator is told.
    heartbeat_record(name=WORKER)
    return {"mails": len(due), "batches": len(stalled)}
