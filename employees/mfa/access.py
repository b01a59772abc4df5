"""Who reaches the second-factor pages, and with which page frame."""

from functools import wraps

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from employees.mfa import stage
from employers.selectors import memberships_for_staff


def is_staff_member(user) -> bool:
    return bool(memberships_for_staff(user))


def login_url_for(user) -> str:
    return reverse("hr:login" if is_staff_member(user) else "portal:login")


def refuse_session(request):
    """A signed-in session that does not meet the two-step policy: sign it out and send the
    person to the sign-in page, where the second step (or its set-up) follows the password."""
    url = login_url_for(request.user)
    logout(request)
    return redirect_to_login(request.get_full_path(), url)


def signed_in_required(view):
    """Signed in, HR or employee, with a session that meets the two-step policy."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if not stage.session_meets_policy(request):
            return refuse_session(request)
        return view(request, *args, **kwargs)

    return wrapper


def page_context(user) -> dict:
    """The frame of a page: HR's for staff, the portal's (with its menu) for employees."""
    if is_staff_member(user):
        return {"base_template": "employers/hr/base.html"}
    return {
        "base_template": "employees/portal/base.html",
        "employee": getattr(user, "employee", None),
        "nav": "account",
    }
