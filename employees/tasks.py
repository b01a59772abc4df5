from celery import shared_task
from django.utils import timezone

from employees.payroll.services import documents_publish_notify


@shared_task
def notify_published_documents() -> int:
    """Daily: mail employees whose payslips or annual statements became visible today."""
    return documents_publish_notify(today=timezone.localdate())
