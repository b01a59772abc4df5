from .models import AuditEvent, Employer


def audit_record(
    *,
    employer: Employer | None = None,
    employee=None,
    action: str,
    actor=None,
    ip_address: str | None = None,
    detail: str = "",
) -> AuditEvent:
    """Write one audit event. Services call this inside their own transaction."""
    if employer is None:
        employer = employee.employer
    actor_label = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_label = actor.get_username()
    else:
        actor = None
    return AuditEvent.objects.create(
        employer=employer,
        employee=employee,
        action=action,
        actor=actor,
        actor_label=actor_label,
        ip_address=ip_address,
        detail=detail[:500],
    )
