from celery import shared_task
from django.utils import timezone

from employees.accounts.recovery import account_recovery_send
from employees.payroll.services import documents_publish_notify


@shared_task
def notify_published_documents() -> int:
    """Daily: mail employees whose payslips or annual statements became visible today."""
    return documents_publish_notify(today=timezone.localdate())


@shared_task(acks_late=True)
def send_account_recovery_mail(kind: str, email: str) -> int:
    """A forgotten password or username. It carries the typed address, never an id or a link:
    the request must not look the address up."""
    return account_recovery_send(kind=kind, email=email)
