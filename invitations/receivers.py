from anymail.signals import tracking
from django.dispatch import receiver

from invitations.outbox import invitation_record_tracking


@receiver(tracking)
def record_invitation_tracking(sender, event, esp_name, **kwargs):
    # The event is the ESP's data, partly written by the recipient's mail server; PostgreSQL
    # refuses NUL in text, and a crash would make the ESP send the event again and again.
    invitation_record_tracking(
        message_id=(event.message_id or "").replace("\0", ""),
        event_type=event.event_type or "",
        description=(event.description or event.mta_response or "").replace("\0", "")[:500],
    )
