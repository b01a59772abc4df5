"""HR's audit log of an employer: every access event, newest first."""

from django.shortcuts import render

from employers.hr.access import get_employer_for_staff, staff_required
from employers.selectors import (
    audit_events_for_employer,
)
from essportal.web.pagination import page_number, page_of


@staff_required
def audit_log(request, employer_id):
    employer = get_employer_for_staff(request, employer_id)
    page = page_number(request)
    events, has_next = page_of(audit_events_for_employer(employer), page, per_page=50)
    return render(
        request,
        "employers/hr/audit_log.html",
        {"employer": employer, "events": events, "page": page, "has_next": has_next},
    )
