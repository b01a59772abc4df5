from celery import shared_task

from employers.hr.digest import leave_digest_send


@shared_task
def send_leave_digest() -> int:
    """Daily at LEAVE_DIGEST_HOUR: mail HR about new leave requests awaiting a decision."""
    return leave_digest_send()
