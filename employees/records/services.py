from typing import Any

from django.db import transaction

from employees.models import Employee
from employers.models import AuditEvent, Employer
from employers.services import audit_record


@transaction.atomic
def employee_create(*, employer: Employer, data: dict[str, Any], actor=None) -> Employee:
    """Create an employee from data already validated by EmployeeForm."""
    employee = Employee.objects.create(employer=employer, **data)
    audit_record(employee=employee, action=AuditEvent.Action.EMPLOYEE_CREATED, actor=actor)
    return employee


@transaction.atomic
def employee_update(*, employee: Employee, data: dict[str, Any], actor=None) -> Employee:
    """Apply validated changes (only the fields that changed); the audit log names them."""
    if not data:
        return employee
    for name, value in data.items():
        setattr(employee, name, value)
    employee.save(update_fields=[*data, "updated_at"])
    audit_record(
        employee=employee,
        action=AuditEvent.Action.EMPLOYEE_CHANGED,
        actor=actor,
        detail=", ".join(data),
    )
    return employee
