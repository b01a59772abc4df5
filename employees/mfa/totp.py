"""Setting up an authenticator app: a QR code (inline SVG, no script, so it works under the
site's Content-Security-Policy) and the secret written out, confirmed by a first code.

Reached half-signed-in (the person must have a second factor and has none yet: HR staff, or an
employee whose employer requires it) or signed in (adding an app from the overview)."""

from base64 import b32encode

import segno
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from employees.mfa import stage
from employees.mfa.access import page_context, refuse_session
from employees.mfa.authenticate import base_template, expired
from employees.mfa.forms import CodeForm, DeviceNameForm
from employees.mfa.policy import recovery_device
from employees.mfa.recheck import needs_recheck, recheck_redirect
from employees.mfa.recovery import show_new_codes
from employees.mfa.services import recovery_codes_new, totp_device_confirm, totp_device_pending
from essportal.web.http import client_ip


class SetupForm(CodeForm, DeviceNameForm):
    pass


def qr_svg(url: str) -> str:
    """The otpauth:// URL as an SVG element: presentation attributes only (no style attribute,
    no script), dark on a white square so phones read it in dark mode too."""
    return segno.make(url, error="m").svg_inline(
        scale=5,
        dark="#000",
        light="#fff",
        border=4,
        omitsize=True,
        title=_("QR code for your authenticator app"),
    )


def secret_groups(device) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
def setup_totp(request):
    site = stage.pending_site(request)  # read before an expired state is cleared
    state = stage.pending(request)
    if state is not None and state.setup:
        user = state.user
        context = {"base_template": base_template(state.site), "setup_required": True}
    elif request.user.is_authenticated:
        if not stage.session_meets_policy(request):
            return refuse_session(request)
        if needs_recheck(request):
            return recheck_redirect(request)
        user, state = request.user, None
        context = page_context(user)
    else:
        return expired(request, site)

    device = totp_device_pending(user=user)
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip_address = client_ip(request)
        if form.cleaned_data["name"]:
            device.name = form.cleaned_data["name"]
            device.save(update_fields=["name"])
        if totp_device_confirm(
            device=device, token=form.cleaned_data["code"], ip_address=ip_address
        ):
            device.refresh_from_db()
            codes = None
            if recovery_device(user) is None:
                codes = recovery_codes_new(user=user, ip_address=ip_address, first=True)
            if state is not None:
                next_url = stage.finish(request, state, device)
            else:
                stage.verified(request, device)
                next_url = None
            messages.success(request, _("Your authenticator app is set up."))
            if codes:
                return show_new_codes(request, codes, next_url=next_url)
            return redirect(next_url or "mfa:overview")
        form.add_error(
            "code",
            _(
                "That code is not right. Check that your phone's clock is right and try the "
                "newest code."
            ),
        )
    return render(
        request,
        "employees/mfa/setup_totp.html",
        {
            **context,
            "form": form,
            "qr_svg": qr_svg(device.config_url),
            "secret": secret_groups(device),
        },
        status=400 if form.is_bound else 200,
    )
