"""The half-signed-in session and finishing a sign-in.

After the right password a person who has (or must set up) a second factor is not signed in:
the session holds only their id, the site they came from and when, for
TWO_FACTOR_PENDING_MINUTES. Nothing is signed in, so every HR and portal page still sends such a
session to its sign-in page; only the second-step pages read it. The second step ends with
Django's login(), which gives the session a new key, and django_otp.login(), which records the
device (OTPMiddleware then verifies it on every request).

A session signed in without a second step carries PASSWORD_ONLY_KEY; the HR and portal access
checks (`session_meets_policy`) send any other unverified session back to the sign-in page:
a session from before two-step sign-in existed, or one whose employer has since required it.
"""

import time
from dataclasses import dataclass

import django_otp
from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import DEVICE_ID_SESSION_KEY

from employees.mfa.policy import has_second_factor, second_factor_required, sign_in_devices

PENDING_KEY = "mfa_pending"
PASSWORD_ONLY_KEY = "mfa_password_only"  # noqa: S105 (a session key, not a password)
VERIFIED_AT_KEY = "mfa_verified_at"

SITES = {"hr": ("hr:login", "hr:home"), "portal": ("portal:login", "portal:home")}


@dataclass(frozen=True)
class Pending:
    user: object
    site: str
    next_url: str
    backend: str
    setup: bool  # True: the person has no factor yet and must set one up

    @property
    def login_url(self) -> str:
        return SITES[self.site][0]


def _safe_next(request, next_url: str, site: str) -> str:
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url

    return reverse(SITES[site][1])


def sign_in(request, user, *, site: str, next_url: str) -> HttpResponseRedirect:
    """After the right password: sign in, or move to the second step (or its set-up)."""
    has_factor = has_second_factor(user)
    if not has_factor and not second_factor_required(user):
        login(request, user)
        request.session[PASSWORD_ONLY_KEY] = user.pk
        return redirect(_safe_next(request, next_url, site))
    pending_start(request, user, site=site, next_url=next_url, setup=not has_factor)
    return redirect("mfa:setup_totp" if not has_factor else "mfa:authenticate")


def pending_start(request, user, *, site: str, next_url: str, setup: bool) -> None:
    if request.user.is_authenticated:
        logout(request)  # someone else's session in this browser ends here
    # A new key: whoever planted a session id learns nothing about this one.
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "site": site if site in SITES else "portal",
        "next": next_url or "",
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "since": time.time(),
        "setup": setup,
    }


def pending(request) -> Pending | None:
    """The half-signed-in person of this session, or None (none, or older than the limit)."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if time.time() - data.get("since", 0) > settings.TWO_FACTOR_PENDING_MINUTES * 60:
        pending_clear(request)
        return None
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    if user is None:
        pending_clear(request)
        return None
    return Pending(
        user=user,
        site=data["site"],
        next_url=data["next"],
        backend=data["backend"],
        setup=data["setup"],
    )


def pending_clear(request) -> None:
    request.session.pop(PENDING_KEY, None)


def pending_site(request) -> str:
    data = request.session.get(PENDING_KEY)
    return data.get("site", "portal") if isinstance(data, dict) else "portal"


def finish(request, state: Pending, device) -> str:
    """The second step succeeded: sign in for real. Returns where to go next."""
    pending_clear(request)
    login(request, state.user, backend=state.backend)  # a new session key
    verified(request, device)
    return _safe_next(request, state.next_url, state.site)


def verified(request, device) -> None:
    """Record the device this session was verified with, and when (for sensitive actions)."""
    django_otp.login(request, device)
    request.session.pop(PASSWORD_ONLY_KEY, None)
    request.session[VERIFIED_AT_KEY] = time.time()


def device_removed(request, persistent_id: str) -> None:
    """This session's person removed one of their factors. If it was the one the session was
    verified with, the verification moves to a factor that remains (the removal itself needed a
    fresh check), or, with none left, the session goes on as signed in by password."""
    if request.session.get(DEVICE_ID_SESSION_KEY) != persistent_id:
        return
    remaining = sign_in_devices(request.user)
    if remaining:
        at = request.session.get(VERIFIED_AT_KEY)
        verified(request, remaining[0])
        if at is not None:
            request.session[VERIFIED_AT_KEY] = at  # no longer window than the check gave
    else:
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        request.session[PASSWORD_ONLY_KEY] = request.user.pk


def session_meets_policy(request) -> bool:
    """A signed-in session may use the mfa pages: verified with a second factor, or signed in
    by password alone where that is allowed (and said so at sign-in)."""
    user = request.user
    if user.is_verified():
        return True
    if request.session.get(PASSWORD_ONLY_KEY) != user.pk:
        return False
    return not second_factor_required(user)


def session_meets_staff_policy(request) -> bool:
    """HR pages: only a session verified with a second factor."""
    return request.user.is_verified()


def session_meets_employee_policy(request, employee) -> bool:
    """Portal pages: verified, or signed in by password alone while the employer does not
    require a second step. (No staff-membership query: the portal shows only the employee's
    own data, and staff who are also employees were asked for the second step at sign-in.)"""
    if request.user.is_verified():
        return True
    if request.session.get(PASSWORD_ONLY_KEY) != request.user.pk:
        return False
    return not employee.employer.employees_need_two_factor


def recently_verified(request) -> bool:
    """Verified with a second factor within TWO_FACTOR_RECHECK_MINUTES."""
    at = request.session.get(VERIFIED_AT_KEY)
    return (
        request.user.is_verified()
        and isinstance(at, int | float)
        and time.time() - at <= settings.TWO_FACTOR_RECHECK_MINUTES * 60
    )
