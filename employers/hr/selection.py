"""Select and act (issue 16): the employees ticked on HR's list, or every employee matching its
filter, granted access, invited again, their invitations revoked, their accounts blocked or
unblocked. A GET shows the preview (who is acted on, who is left out and why), the POST confirms;
the selection is read again from the request each time and re-scoped to the employer, and the
rules are checked again on confirm (invitations.selection)."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from employees.mfa.recheck import needs_recheck, recheck_redirect
from employers.hr.access import get_employer_for_staff, staff_required
from employers.hr.employees import filters_from
from essportal.web.http import client_ip, posted_text
from invitations.selection import (
    ACTIONS,
    employees_selected,
    selection_apply,
    selection_preview,
    selection_start_batch,
)
from invitations.services import InvitationError

FILTER_FIELDS = ("q", "employment", "access", "sort")


@dataclass(frozen=True)
class ActionTexts:
    title: str
    heading: Callable[[int], str]  # who will be acted on
    consequence: str
    button: Callable[[int], str]
    done: Callable[[int], str] | None = None  # grant and resend show their progress page instead
    danger: bool = False  # destructive: a danger-styled button


def _count(text: str, count: int) -> str:
    return text % {"count": count}


TEXTS = {
    "grant": ActionTexts(
        title=gettext_lazy("Grant access"),
        heading=lambda n: _count(
            ngettext(
                "%(count)d employee will be invited", "%(count)d employees will be invited", n
            ),
            n,
        ),
        consequence=gettext_lazy(
            "Each receives an email with a personal link to activate their account."
        ),
        button=lambda n: _count(
            ngettext("Invite %(count)d employee", "Invite %(count)d employees", n), n
        ),
    ),
    "resend": ActionTexts(
        title=gettext_lazy("Send invitation again"),
        heading=lambda n: _count(
            ngettext(
                "%(count)d employee will get a new invitation",
                "%(count)d employees will get a new invitation",
                n,
            ),
            n,
        ),
        consequence=gettext_lazy(
            "Each receives an email with a new link; the link in the earlier invitation stops "
            "working at once."
        ),
        button=lambda n: _count(
            ngettext("Send %(count)d invitation again", "Send %(count)d invitations again", n), n
        ),
    ),
    "revoke": ActionTexts(
        title=gettext_lazy("Revoke invitations"),
        heading=lambda n: _count(
            ngettext(
                "%(count)d invitation will be revoked", "%(count)d invitations will be revoked", n
            ),
            n,
        ),
        consequence=gettext_lazy(
            "The link in the invitation mail stops working at once. To give access later, "
            "grant access again: a new mail with a new link goes out."
        ),
        button=lambda n: _count(
            ngettext("Revoke %(count)d invitation", "Revoke %(count)d invitations", n), n
        ),
        done=lambda n: _count(
            ngettext("%(count)d invitation was revoked.", "%(count)d invitations were revoked.", n),
            n,
        ),
        danger=True,
    ),
    "block": ActionTexts(
        title=gettext_lazy("Block accounts"),
        heading=lambda n: _count(
            ngettext("%(count)d account will be blocked", "%(count)d accounts will be blocked", n),
            n,
        ),
        consequence=gettext_lazy(
            "They are signed out everywhere at once and can no longer sign in to the employee "
            "portal; a mail tells them. Unblocking later restores the same username and password."
        ),
        button=lambda n: _count(
            ngettext("Block %(count)d account", "Block %(count)d accounts", n), n
        ),
        done=lambda n: _count(
            ngettext("%(count)d account was blocked.", "%(count)d accounts were blocked.", n), n
        ),
        danger=True,
    ),
    "unblock": ActionTexts(
        title=gettext_lazy("Unblock accounts"),
        heading=lambda n: _count(
            ngettext(
                "%(count)d account will be unblocked", "%(count)d accounts will be unblocked", n
            ),
            n,
        ),
        consequence=gettext_lazy(
            "They can sign in again with the same username and password; a mail tells them."
        ),
        button=lambda n: _count(
            ngettext("Unblock %(count)d account", "Unblock %(count)d accounts", n), n
        ),
        done=lambda n: _count(
            ngettext("%(count)d account was unblocked.", "%(count)d accounts were unblocked.", n),
            n,
        ),
    ),
}


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return ids


def _selection(employer, data):
    """The selected employees (scoped to the employer), the fields that carry the selection to
    the confirm form, and the list's query to go back to."""
    filters = filters_from(data)
    defaults = {"sort": "name"}
    kept = [
        (name, value)
        for name in FILTER_FIELDS
        if (value := getattr(filters, name)) and value != defaults.get(name)
    ]
    if data.get("scope") == "all":
        employees = employees_selected(employer, filters=filters)
        carried = [("scope", "all"), *kept]
    else:
        employees = employees_selected(employer, ids=_ids(data.getlist("employee")))
        # Only this employer's ids go on to the confirm form.
        carried = [*kept, *(("employee", pk) for pk in employees.values_list("pk", flat=True))]
    return employees, carried, urlencode(kept)


@require_http_methods(["GET", "POST"])
@staff_required
def selection_action(request, employer_id, action):
    employer = get_employer_for_staff(request, employer_id, manage=True)
    if action == "block" and needs_recheck(request):
        # As the collective block: blocking many asks for the second factor again.
        return recheck_redirect(request)
    data = request.POST if request.method == "POST" else request.GET
    employees, carried, back_query = _selection(employer, data)
    back = reverse("hr:employee_list", args=[employer.pk]) + (
        f"?{back_query}" if back_query else ""
    )
    texts = TEXTS[action]
    if request.method == "POST":
        return _confirm(request, employer, action, employees, back)
    preview = selection_preview(action, employees)
    selected = preview.to_act + preview.skipped_total
    if not selected:
        messages.error(request, _("Select at least one employee first."))
        return redirect(back)
    return render(
        request,
        "employers/hr/selection_preview.html",
        {
            "employer": employer,
            "action": action,
            "title": texts.title,
            "heading": texts.heading(preview.to_act),
            "consequence": texts.consequence,
            "button": texts.button(preview.to_act),
            "danger": texts.danger,
            "preview": preview,
            "selected": selected,
            "carried": carried,
            "request_key": secrets.token_urlsafe(24),
            "back": back,
        },
    )


def _confirm(request, employer, action, employees, back):
    if not employees.exists():
        messages.error(request, _("Select at least one employee first."))
        return redirect(back)
    texts = TEXTS[action]
    if ACTIONS[action].batch_kind:
        key = posted_text(request, "request_key", max_length=64) or None
        try:
            batch = selection_start_batch(
                action, employer=employer, employees=employees, actor=request.user, request_key=key
            )
        except InvitationError as exc:
            messages.error(request, str(exc))
            return redirect(back)
        return redirect("hr:collective_batch", employer_id=employer.pk, batch_id=batch.pk)
    count = selection_apply(
        action, employees=employees, actor=request.user, ip_address=client_ip(request)
    )
    messages.success(request, texts.done(count))
    return redirect(back)
