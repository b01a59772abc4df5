"""The mails of factor changes (kinds `two_factor_changed`, `recovery_code_used`)."""

from django.utils import translation

from employees.mails import employee_mail
from employees.mfa.services import change_text


@employee_mail("two_factor_changed")
def two_factor_changed_values(employee, *, action, factor="", actor=""):
    # Written in the worker, in the employee's language (the placeholder is a sentence of ours).
    with translation.override(employee.language):
        return "two_factor_changed", {
            "factor_change": change_text(action, factor=factor, actor=actor)
        }


@employee_mail("recovery_code_used")
def recovery_code_used_values(employee, *, codes_left):
    return "recovery_code_used", {"codes_left": str(codes_left)}
