from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from employees.accounts.forms import SignInForm
from employees.leave.selectors import leave_requests_waiting_per_employer
from employees.mfa import stage
from employees.mfa.selectors import has_two_step_sign_in
from employees.records.forms import EmployeeContactForm, EmployeeForm
from employees.records.services import employee_create, employee_update
from employers.hr.access import get_employee_for_staff, get_employer_for_staff, staff_required
from employers.selectors import (
    audit_events_for_employee,
    employers_for_staff,
    memberships_for_staff,
    staff_can_manage,
)
from essportal.web.http import client_ip
from essportal.web.pagination import page_number, page_of
from invitations.mail_errors import invitation_mail_problem
from invitations.selectors import (
    AccessState,
    EmployeeFilters,
    EmployerFigures,
    access_state_from_annotations,
    access_state_of,
    current_invitation_for,
    employee_list_for_employer,
    employer_figures,
)
from invitations.tab_counts import access_state_counts


class StaffLoginView(auth_views.LoginView):
    template_name = "employers/hr/login.html"
    form_class = SignInForm
    redirect_authenticated_user = False

    def get_default_redirect_url(self):
        return reverse("hr:home")

    def form_valid(self, form):
        # HR staff always go on to the second step, or to setting one up (employees.mfa.stage).
        return stage.sign_in(
            self.request, form.get_user(), site="hr", next_url=self.get_redirect_url()
        )


@staff_required
def home(request):
    """Staff of one employer go straight to its employees; others get a row per employer with
    its figures, each a link to the list it counts (three queries, however many employers)."""
    employers = list(employers_for_staff(request.user))
    if len(employers) == 1:
        return redirect("hr:employee_list", employer_id=employers[0].pk)
    ids = [e.pk for e in employers]
    figures = employer_figures(ids)
    waiting = leave_requests_waiting_per_employer(ids)
    rows = [
        (employer, figures.get(employer.pk, EmployerFigures()), waiting.get(employer.pk, 0))
        for employer in employers
    ]
    return render(
        request,
        "employers/hr/home.html",
        {
            "employers": employers,
            "rows": rows,
            "any_leave_module": any(e.leave_module for e in employers),
            # Provider-wide settings are for the provider's managers (a viewer cannot change them).
            "managed_providers": [
                m.provider
                for m in memberships_for_staff(request.user)
                if m.provider_id and m.can_manage
            ],
        },
    )


@require_GET
@staff_required
def switch_employer(request):
    try:
        employer_id = int(request.GET.get("employer", ""))
    except ValueError:
        return redirect("hr:home")
    employer = get_employer_for_staff(request, employer_id)
    return redirect("hr:employee_list", employer_id=employer.pk)


EMPLOYEES_PER_PAGE = 25


def filters_from(data) -> EmployeeFilters:
    """The list's filters from a query (or from the selection's form, which carries them)."""
    return EmployeeFilters(
        q=data.get("q", "")[:100].strip(),
        employment=data.get("employment", ""),
        access=data.get("access", ""),
        sort=data.get("sort", "name"),
    )


@staff_required
def employee_list(request, employer_id):
    employer = get_employer_for_staff(request, employer_id)
    filters = filters_from(request.GET)
    counts = access_state_counts(employer, filters)
    shown = counts.get(filters.access, counts["all"])
    pages = max(1, -(-shown // EMPLOYEES_PER_PAGE))
    page = min(page_number(request), pages)
    rows, has_next = page_of(
        employee_list_for_employer(employer, filters), page, per_page=EMPLOYEES_PER_PAGE
    )
    now = timezone.now()
    for row in rows:
        row.access_state = access_state_from_annotations(row, now)
    # The tabs keep the search, the employment filter and the sort, and start at page 1.
    kept = {k: v for k, v in (("q", filters.q), ("employment", filters.employment)) if v}
    kept["sort"] = filters.sort
    tabs = [
        (state, label, counts[state if state else "all"], urlencode({**kept, "access": state}))
        for state, label in [("", _("All")), *AccessState.choices]
    ]
    return render(
        request,
        "employers/hr/employee_list.html",
        {
            "employer": employer,
            "employees": rows,
            "filters": filters,
            "page": page,
            "pages": pages,
            "has_next": has_next,
            "shown": shown,
            "tabs": tabs,
            "page_query": urlencode({**kept, "access": filters.access}),
            "can_manage": staff_can_manage(request.user, employer),
            "select_actions": SELECT_ACTIONS,
            # The selection form carries the filters: "all matching" is evaluated on the server.
            "selection_filters": [(k, v) for k, v in kept.items()]
            + ([("access", filters.access)] if filters.access else []),
        },
    )


# The actions on the employees selected on the list (employers.hr.selection), as its buttons.
SELECT_ACTIONS = [
    ("selection_grant", gettext_lazy("Grant access")),
    ("selection_resend", gettext_lazy("Send invitation again")),
    ("selection_revoke", gettext_lazy("Revoke invitation")),
    ("selection_block", gettext_lazy("Block")),
    ("selection_unblock", gettext_lazy("Unblock")),
]


@staff_required
def employee_new(request, employer_id):
    employer = get_employer_for_staff(request, employer_id, manage=True)
    form = EmployeeForm(request.POST or None, employer=employer)
    if request.method == "POST" and form.is_valid():
        employee = employee_create(employer=employer, data=form.cleaned_data, actor=request.user)
        messages.success(request, _("%(name)s was added.") % {"name": employee.full_name})
        return redirect("hr:employee_detail", employee_id=employee.pk)
    return render(request, "employers/hr/employee_new.html", {"employer": employer, "form": form})


def _employee_context(request, employee):
    invitation = current_invitation_for(employee)
    return {
        "employer": employee.employer,
        "employee": employee,
        "invitation": invitation,
        "access_state": access_state_of(employee, invitation),
        # A sentence HR understands; the technical text is in the log and one click away.
        "mail_problem": invitation_mail_problem(invitation) if invitation else None,
        "can_manage": staff_can_manage(request.user, employee.employer),
        "events": audit_events_for_employee(employee)[:20],
        "two_step": has_two_step_sign_in(employee.user),
    }


@staff_required
def employee_detail(request, employee_id):
    employee = get_employee_for_staff(request, employee_id)
    return render(
        request, "employers/hr/employee_detail.html", _employee_context(request, employee)
    )


@staff_required
def employee_edit(request, employee_id):
    employee = get_employee_for_staff(request, employee_id, manage=True)
    form = EmployeeContactForm(request.POST or None, instance=employee, employer=employee.employer)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        employee_update(
            employee=employee, data=changes, actor=request.user, ip_address=client_ip(request)
        )
        messages.success(request, _("The changes were saved."))
        return redirect("hr:employee_detail", employee_id=employee.pk)
    # An invalid form must not leak half-applied values into the page's other panels.
    employee.refresh_from_db()
    return render(
        request,
        "employers/hr/employee_edit.html",
        {"employer": employee.employer, "employee": employee, "form": form},
    )
