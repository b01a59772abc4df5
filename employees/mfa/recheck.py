"""Sensitive actions ask for the second factor again when this session's last check is older
than TWO_FACTOR_RECHECK_MINUTES: changing the password, the mails' sender, the factors
themselves, and the collective block. Only for sessions verified with a factor: a person
without one has nothing to be asked for."""

from functools import wraps
from urllib.parse import urlencode

import django_otp
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from employees.mfa import stage
from employees.mfa.access import page_context, signed_in_required
from employees.mfa.authenticate import totp_verify
from employees.mfa.forms import RecoveryCodeForm
from employees.mfa.policy import recovery_device
from employees.mfa.services import recovery_code_used
from essportal.web.http import client_ip
from essportal.web.lockout import (
    password_check_allowed,
    password_check_failed,
    sign_out_locked_out,
)


def needs_recheck(request) -> bool:
    user = request.user
    return user.is_authenticated and user.is_verified() and not stage.recently_verified(request)


def recheck_redirect(request, next_url: str | None = None):
    # A POST cannot be replayed after the check: the person comes back to the form's page.
    target = next_url or (request.get_full_path() if request.method == "GET" else request.path)
    return redirect(reverse("mfa:recheck") + "?" + urlencode({"next": target}))


def second_factor_recheck(view):
    """Put under the view's own access decorator (which signs the person in first)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if needs_recheck(request):
            return recheck_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper


class RecheckForm(RecoveryCodeForm):
    """One field: the 6 digits from the app, or a recovery code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recovery_code"].label = _(
            "Code from your authenticator app or a recovery code"
        )


@never_cache
@signed_in_required
def recheck(request):
    user = request.user
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("mfa:overview")
    if not user.is_verified():
        return redirect(next_url)
    if request.method == "POST" and not password_check_allowed(request, user):
        return sign_out_locked_out(request, user)
    form = RecheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = "".join(form.cleaned_data["recovery_code"].split())
        device = totp_verify(user, code) if code.isdigit() and len(code) == 6 else None
        recovery = recovery_device(user) if device is None else None
        if recovery is not None and django_otp.verify_token(user, recovery.persistent_id, code):
            recovery_code_used(device=recovery, ip_address=client_ip(request))
            device = recovery
        if device is not None:
            stage.verified(request, device)
            return redirect(next_url)
        if password_check_failed(request, user):
            return sign_out_locked_out(request, user)
        form.add_error(None, _("That code is not right, or it was used already."))
    return render(
        request,
        "employees/mfa/recheck.html",
        {"form": form, "next": next_url, **page_context(user)},
        status=400 if form.is_bound else 200,
    )
