"""HR actions on employee accounts: block, unblock, send username (one employee or collectively)."""

import datetime

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
from employers.hr.access import employee_action, get_employer_for_staff, staff_required
from essportal.formats import DATE_INPUT_FORMATS
from essportal.web.http import client_ip

block = employee_action(
    account_block, gettext_lazy("The account of %(name)s is blocked."), AccountError
)
unblock = employee_action(
    account_unblock,
    gettext_lazy("The account of %(name)s works again with the same username and password."),
    AccountError,
)
send_username = employee_action(
    account_send_username, gettext_lazy("%(name)s's username is being mailed."), AccountError
)


def _left_before(request) -> datetime.date:
    raw = request.POST.get("left_before") or request.GET.get("left_before") or ""
    for fmt in DATE_INPUT_FORMATS:
        try:
            return datetime.datetime.strptime(raw.strip()[:10], fmt).date()
        except ValueError:
            continue
    return timezone.localdate()


@staff_required
def collective_block(request, employer_id):
    """Collective action: block the accounts of employees who left before a date."""
    employer = get_employer_for_staff(request, employer_id, manage=True)
    left_before = _left_before(request)
    if request.method == "POST":
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
    candidates = accounts_to_block(employer, left_before=left_before)
    return render(
        request,
        "employers/hr/collective_block.html",
        {
            "employer": employer,
            "left_before": left_before,
            "count": candidates.count(),
            "sample": candidates.order_by("last_name")[:50],
        },
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
