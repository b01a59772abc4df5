from typing import Any

from django.db import transaction

from employees.access_cache import employer_access_changed
from employees.mails import employee_mail_queue
from employees.models import EmailChange, Employee
from employees.records.signals import employee_email_changed
from employers.models import AuditEvent, Employer
from employers.services import audit_record
from essportal.mail.addresses import email_change_label
from essportal.models import User


@transaction.atomic
def employee_create(*, employer: Employer, data: dict[str, Any], actor=None) -> Employee:
    """Create an employee from data already validated by EmployeeForm."""
    employee = Employee.objects.create(employer=employer, **data)
    employer_access_changed(employer.pk)
    audit_record(employee=employee, action=AuditEvent.Action.EMPLOYEE_CREATED, actor=actor)
    return employee


def _stored_email_locked(employee: Employee) -> tuple[str, int | None]:
    """The address and account as stored, the row locked FOR NO KEY UPDATE as a grant and a
    resend lock it: an address change and a new invitation for one employee take turns, so that
    no invitation is created for an address that is being replaced. Read from the database: a
    model form has already put the new value on the instance, and the account may have been
    activated since the instance was loaded."""
    return (
        Employee.objects.select_for_update(no_key=True)
        .values_list("email", "user_id")
        .get(pk=employee.pk)
    )


def _account_address_changed(employee: Employee, old_email: str, user_id: int) -> None:
    """Whoever changes an account's address can have a password-reset link sent to the new one.
    So the owner hears of it at the old address (by id after commit: the task sends to the
    address the change row keeps), the details page lists it, and the account's own address
    follows: a reset link already mailed to the old address stops working, as its token covers
    that address."""
    change = EmailChange.objects.create(
        employee=employee, old_email=old_email, new_email=employee.email
    )
    User.objects.filter(pk=user_id).update(email=employee.email)
    if old_email:
        employee_mail_queue(kind="email_changed", employee=employee, change_id=change.pk)


@transaction.atomic
def employee_update(
    *, employee: Employee, data: dict[str, Any], actor=None, ip_address=None
) -> Employee:
    """Apply validated changes (only the fields that changed); the audit log names them.

    A new email address is a security event. In this transaction: the audit detail gives the old
    and the new address masked, an account's owner is told at the old address, and
    employee_email_changed lets the invitations replace a link that went to the old address.
    """
    old_email = user_id = None
    if "email" in data:
        old_email, user_id = _stored_email_locked(employee)
        if data["email"] == old_email:
            data = {name: value for name, value in data.items() if name != "email"}
            old_email = None
    if not data:
        return employee
    for name, value in data.items():
        setattr(employee, name, value)
    employee.save(update_fields=[*data, "updated_at"])
    employer_access_changed(employee.employer_id)
    audit_record(
        employee=employee,
        action=AuditEvent.Action.EMPLOYEE_CHANGED,
        actor=actor,
        ip_address=ip_address,
        detail=", ".join(
            email_change_label(old_email, employee.email) if name == "email" else name
            for name in data
        ),
    )
    if old_email is not None and user_id:
        _account_address_changed(employee, old_email, user_id)
    if old_email is not None:
        employee_email_changed.send(
            sender=Employee,
            employee=employee,
            old_email=old_email,
            new_email=employee.email,
            actor=actor,
            ip_address=ip_address,
        )
    return employee
