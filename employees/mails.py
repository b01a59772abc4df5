"""Mails to employees other than the invitation: one registry, one Celery task.

A service calls `employee_mail_queue(kind=..., employee=..., **params)` inside its transaction; the
mail is rendered and sent after commit by a worker. Queue messages carry ids only: anything secret
(a password-reset link) is made inside the task, never put on the broker. The wording comes from
essportal.mail.texts (defaults, provider and employer overrides).
"""

import logging
from collections.abc import Callable

from celery import shared_task
from django.db import transaction

from employees.models import Employee
from employers.texts import Renderer
from essportal.mail.message import build_message
from essportal.mail.texts import common_values
from essportal.outages import task_delay

logger = logging.getLogger(__name__)

# kind -> function(employee, **params) -> (kind to send, placeholder values), or None to skip.
# A third item names another recipient than the employee's address: the notice of an address
# change goes to the old address.
MailValues = tuple[str, dict[str, str]] | tuple[str, dict[str, str], str]
MAIL_VALUES: dict[str, Callable[..., MailValues | None]] = {}


def employee_mail(kind: str):
    """Register the function that gives a mail kind its placeholder values."""

    def register(builder):
        MAIL_VALUES[kind] = builder
        return builder

    return register


def employee_mail_send(*, kind: str, employee_id: int, params: dict) -> bool:
    employee = Employee.objects.select_related("employer", "user").filter(pk=employee_id).first()
    if employee is None:
        return False
    built = MAIL_VALUES[kind](employee, **params)
    if built is None:
        return False
    text_kind, values, *recipient = built
    to = recipient[0] if recipient else employee.email
    if not to:
        return False
    texts = Renderer(text_kind).render(
        employer=employee.employer,
        language=employee.language,
        values={**common_values(employee), **values},
    )
    build_message(texts, employer=employee.employer, to=[to]).send()
    return True


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=6)
def send_employee_mail(kind: str, employee_id: int, params: dict) -> bool:
    return employee_mail_send(kind=kind, employee_id=employee_id, params=params)


def employee_mail_queue(*, kind: str, employee: Employee, **params) -> None:
    """Send after the current transaction commits. If the broker is down, send in-process
    rather than lose the mail."""
    if kind not in MAIL_VALUES:
        raise KeyError(kind)

    def start():
        # A broker outage is logged once when it starts and once when it ends (essportal/outages).
        if not task_delay(send_employee_mail, kind, employee.pk, params):
            logger.debug("Broker unavailable; sending %s mail in-process", kind)
            employee_mail_send(kind=kind, employee_id=employee.pk, params=params)

    transaction.on_commit(start)
