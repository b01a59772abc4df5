"""Employee accounts after activation: block, unblock, reminders, forgotten password or username."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from employees.access_cache import employer_access_changed
from employees.accounts.recovery import RECOVERY_KINDS
from employees.accounts.selectors import accounts_to_block, accounts_to_unblock
from employees.mails import employee_mail_queue
from employees.models import Employee
from employees.records.forms import normalise_email
from employees.tasks import send_account_recovery_mail
from employers.models import AuditEvent
from employers.services import audit_record
from essportal.outages import task_delay

logger = logging.getLogger(__name__)


class AccountError(Exception):
    pass


def _require_account(employee: Employee):
    if not employee.user_id:
        raise AccountError(_("This employee has no account yet."))


def _account_set_active(employee: Employee, active: bool, actor, ip_address) -> None:
    _require_account(employee)
    user = employee.user
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    employer_access_changed(employee.employer_id)
    action = AuditEvent.Action.UNBLOCKED if active else AuditEvent.Action.BLOCKED
    audit_record(employee=employee, action=action, actor=actor, ip_address=ip_address)
    employee_mail_queue(
        kind="account_unblocked" if active else "account_blocked", employee=employee
    )


@transaction.atomic
def account_block(*, employee: Employee, actor=None, ip_address=None) -> None:
    """Blocking ends the account's sessions at their next request (inactive users are not
    loaded from a session) and mails the employee. The credentials stay as they are."""
    _account_set_active(employee, False, actor, ip_address)


@transaction.atomic
def account_unblock(*, employee: Employee, actor=None, ip_address=None) -> None:
    """The same username and password work again."""
    _account_set_active(employee, True, actor, ip_address)


@transaction.atomic
def account_send_username(*, employee: Employee, actor=None, ip_address=None) -> None:
    _require_account(employee)
    audit_record(
        employee=employee,
        action=AuditEvent.Action.USERNAME_SENT,
        actor=actor,
        ip_address=ip_address,
    )
    employee_mail_queue(kind="username_reminder", employee=employee)


def account_recovery_request(*, kind: str, email: str) -> None:
    """Forgot password / username, the web side: queue the same task whether or not the address
    is known, with the address as addresses are stored. The lookup and any mail happen in the
    worker (employees.accounts.recovery), so the answer takes the same work either way.

    With the broker down the request is dropped, not served in-process as other mails are: that
    would make a known address answer slower again. The employee can ask again."""
    if kind not in RECOVERY_KINDS:
        raise ValueError(kind)
    # A broker outage is logged once when it starts and once when it ends (essportal/outages).
    if not task_delay(send_account_recovery_mail, kind, normalise_email(email)):
        logger.debug("Broker unavailable; a %s request was dropped", kind)


def accounts_block_collectively(*, employer, left_before, actor=None, ip_address=None) -> int:
    count = 0
    for employee in accounts_to_block(employer, left_before=left_before).iterator(chunk_size=500):
        account_block(employee=employee, actor=actor, ip_address=ip_address)
        count += 1
    return count


def accounts_unblock_collectively(*, employer, actor=None, ip_address=None) -> int:
    count = 0
    for employee in accounts_to_unblock(employer).iterator(chunk_size=500):
        account_unblock(employee=employee, actor=actor, ip_address=ip_address)
        count += 1
    return count
