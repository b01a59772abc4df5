"""What the HR menu of an employer shows: only what the signed-in staff member may do, and the
number of leave requests awaiting a decision (one count query per page, none without the leave
module)."""

from dataclasses import dataclass

from django import template
from django.utils.functional import cached_property

from employees.leave.selectors import leave_requests_waiting_count
from employers.selectors import (
    staff_can_manage,
    staff_can_manage_provider,
    staff_sees_several_employers,
)

register = template.Library()


@dataclass
class EmployerMenu:
    employer: object
    can_manage: bool
    can_switch: bool

    @cached_property
    def leave_waiting(self) -> int:
        return leave_requests_waiting_count(self.employer)


@register.simple_tag(takes_context=True)
def employer_menu(context, employer) -> EmployerMenu:
    user = context["request"].user
    return EmployerMenu(
        employer=employer,
        can_manage=staff_can_manage(user, employer),
        can_switch=staff_sees_several_employers(user),
    )


@register.simple_tag(takes_context=True)
def manages_provider(context, provider) -> bool:
    return staff_can_manage_provider(context["request"].user, provider.pk)
