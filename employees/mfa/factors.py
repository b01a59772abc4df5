"""The person's own overview of their sign-in methods: add, remove, new recovery codes."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from employees.mfa.access import page_context, signed_in_required
from employees.mfa.policy import recovery_device, second_factor_required, totp_devices
from employees.mfa.recheck import second_factor_recheck
from employees.mfa.services import TwoFactorError, factor_remove
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
            "codes_left": recovery.codes_left if recovery is not None else None,
            "required": second_factor_required(user),
        },
    )


@require_POST
@signed_in_required
@second_factor_recheck
def totp_remove(request, device_id: int):
    device = totp_devices(request.user).filter(pk=device_id).first()
    if device is None:
        raise Http404
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
        messages.success(request, _("The authenticator app is removed."))
    return redirect("mfa:overview")
