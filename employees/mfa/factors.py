"""The person's own overview of their sign-in methods: add, remove, new recovery codes."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from employees.mfa import stage
from employees.mfa.access import page_context, signed_in_required
from employees.mfa.forms import DeviceNameForm
from employees.mfa.policy import passkeys, recovery_device, second_factor_required, totp_devices
from employees.mfa.recheck import second_factor_recheck
from employees.mfa.services import TwoFactorError, device_rename, factor_remove
from essportal.web.http import client_ip


@signed_in_required
def overview(request):
    user = request.user
    recovery = recovery_device(user)
    return render(
        request,
        "employees/mfa/overview.html",
        {
            **page_context(user),
            "apps": list(totp_devices(user)),
            "passkeys": list(passkeys(user)),
            "verified": user.is_verified(),
            "codes_left": recovery.codes_left if recovery is not None else None,
            "required": second_factor_required(user),
        },
    )


def _remove(request, device, done_message):
    persistent_id = device.persistent_id
    try:
        factor_remove(
            user=request.user,
            device=device,
            ip_address=client_ip(request),
            required=second_factor_required(request.user),
        )
    except TwoFactorError as exc:
        messages.error(request, str(exc))
    else:
        stage.device_removed(request, persistent_id)
        messages.success(request, done_message)
    return redirect("mfa:overview")


def _own(queryset, device_id):
    """One of the person's own devices; anyone else's is a 404."""
    device = queryset.filter(pk=device_id).first()
    if device is None:
        raise Http404
    return device


@require_POST
@signed_in_required
@second_factor_recheck
def totp_remove(request, device_id: int):
    device = _own(totp_devices(request.user), device_id)
    return _remove(request, device, _("The authenticator app is removed."))


@require_POST
@signed_in_required
@second_factor_recheck
def passkey_remove(request, device_id: int):
    device = _own(passkeys(request.user), device_id)
    return _remove(request, device, _("The passkey is removed."))


@require_POST
@signed_in_required
def passkey_rename(request, device_id: int):
    device = _own(passkeys(request.user), device_id)
    form = DeviceNameForm(request.POST)
    if form.is_valid() and form.cleaned_data["name"]:
        device_rename(device=device, name=form.cleaned_data["name"])
        messages.success(request, _("The passkey is renamed."))
    return redirect("mfa:overview")


@signed_in_required
def passkey_offer(request):
    """Right after activation: an optional step to add a passkey."""
    return render(request, "employees/mfa/passkey_offer.html", page_context(request.user))
