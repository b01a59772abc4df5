"""The employee's leave page: balances, planned leave, and asking for or cancelling leave."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from employees.formatting import format_hours
from employees.leave.forms import HOURS_PER_WORKING_DAY, LeaveRequestForm
from employees.leave.selectors import leave_overview, leave_requests_for_employee, leave_totals
from employees.leave.services import leave_request_cancel, leave_request_create
from employees.models import LeaveRequest
from employees.portal.access import (
    cached_employee_page,
    employee_object_or_404,
    employee_page,
    leave_module_required,
)
from employees.portal.page_cache import page_content


@leave_module_required
def leave(request):
    def render(today):
        rows = leave_overview(request.employee, year=today.year, today=today)
        context = {
            "year": today.year,
            "rows": rows,
            "totals": leave_totals(rows),
            "requests": list(leave_requests_for_employee(request.employee)[:100]),
        }
        return page_content("employees/leave/leave.html", _("Leave"), context)

    return cached_employee_page(request, "leave", "leave", [], render)


@leave_module_required
def leave_request(request):
    form = LeaveRequestForm(
        request.POST or None, employee=request.employee, today=timezone.localdate()
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = leave_request_create(employee=request.employee, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your leave request for %(hours)s hours was sent to your employer.")
                % {"hours": format_hours(created.hours)},
            )
            return redirect("portal:leave")
    return employee_page(
        request,
        "employees/leave/leave_request.html",
        "leave",
        form=form,
        hours_per_working_day=HOURS_PER_WORKING_DAY,
    )


@require_POST
@leave_module_required
def leave_cancel(request, request_id):
    leave_request = employee_object_or_404(
        LeaveRequest.objects.all(), request.employee, pk=request_id
    )
    if leave_request_cancel(leave_request=leave_request):
        messages.success(request, _("Your leave request was withdrawn."))
    else:
        messages.error(request, _("This request has already been decided and cannot be withdrawn."))
    return redirect("portal:leave")
