import datetime

import pytest
from django.urls import reverse

from employees.models import Employee
from employers.models import AuditEvent


def detail_url(employee):
    return reverse("hr:employee_detail", args=[employee.pk])


def edit_url(employee):
    return reverse("hr:employee_edit", args=[employee.pk])


def test_the_overview_shows_details_and_access_state(manager_client, employee):
    response = manager_client.get(detail_url(employee))
    assert response.status_code == 200
    assert response.context["access_state"] == "no_access"
    assert "14-03-1985" in response.content.decode()


def test_the_overview_tells_hr_to_register_an_email_first(manager_client, employee):
    employee.email = ""
    employee.save()
    response = manager_client.get(detail_url(employee))
    assert response.context["access_state"] == "no_email"


def test_another_employers_employee_is_404(manager_client, other_employee):
    assert manager_client.get(detail_url(other_employee)).status_code == 404
    assert manager_client.get(edit_url(other_employee)).status_code == 404
    assert manager_client.post(edit_url(other_employee), {"email": "x@y.nl"}).status_code == 404


def test_the_read_only_role_cannot_edit(viewer_client, employee):
    assert viewer_client.get(detail_url(employee)).status_code == 200
    assert viewer_client.get(edit_url(employee)).status_code == 403
    response = viewer_client.post(edit_url(employee), {"email": "new@example.test"})
    assert response.status_code == 403
    employee.refresh_from_db()
    assert employee.email != "new@example.test"


def test_hr_edits_the_email_normalised_and_the_end_date(manager_client, employee):
    response = manager_client.post(
        edit_url(employee),
        {"email": "  Anna.Bakker@Example.NL ", "end_date": "31-12-2025", "language": "en"},
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.email == "anna.bakker@example.nl"
    assert employee.end_date == datetime.date(2025, 12, 31)
    event = AuditEvent.objects.get(employee=employee, action=AuditEvent.Action.EMPLOYEE_CHANGED)
    assert "email" in event.detail and "end_date" in event.detail


@pytest.mark.parametrize(
    "data, field",
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "x" * 10_000 + "@example.nl"}, "email"),
        ({"email": "a@example.nl", "end_date": "01-01-2019"}, "end_date"),
        ({"email": "a@example.nl", "end_date": "31-02-2025"}, "end_date"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(
    manager_client, employee, data, field
):
    before = Employee.objects.values().get(pk=employee.pk)
    response = manager_client.post(edit_url(employee), {"language": "nl", **data})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Employee.objects.values().get(pk=employee.pk) == before


def test_a_duplicate_email_within_the_employer_is_refused(manager_client, employee, employer):
    from tests.factories import EmployeeFactory

    EmployeeFactory(employer=employer, email="taken@example.nl")
    response = manager_client.post(
        edit_url(employee), {"email": "TAKEN@example.nl", "language": "nl"}
    )
    assert "email" in response.context["form"].errors


def test_outsiders_get_404_everywhere(outsider_client, employee):
    assert outsider_client.get(detail_url(employee)).status_code == 404
    assert outsider_client.get(edit_url(employee)).status_code == 404


def test_the_employer_audit_log_shows_changes(manager_client, employee, employer):
    manager_client.post(edit_url(employee), {"email": "nieuw@example.nl", "language": "nl"})
    response = manager_client.get(reverse("hr:audit_log", args=[employer.pk]))
    assert response.status_code == 200
    assert [e.action for e in response.context["events"]] == ["employee_changed"]


def test_the_audit_log_of_another_employer_is_404(manager_client, other_employer):
    assert manager_client.get(reverse("hr:audit_log", args=[other_employer.pk])).status_code == 404


def test_the_audit_log_keeps_history_when_the_hr_user_is_deleted(
    manager_client, employee, employer_manager
):
    manager_client.post(edit_url(employee), {"email": "nieuw@example.nl", "language": "nl"})
    username = employer_manager.username
    employer_manager.delete()
    event = AuditEvent.objects.get(employee=employee)
    assert event.actor is None and event.actor_label == username
