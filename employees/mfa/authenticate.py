"""The second sign-in step: a code from the authenticator app, or a recovery code.

Only a half-signed-in session (employees.mfa.stage) reaches these pages. A wrong code counts as
a failed sign-in for that user and client address (django-axes, like a wrong password), and in
this session: at the limit the session ends and the lockout page is shown."""

import django_otp
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from employees.mfa import stage
from employees.mfa.forms import CodeForm, RecoveryCodeForm
from employees.mfa.policy import recovery_device, totp_devices
from employees.mfa.services import recovery_code_used
from essportal.web.http import client_ip
from essportal.web.lockout import (
    password_check_allowed,
    password_check_failed,
    sign_out_locked_out,
)


def base_template(site: str) -> str:
    return "employers/hr/base.html" if site == "hr" else "employees/portal/base.html"


def expired(request, site: str):
    messages.info(request, _("Signing in took too long. Please sign in again."))
    return redirect(stage.SITES[site][0])


def totp_verify(user, code: str) -> TOTPDevice | None:
    """The person's authenticator app that accepts this code (django-otp checks the window of
    one step either side and refuses a code at or before the last one used)."""
    for device in totp_devices(user):
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


def _second_step(request, form_class, template, check):
    site = stage.pending_site(request)  # read before an expired state is cleared
    state = stage.pending(request)
    if state is None or state.setup:
        return expired(request, site)
    if request.method == "POST" and not password_check_allowed(request, state.user):
        return sign_out_locked_out(request, state.user)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = check(state.user, form)
        if device is not None:
            return redirect(stage.finish(request, state, device))
        if password_check_failed(request, state.user):
            return sign_out_locked_out(request, state.user)
        form.add_error(None, _("That code is not right, or it was used already."))
    return render(
        request,
        template,
        {
            "form": form,
            "base_template": base_template(state.site),
            "has_recovery_codes": recovery_device(state.user) is not None,
            "has_app": totp_devices(state.user).exists(),
            "login_url": state.login_url,
        },
        status=400 if form.is_bound else 200,
    )


@never_cache
def authenticate(request):
    return _second_step(
        request,
        CodeForm,
        "employees/mfa/authenticate.html",
        lambda user, form: totp_verify(user, form.cleaned_data["code"]),
    )


@never_cache
def authenticate_recovery(request):
    def check(user, form):
        device = recovery_device(user)
        code = form.cleaned_data["recovery_code"]
        if device is None or django_otp.verify_token(user, device.persistent_id, code) is None:
            return None
        left = recovery_code_used(device=device, ip_address=client_ip(request))
        messages.warning(
            request,
            ngettext(
                "You signed in with a recovery code. You have %(count)d code left.",
                "You signed in with a recovery code. You have %(count)d codes left.",
                left,
            )
            % {"count": left},
        )
        return device

    return _second_step(
        request, RecoveryCodeForm, "employees/mfa/authenticate_recovery.html", check
    )
