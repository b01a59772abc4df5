"""Delivery events from the email provider (anymail's tracking webhook) on the invitation rows."""

from django.db import transaction
from django.utils import timezone

from employees.access_cache import employer_access_changed
from employers.models import AuditEvent
from employers.services import audit_record
from invitations.models import Invitation

TRACKING_STATES = {
    "delivered": Invitation.MailStatus.DELIVERED,
    "bounced": Invitation.MailStatus.BOUNCED,
    "rejected": Invitation.MailStatus.BOUNCED,
    "complained": Invitation.MailStatus.COMPLAINED,
    "failed": Invitation.MailStatus.FAILED,
}
TRACKING_AUDIT = {
    Invitation.MailStatus.DELIVERED: AuditEvent.Action.MAIL_DELIVERED,
    Invitation.MailStatus.BOUNCED: AuditEvent.Action.MAIL_BOUNCED,
    Invitation.MailStatus.COMPLAINED: AuditEvent.Action.MAIL_COMPLAINED,
    Invitation.MailStatus.FAILED: AuditEvent.Action.MAIL_FAILED,
}
UNDELIVERED = {Invitation.MailStatus.BOUNCED, Invitation.MailStatus.FAILED}
# A late "delivered" must not hide an earlier bounce or complaint.
_TRACKING_RANK = {
    Invitation.MailStatus.SENT: 0,
    Invitation.MailStatus.DELIVERED: 1,
    Invitation.MailStatus.FAILED: 2,
    Invitation.MailStatus.BOUNCED: 2,
    Invitation.MailStatus.COMPLAINED: 3,
}


@transaction.atomic
def invitation_record_tracking(*, message_id: str, event_type: str, description: str = "") -> bool:
    """Apply an ESP tracking event (from anymail's webhook). Replays change nothing."""
    new_status = TRACKING_STATES.get(event_type)
    if not new_status or not message_id:
        return False
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("employee")
        .filter(mail_message_id=message_id)
        .first()
    )
    if invitation is None:
        return False
    current_rank = _TRACKING_RANK.get(invitation.mail_status, -1)
    if current_rank >= _TRACKING_RANK[new_status]:
        return False
    now = timezone.now()
    invitation.mail_status = new_status
    invitation.mail_updated_at = now
    if description:
        invitation.mail_error = description[:500]
    fields = ["mail_status", "mail_updated_at", "mail_error"]
    if new_status in UNDELIVERED and invitation.status == Invitation.Status.PENDING:
        # The link never reached the employee: close it, so that HR sees "mail not delivered"
        # and can invite again (one by one, collectively, or `send_queued_mail --failed`).
        invitation.status = Invitation.Status.UNDELIVERED
        invitation.closed_at = now
        fields += ["status", "closed_at"]
        employer_access_changed(invitation.employee.employer_id)
    invitation.save(update_fields=fields)
    audit_record(
        employee=invitation.employee, action=TRACKING_AUDIT[new_status], detail=description
    )
    return True
