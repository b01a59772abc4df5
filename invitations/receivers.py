"""Signals from below that the invitations act on (connected in InvitationsConfig.ready)."""

from anymail.signals import tracking
from django.dispatch import receiver

from employees.records.signals import employee_email_changed
from invitations.services import invitation_replace_for_new_address
from invitations.tracking import invitation_record_tracking


@receiver(tracking)
def record_invitation_tracking(sender, event, esp_name, **kwargs):
    # The event is the ESP's data, partly written by the recipient's mail server; PostgreSQL
    # refuses NUL in text, and a crash would make the ESP send the event again and again.
    invitation_record_tracking(
        message_id=(event.message_id or "").replace("\0", ""),
        event_type=event.event_type or "",
        description=(event.description or event.mta_response or "").replace("\0", "")[:500],
    )


@receiver(employee_email_changed)
def replace_invitation_for_new_address(sender, employee, old_email, actor, ip_address, **kwargs):
    invitation_replace_for_new_address(
        employee=employee, old_email=old_email, actor=actor, ip_address=ip_address
    )
