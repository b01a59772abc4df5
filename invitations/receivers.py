from anymail.signals import tracking
from django.dispatch import receiver

from invitations.outbox import invitation_record_tracking


@receiver(tracking)
def record_invitation_tracking(sender, event, esp_name, **kwargs):
    invitation_record_tracking(
        message_id=event.message_id or "",
        event_type=event.event_type or "",
        description=(event.description or event.mta_response or "")[:500],
    )
