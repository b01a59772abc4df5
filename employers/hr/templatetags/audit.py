"""The audit log in words HR reads: stored details are codes and field names (the log outlives
the language it was written in), translated when shown."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from employees.models import Employee
from employers.models import AuditEvent

register = template.Library()

Action = AuditEvent.Action
# Steps the employee takes on their invitation link or in the portal.
_BY_EMPLOYEE = {
    Action.BIRTH_DATE_WRONG,
    Action.LOCKED,
    Action.USERNAME_TAKEN,
    Action.LOCKED_TAKEN_USERNAMES,
    Action.ACTIVATED,
}
# What the mail provider reported, or the outbox did on its own.
_BY_SYSTEM = {
    Action.MAIL_SENT,
    Action.MAIL_DELIVERED,
    Action.MAIL_FAILED,
    Action.MAIL_BOUNCED,
    Action.MAIL_COMPLAINED,
}
_DETAILS = {
    "collective": gettext_lazy("collective grant"),
    "after an undelivered mail": gettext_lazy("after an undelivered mail"),
}


def _field_label(name: str) -> str:
    try:
        return str(Employee._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name  # an address change ("a***@x.nl → b***@y.nl") or an older entry


@register.filter
def audit_detail(event: AuditEvent) -> str:
    if event.action == Action.EMPLOYEE_CHANGED:
        return ", ".join(_field_label(name) for name in event.detail.split(", "))
    return str(_DETAILS.get(event.detail, event.detail))


@register.filter
def audit_actor(event: AuditEvent) -> str:
    if event.actor_label:
        return event.actor_label
    if event.action in _BY_EMPLOYEE and event.employee_id:
        return _("%(name)s (the employee)") % {"name": event.employee.full_name}
    if event.action in _BY_SYSTEM:
        return _("the system")
    return _("the employee or the system")
