import datetime

import pytest
from django.core import mail
from django.urls import reverse

from employees.leave.services import LeaveRequestAlreadyDecided, leave_request_decide
from employees.models import LeaveRequest
from employers.models import AuditEvent
from tests.employees.factories import LeaveRequestFactory, LeaveTypeFactory

# employers/urls.py may not include employers.hr.leave_urls yet; this URLconf makes sure it does.
pytestmark = [pytest.mark.django_db]


@pytest.fixture
def waiting(employee):
    return LeaveRequestFactory(
        employee=employee, leave_type=LeaveTypeFactory(employer=employee.employer)
    )


def test_the_list_shows_waiting_requests_first(manager_client, employer, employee, waiting):
    leave_type = waiting.leave_type
    decided = LeaveRequestFactory(
        employee=employee,
        leave_type=leave_type,
        status=LeaveRequest.Status.APPROVED,
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 1, 5),
    )
    response = manager_client.get(reverse("hr:leave_requests", args=[employer.pk]))
    assert response.status_code == 200
    assert response.context["leave_requests"] == [waiting, decided]
    assert reverse("hr:leave_approve", args=[waiting.pk]) in response.content.decode()


def test_the_list_filters_by_status(manager_client, employer, waiting):
    url = reverse("hr:leave_requests", args=[employer.pk])
    assert manager_client.get(url, {"status": "approved"}).context["leave_requests"] == []
    assert manager_client.get(url, {"status": "nonsense"}).context["leave_requests"] == [waiting]


def test_a_viewer_sees_the_list_without_decision_buttons(viewer_client, employer, waiting):
    response = viewer_client.get(reverse("hr:leave_requests", args=[employer.pk]))
    assert response.status_code == 200
    assert reverse("hr:leave_approve", args=[waiting.pk]) not in response.content.decode()


def test_an_outsider_does_not_find_the_list(outsider_client, employer):
    assert outsider_client.get(reverse("hr:leave_requests", args=[employer.pk])).status_code == 404


def test_the_list_does_not_exist_when_the_module_is_off(manager_client, employer):
    employer.leave_module = False
    employer.save()
    assert manager_client.get(reverse("hr:leave_requests", args=[employer.pk])).status_code == 404


def test_a_manager_approves_and_the_employee_gets_a_mail(
    manager_client, employer_manager, waiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("hr:leave_approve", args=[waiting.pk]), {"note": "Fijne vakantie"}
        )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == LeaveRequest.Status.APPROVED
    assert waiting.decided_by == employer_manager
    assert waiting.decided_at is not None
    assert waiting.decision_note == "Fijne vakantie"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [waiting.employee.email]
    assert "Fijne vakantie" in mail.outbox[0].body
    assert "06-07-2026" in mail.outbox[0].body


def test_a_manager_rejects(manager_client, waiting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("hr:leave_reject", args=[waiting.pk]))
    waiting.refresh_from_db()
    assert waiting.status == LeaveRequest.Status.REJECTED
    assert len(mail.outbox) == 1


def test_a_request_is_decided_once(manager_client, waiting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("hr:leave_approve", args=[waiting.pk]))
        manager_client.post(reverse("hr:leave_reject", args=[waiting.pk]))
    waiting.refresh_from_db()
    assert waiting.status == LeaveRequest.Status.APPROVED
    assert len(mail.outbox) == 1


def test_the_service_refuses_a_second_decision(employer_manager, waiting):
    leave_request_decide(leave_request=waiting, approve=True, actor=employer_manager)
    stale = LeaveRequest.objects.get(pk=waiting.pk)
    with pytest.raises(LeaveRequestAlreadyDecided):
        leave_request_decide(leave_request=stale, approve=False, actor=employer_manager)


def test_a_withdrawn_request_cannot_be_approved(manager_client, waiting):
    waiting.status = LeaveRequest.Status.CANCELLED
    waiting.save()
    manager_client.post(reverse("hr:leave_approve", args=[waiting.pk]))
    waiting.refresh_from_db()
    assert waiting.status == LeaveRequest.Status.CANCELLED


@pytest.mark.parametrize("name", ["hr:leave_approve", "hr:leave_reject"])
def test_a_viewer_may_not_decide(viewer_client, waiting, name):
    assert viewer_client.post(reverse(name, args=[waiting.pk])).status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == LeaveRequest.Status.REQUESTED


@pytest.mark.parametrize("name", ["hr:leave_approve", "hr:leave_reject"])
def test_an_outsider_does_not_find_the_request(outsider_client, waiting, name):
    assert outsider_client.post(reverse(name, args=[waiting.pk])).status_code == 404


@pytest.mark.parametrize("name", ["hr:leave_approve", "hr:leave_reject"])
def test_another_employers_request_is_not_found(manager_client, other_employee, name):
    foreign = LeaveRequestFactory(employee=other_employee)
    assert manager_client.post(reverse(name, args=[foreign.pk])).status_code == 404


@pytest.mark.parametrize("name", ["hr:leave_approve", "hr:leave_reject"])
def test_deciding_needs_a_post(manager_client, waiting, name):
    assert manager_client.get(reverse(name, args=[waiting.pk])).status_code == 405


def test_an_employee_is_not_hr_staff(client, employee, waiting):
    from tests.employees.factories import sign_in

    response = sign_in(client, employee).post(reverse("hr:leave_approve", args=[waiting.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("hr:leave_approve", AuditEvent.Action.LEAVE_APPROVED),
        ("hr:leave_reject", AuditEvent.Action.LEAVE_REJECTED),
    ],
)
def test_a_decision_is_in_the_audit_log_with_who_and_from_where(
    manager_client, employer_manager, waiting, name, action
):
    waiting.leave_type.name = "Vakantie"
    waiting.leave_type.save()
    manager_client.post(reverse(name, args=[waiting.pk]), REMOTE_ADDR="192.0.2.7")
    event = AuditEvent.objects.get(employee=waiting.employee)
    assert event.action == action
    assert event.employer_id == waiting.employee.employer_id
    assert event.actor == employer_manager
    assert event.actor_label == employer_manager.username
    assert event.ip_address == "192.0.2.7"
    assert event.detail == "Vakantie, 06-07-2026 – 10-07-2026, 40 h"


def test_a_refused_second_decision_writes_no_audit_event(manager_client, waiting):
    manager_client.post(reverse("hr:leave_approve", args=[waiting.pk]))
    manager_client.post(reverse("hr:leave_reject", args=[waiting.pk]))
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["leave_approved"]


def test_hr_reads_the_decision_in_the_audit_log(manager_client, employer, waiting):
    manager_client.post(reverse("hr:leave_reject", args=[waiting.pk]))
    page = manager_client.get(
        reverse("hr:audit_log", args=[employer.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert "Leave rejected" in html
    assert "leave_rejected" not in html
    assert "06-07-2026" in html
