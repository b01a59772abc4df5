"""HR decides on leave requests (R2: only where the employer uses the leave module)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from employees.leave.selectors import leave_requests_for_employer, leave_requests_of_employers
from employees.leave.services import LeaveRequestAlreadyDecided, leave_request_decide
from employees.models import LeaveRequest
from employers.hr.access import get_employer_for_staff, staff_required
from employers.selectors import employers_for_staff, staff_can_manage
from essportal.web.http import client_ip, posted_text
from essportal.web.pagination import page_number, page_of

STATUS_FILTERS = ("", *LeaveRequest.Status.values)


@staff_required
def leave_requests(request, employer_id):
    employer = get_employer_for_staff(request, employer_id)
    if not employer.leave_module:
        raise Http404
    status = request.GET.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    rows = leave_requests_for_employer(employer, status=status)
    page = page_number(request)
    rows, has_next = page_of(rows, page, per_page=50)
    return render(
        request,
        "employers/hr/leave_requests.html",
        {
            "employer": employer,
            "leave_requests": rows,
            "status": status,
            "statuses": LeaveRequest.Status.choices,
            "page": page,
            "has_next": has_next,
            "can_manage": staff_can_manage(request.user, employer),
        },
    )


def _leave_request_for_manager(request, request_id: int) -> LeaveRequest:
    leave_request = get_object_or_404(
        leave_requests_of_employers(employers_for_staff(request.user)), pk=request_id
    )
    if not staff_can_manage(request.user, leave_request.employee.employer):
        raise PermissionDenied
    return leave_request


def _decide(request, request_id: int, *, approve: bool):
    leave_request = _leave_request_for_manager(request, request_id)
    note = posted_text(request, "note", max_length=500)
    try:
        leave_request_decide(
            leave_request=leave_request,
            approve=approve,
            actor=request.user,
            note=note,
            ip_address=client_ip(request),
        )
    except LeaveRequestAlreadyDecided:
        messages.error(request, _("This request has already been decided or withdrawn."))
    else:
        text = (
            _("The leave of %(name)s was approved.")
            if approve
            else _("The leave of %(name)s was rejected.")
        )
        messages.success(request, text % {"name": leave_request.employee.full_name})
    return redirect("hr:leave_requests", employer_id=leave_request.employee.employer_id)


@require_POST
@staff_required
def leave_approve(request, request_id):
    return _decide(request, request_id, approve=True)


@require_POST
@staff_required
def leave_reject(request, request_id):
    return _decide(request, request_id, approve=False)
