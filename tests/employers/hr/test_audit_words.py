"""The audit log speaks HR's language (issue 16): no stored code or field name leaks through, and
the actor is named where the log knows who it was."""

import pytest
from django.urls import reverse

from employers.models import AuditEvent
from employers.services import audit_record

pytestmark = pytest.mark.django_db


def audit_page(client, employer) -> str:
    url = reverse("hr:audit_log", args=[employer.pk])
    return client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()


def test_details_are_shown_in_dutch_not_as_stored_codes(manager_client, employer, employee):
    audit_record(employee=employee, action=AuditEvent.Action.GRANTED, detail="collective")
    audit_record(
        employee=employee, action=AuditEvent.Action.EMPLOYEE_CHANGED, detail="last_name, end_date"
    )
    page = audit_page(manager_client, employer)
    assert "(collective)" not in page and "(collectieve toekenning)" in page
    assert "last_name" not in page and "achternaam" in page.lower()


def test_the_employee_and_the_system_are_named_where_the_log_knows(
    manager_client, employer, employee
):
    audit_record(employee=employee, action=AuditEvent.Action.ACTIVATED, detail="anna")
    audit_record(employee=employee, action=AuditEvent.Action.MAIL_SENT)
    page = audit_page(manager_client, employer)
    assert "Anna Bakker (de werknemer)" in page
    assert "het systeem" in page
    assert "de werknemer of het systeem" not in page
