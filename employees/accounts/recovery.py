"""A forgotten password or username, the worker's side: find the accounts, cap the mails per
recipient address, mail them.

The web request only queues `employees.tasks.send_account_recovery_mail` with the typed address
(`employees.accounts.services.account_recovery_request`), known or not, so that its answer and
the work behind it are the same either way; whether anyone is registered under the address is
found out here.
"""

import logging

from django.conf import settings

from employees.accounts.selectors import active_accounts_at_address
from employees.mails import employee_mail_queue
from essportal.web.throttle import throttle_hit

logger = logging.getLogger(__name__)

RECOVERY_KINDS = ("password_reset", "username_reminder")


def account_recovery_send(*, kind: str, email: str) -> int:
    """Mail each active account under this (normalised) address its reset link or username;
    the reset link is made by the mail task, never here. Returns the number of mails queued.

    The cap counts here, per mail, keyed by the address the mail goes to: every mail of these
    kinds passes this point whichever client asked, and only an exact match of the stored
    address is mailed, so every spelling that reaches an inbox counts against that inbox. The
    counter is in the cache, which all web and worker processes share."""
    if kind not in RECOVERY_KINDS:
        raise ValueError(kind)
    queued = 0
    for employee in active_accounts_at_address(email):
        if not throttle_hit(
            "account-mail-recipient",
            employee.email,
            limit=settings.ACCOUNT_MAILS_PER_RECIPIENT_PER_HOUR,
            window_seconds=3600,
        ):
            logger.info("Account mail not sent: the recipient's hourly cap is reached")
            continue
        employee_mail_queue(kind=kind, employee=employee)
        queued += 1
    return queued
