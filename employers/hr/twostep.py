"""Whether employees must sign in in two steps: per employer (or as its provider's default), and
the provider's default for its employers. HR staff always need a second factor."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from employers.hr.access import get_employer_for_staff, get_provider_for_staff, staff_required
from employers.hr.forms import ProviderTwoStepPolicyForm, TwoStepPolicyForm
from employers.selectors import staff_can_manage
from employers.services import employer_two_factor_set, provider_two_factor_set
from essportal.web.http import client_ip


@staff_required
def employer_policy(request, employer_id):
    manage = request.method == "POST"
    employer = get_employer_for_staff(request, employer_id, manage=manage)
    form = TwoStepPolicyForm(
        request.POST or None,
        initial={"policy": TwoStepPolicyForm.initial_for(employer.require_two_factor)},
    )
    if manage and form.is_valid():
        employer_two_factor_set(
            employer=employer,
            required=TwoStepPolicyForm.VALUES[form.cleaned_data["policy"]],
            actor=request.user,
            ip_address=client_ip(request),
        )
        messages.success(request, _("The two-step sign-in setting was saved."))
        return redirect("hr:two_step_policy", employer_id=employer.pk)
    return render(
        request,
        "employers/hr/two_step_policy.html",
        {
            "employer": employer,
            "form": form,
            "required_now": employer.employees_need_two_factor,
            "can_manage": staff_can_manage(request.user, employer),
        },
        status=400 if form.is_bound else 200,
    )


@staff_required
def provider_policy(request, provider_id):
    manage = request.method == "POST"
    provider = get_provider_for_staff(request, provider_id, manage=manage)
    form = ProviderTwoStepPolicyForm(
        request.POST or None, initial={"required": provider.employees_require_two_factor}
    )
    if manage and form.is_valid():
        provider_two_factor_set(
            provider=provider,
            required=form.cleaned_data["required"],
            actor=request.user,
            ip_address=client_ip(request),
        )
        messages.success(request, _("The two-step sign-in setting was saved."))
        return redirect("hr:provider_two_step_policy", provider_id=provider.pk)
    return render(
        request,
        "employers/hr/provider_two_step_policy.html",
        {"owner": provider, "form": form},
        status=400 if form.is_bound else 200,
    )
