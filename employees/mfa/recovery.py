"""Recovery codes: shown once, right after they are made (and downloadable then as a text file),
never again; a new set replaces the old one. The plain codes live in the session only between
being made and the person saying they have kept them."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from employees.mfa.access import page_context, signed_in_required
from employees.mfa.recheck import second_factor_recheck
from employees.mfa.services import recovery_codes_new
from essportal.web.http import client_ip

NEW_CODES_KEY = "mfa_new_recovery_codes"


def shown(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def show_new_codes(request, codes: list[str], *, next_url: str | None):
    request.session[NEW_CODES_KEY] = {"codes": codes, "next": next_url or ""}
    return redirect("mfa:recovery_codes")


def _new_codes(request):
    data = request.session.get(NEW_CODES_KEY)
    return data if isinstance(data, dict) else None


@never_cache
@signed_in_required
def recovery_codes(request):
    data = _new_codes(request)
    if data is None:
        return redirect("mfa:overview")
    return render(
        request,
        "employees/mfa/recovery_codes.html",
        {"codes": [shown(c) for c in data["codes"]], **page_context(request.user)},
    )


@never_cache
@signed_in_required
def recovery_codes_download(request):
    data = _new_codes(request)
    if data is None:
        return redirect("mfa:overview")
    lines = [
        _("Recovery codes for %(username)s") % {"username": request.user.get_username()},
        _("Each code works once, in place of the code from your authenticator app."),
        "",
        *(shown(c) for c in data["codes"]),
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
    return response


@require_POST
@signed_in_required
def recovery_codes_done(request):
    data = request.session.pop(NEW_CODES_KEY, None) or {}
    next_url = data.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("mfa:overview")
    return redirect(next_url)


@require_POST
@signed_in_required
@second_factor_recheck
def recovery_codes_regenerate(request):
    if not request.user.is_verified():
        return redirect("mfa:overview")  # recovery codes only next to a second factor
    codes = recovery_codes_new(user=request.user, ip_address=client_ip(request))
    return show_new_codes(request, codes, next_url=reverse("mfa:overview"))
