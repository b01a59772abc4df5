"""Mails to employees other than the invitation: one registry, one Celery task.

A service calls `employee_mail_queue(kind=..., employee=..., **params)` inside its transaction; the
mail is rendered and sent after commit by a worker. Queue messages carry ids only: anything secret
(a password-reset link) is made inside the task, never put on the broker.
"""

import logging
from collections.abc import Callable

from celery import shared_task
from django.db import transaction

from essportal.mail import build_message, render_mail

from .models import Employee

logger = logging.getLogger(__name__)

# kind -> function(employee, **params) -> template context
MAIL_CONTEXTS: dict[str, Callable[..., dict]] = {}


def employee_mail(kind: str):
    """Register the context builder of a mail kind; its templates are emails/<kind>_*."""

    def register(builder):
        MAIL_CONTEXTS[kind] = builder
        return builder

    return register


def employee_mail_send(*, kind: str, employee_id: int, params: dict) -> bool:
    employee = Employee.objects.select_related("employer", "user").filter(pk=employee_id).first()
    if employee is None or not employee.email:
        return False
    context = {
        "employee": employee,
        "employer": employee.employer,
        **MAIL_CONTEXTS[kind](employee, **params),
    }
    texts = render_mail(kind, context, language=employee.language)
    build_message(texts, to=[employee.email]).send()
    return True


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=6)
def send_employee_mail(kind: str, employee_id: int, params: dict) -> bool:
    return employee_mail_send(kind=kind, employee_id=employee_id, params=params)


def employee_mail_queue(*, kind: str, employee: Employee, **params) -> None:
    """Send after the current transaction commits. If the broker is down, send in-process
    rather than lose the mail."""
    if kind not in MAIL_CONTEXTS:
        raise KeyError(kind)

    def start():
        try:
            send_employee_mail.delay(kind, employee.pk, params)
        except Exception:  # noqa: BLE001
            logger.warning("Broker unavailable; sending %s mail in-process", kind)
            employee_mail_send(kind=kind, employee_id=employee.pk, params=params)

    transaction.on_commit(start)
