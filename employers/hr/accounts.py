"""HR actions on employee accounts: block, unblock, send username (one employee or collectively)."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from employees.accounts.services import (
    AccountError,
    account_block,
    account_send_username,
    account_unblock,
    accounts_block_collectively,
    accounts_to_block,
    accounts_to_unblock,
    accounts_unblock_collectively,
)
from employers.hr.access import get_employer_for_staff, run_employee_action, staff_required
from essportal.formats import DATE_INPUT_FORMATS
from essportal.web.http import client_ip


def _account_action(request, employee_id, service, success_message):
    return run_employee_action(request, employee_id, service, success_message, AccountError)


@require_POST
@staff_required
def block(request, employee_id):
    return _account_action(
        request, employee_id, account_block, _("The account of %(name)s is blocked.")
    )


@require_POST
@staff_required
def unblock(request, employee_id):
    return _account_action(
        request,
        employee_id,
        account_unblock,
        _("The account of %(name)s works again with the same username and password."),
    )


@require_POST
@staff_required
def send_username(request, employee_id):
    return _account_action(
        request, employee_id, account_send_username, _("%(name)s's username is being mailed.")
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
