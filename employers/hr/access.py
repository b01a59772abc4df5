"""Load HR objects through the signed-in staff member's scope.

Every HR view gets its employer and employee here: someone else's object is a 404 (we do not
confirm that it exists), a read-only role trying to change something is a 403.
"""

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from employees.mfa.access import refuse_session
from employees.mfa.stage import session_meets_staff_policy
from employees.models import Employee
from employers.models import Employer
from employers.selectors import employers_for_staff, memberships_for_staff, staff_can_manage
from essportal.web.http import client_ip, session_end_reason


def staff_required(view):
    """The user must be signed in and hold at least one staff membership."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            reason = session_end_reason(request)
            if reason == "timeout":
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": settings.SESSION_COOKIE_AGE // 60},
                )
            elif reason == "ended":
                messages.info(
                    request,
                    _(
                        "Your session was ended: you signed out everywhere, your password was "
                        "changed, or your access was withdrawn."
                    ),
                )
            return redirect_to_login(request.get_full_path(), reverse("hr:login"))
        if not memberships_for_staff(request.user):
            raise PermissionDenied
        # HR pages need a session verified with a second factor (employees.mfa.stage).
        if not session_meets_staff_policy(request):
            return refuse_session(request)
        return view(request, *args, **kwargs)

    return wrapper


def get_employer_for_staff(request, employer_id: int, *, manage: bool = False) -> Employer:
    employer = get_object_or_404(employers_for_staff(request.user), pk=employer_id)
    if manage and not staff_can_manage(request.user, employer):
        raise PermissionDenied
    return employer


def get_employee_for_staff(request, employee_id: int, *, manage: bool = False) -> Employee:
    employee = get_object_or_404(
        Employee.objects.select_related("employer__provider", "user").filter(
            employer__in=employers_for_staff(request.user)
        ),
        pk=employee_id,
    )
    if manage and not staff_can_manage(request.user, employee.employer):
        raise PermissionDenied
    return employee


def get_provider_for_staff(request, provider_id: int, *, manage: bool = False):
    """Only staff attached to the provider itself may see or edit its provider-wide settings."""
    memberships = [m for m in memberships_for_staff(request.user) if m.provider_id == provider_id]
    if not memberships:
        raise Http404
    if manage and not any(m.can_manage for m in memberships):
        raise PermissionDenied
    return memberships[0].provider


@dataclass(frozen=True)
class Confirmation:
    """What a destructive action asks first: the question (naming the person) and what follows."""

    question: str  # with %(name)s
    consequence: str
    button: str


def employee_action(
    service,
    success_message: str,
    refusal: type[Exception],
    confirm: Confirmation | None = None,
):
    """The view of one HR action on one employee: load the employee in scope with the managing
    role, call the service on POST, and tell HR what happened. `refusal` is the service's "not
    allowed now" error; its message is shown as it is. With `confirm`, a GET shows the question
    first (a destructive action names the person and the consequence before it happens)."""

    @require_http_methods(["GET", "POST"] if confirm else ["POST"])
    @staff_required
    def view(request, employee_id: int):
        employee = get_employee_for_staff(request, employee_id, manage=True)
        if request.method == "GET":
            return render(
                request,
                "employers/hr/confirm_action.html",
                {
                    "employer": employee.employer,
                    "employee": employee,
                    "question": confirm.question % {"name": employee.full_name},
                    "consequence": confirm.consequence,
                    "button": confirm.button,
                },
            )
        try:
            service(employee=employee, actor=request.user, ip_address=client_ip(request))
        except refusal as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, success_message % {"name": employee.full_name})
        return redirect("hr:employee_detail", employee_id=employee.pk)

    return view
