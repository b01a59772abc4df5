"""HR actions on employee accounts: block, unblock, send username (one employee or collectively)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from employees.accounts.selectors import accounts_to_block, accounts_to_unblock
from employees.accounts.services import (
    AccountError,
    account_block,
    account_send_username,
    account_unblock,
    accounts_block_collectively,
    accounts_unblock_collectively,
)
from employees.mfa.recheck import second_factor_recheck
from employees.mfa.services import TwoFactorError, employee_two_factor_reset
from employers.hr.access import (
    Confirmation,
    employee_action,
    get_employer_for_staff,
    staff_required,
)
from employers.hr.forms import LeftBeforeForm
from essportal.web.http import client_ip

block = employee_action(
    account_block,
    gettext_lazy("The account of %(name)s is blocked."),
    AccountError,
    confirm=Confirmation(
        question=gettext_lazy("Block the account of %(name)s?"),
        consequence=gettext_lazy(
            "They are signed out everywhere at once and can no longer sign in to the employee "
            "portal; a mail tells them. Unblocking later restores the same username and password."
        ),
        button=gettext_lazy("Block the account"),
    ),
)
unblock = employee_action(
    account_unblock,
    gettext_lazy("The account of %(name)s works again with the same username and password."),
    AccountError,
)
reset_two_factor = employee_action(
    employee_two_factor_reset,
    gettext_lazy(
        "Two-step sign-in of %(name)s is reset. They set it up again at their next sign-in "
        "where it is required; a mail tells them."
    ),
    TwoFactorError,
)
send_username = employee_action(
    account_send_username, gettext_lazy("%(name)s's username is being mailed."), AccountError
)


@staff_required
@second_factor_recheck
def collective_block(request, employer_id):
    """Collective action: block the accounts of employees who left before a date."""
    employer = get_employer_for_staff(request, employer_id, manage=True)
    if request.method == "POST":
        form = LeftBeforeForm(request.POST)
    elif "left_before" in request.GET:
        form = LeftBeforeForm(request.GET)
    else:
        form = LeftBeforeForm(initial={"left_before": timezone.localdate()})
    left_before = form.cleaned_data["left_before"] if form.is_valid() else None
    if request.method == "POST" and left_before is not None:
        count = accounts_block_collectively(
            employer=employer,
            left_before=left_before,
            actor=request.user,
            ip_address=client_ip(request),
        )
        messages.success(
            request,
            ngettext("%(count)d account was blocked.", "%(count)d accounts were blocked.", count)
            % {"count": count},
        )
        return redirect("hr:employee_list", employer_id=employer.pk)
    left_before = left_before or form.initial.get("left_before")
    candidates = accounts_to_block(employer, left_before=left_before) if left_before else None
    return render(
        request,
        "employers/hr/collective_block.html",
        {
            "employer": employer,
            "form": form,
            "left_before": left_before,
            "count": candidates.count() if candidates is not None else 0,
            "sample": candidates.order_by("last_name")[:50] if candidates is not None else [],
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@staff_required
def collective_unblock(request, employer_id):
    employer = get_employer_for_staff(request, employer_id, manage=True)
    if request.method == "POST":
        count = accounts_unblock_collectively(
            employer=employer, actor=request.user, ip_address=client_ip(request)
        )
        messages.success(
            request,
            ngettext(
                "%(count)d account was unblocked.", "%(count)d accounts were unblocked.", count
            )
            % {"count": count},
        )
        return redirect("hr:employee_list", employer_id=employer.pk)
    candidates = accounts_to_unblock(employer)
    return render(
        request,
        "employers/hr/collective_unblock.html",
        {
            "employer": employer,
            "count": candidates.count(),
            "sample": candidates.order_by("last_name")[:50],
        },
    )
