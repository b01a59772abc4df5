"""Load portal objects through the signed-in employee: someone else's is a 404."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from employees.mfa.access import refuse_session
from employees.mfa.stage import session_meets_employee_policy
from employees.models import Employee
from employees.portal.page_cache import cached_page_content, with_csrf_token
from essportal.web.http import session_end_reason


def _signed_out_or_login(request):
    """A session cookie whose session no longer exists: say why (the idle timeout, or the
    session was ended elsewhere), instead of showing a bare login form."""
    reason = session_end_reason(request)
    if reason:
        return redirect(reverse("portal:signed_out") + f"?reason={reason}")
    return redirect_to_login(request.get_full_path(), reverse("portal:login"))


def employee_required(view):
    """The user is signed in and is an employee; the view gets `request.employee`."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _signed_out_or_login(request)
        # Loaded with the user in one query (essportal.backends.PortalModelBackend).
        employee = getattr(request.user, "employee", None)
        if employee is None:
            raise PermissionDenied
        # Two-step sign-in, where the person has a second factor or their employer requires one.
        if not session_meets_employee_policy(request, employee):
            return refuse_session(request)
        request.employee = employee
        return view(request, *args, **kwargs)

    return wrapper


def leave_module_required(view):
    """R2: with the employer's leave module off, leave pages do not exist (404)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.employee.employer.leave_module:
            raise Http404
        return view(request, *args, **kwargs)

    return employee_required(wrapper)


def employee_object_or_404(queryset, employee: Employee, **lookup):
    """Fetch one object that belongs to this employee, or 404."""
    obj = queryset.filter(employee=employee, **lookup).first()
    if obj is None:
        raise Http404
    # The signed-in employee comes with their employer already: no join, no second query.
    obj.employee = employee
    return obj


def employee_page(request, template: str, nav: str, **context):
    """A portal page: the signed-in employee and the navigation item to highlight."""
    return render(request, template, {"employee": request.employee, "nav": nav, **context})


def cached_employee_page(request, nav: str, page: str, arguments, render, *, keep: bool = True):
    """A portal page whose own part is kept rendered until something it shows changes
    (employees/portal/page_cache.py): `render()` returns it (page_content), and runs only when
    it is not kept. `render(today)` gets the day the page is for; `page` and `arguments` name
    it for the signed-in employee; with `keep` false it is rendered and not kept."""
    today = timezone.localdate()
    if keep:
        content = cached_page_content(request, page, arguments, render, today)
    else:
        content = render(today)
    content = with_csrf_token(request, content)
    return employee_page(
        request, "employees/portal/page.html", nav, title=content.title, content=content.html
    )
