"""Hostile query strings and raw form values: a clear answer, never a 500, on SQLite and on
PostgreSQL alike (the integration leg runs these on PostgreSQL, which refuses NUL in text)."""

import pytest
from django.test import Client
from django.urls import reverse

from employees.models import LeaveRequest
from essportal.web.pagination import MAX_PAGE
from invitations.models import GrantBatch
from tests.employees.factories import LeaveRequestFactory, sign_in
from tests.factories import UserFactory
from tests.mfa_helpers import force_login_verified

HUGE_PAGES = [str(10**30), str(2**63 - 1), str(2**63), str(MAX_PAGE + 1), "9" * 5000]
HR_LISTS = ["hr:employee_list", "hr:audit_log", "hr:leave_requests"]


def hr_browser(user) -> Client:
    # A crash must show as the 500 the browser would get, not as an exception in the test.
    client = Client(raise_request_exception=False)
    force_login_verified(client, user)
    return client


@pytest.fixture
def hr(employer_manager):
    return hr_browser(employer_manager)


@pytest.mark.parametrize("name", HR_LISTS)
@pytest.mark.parametrize("page", HUGE_PAGES)
def test_a_huge_page_number_shows_the_last_page_there_can_be(hr, employer, employee, name, page):
    response = hr.get(reverse(name, args=[employer.pk]), {"page": page})
    assert response.status_code == 200
    assert 1 <= response.context["page"] <= MAX_PAGE


@pytest.mark.parametrize("name", HR_LISTS)
@pytest.mark.parametrize("page", ["0", "-3", "abc", "1e3", "", "٣"])
def test_a_page_that_is_no_positive_number_shows_a_page(hr, employer, employee, name, page):
    response = hr.get(reverse(name, args=[employer.pk]), {"page": page})
    assert response.status_code == 200
    assert response.context["page"] >= 1


def hr_urls(employer):
    return [
        reverse("hr:employee_list", args=[employer.pk]) + "?q=anna%00",
        reverse("hr:employee_list", args=[employer.pk]) + "?q=anna&sort=%00name",
        reverse("hr:employee_list", args=[employer.pk]) + "?access=%00&employment=active",
        reverse("hr:employee_list", args=[employer.pk]) + "?%00=1",
        reverse("hr:audit_log", args=[employer.pk]) + "?page=1%00",
        reverse("hr:leave_requests", args=[employer.pk]) + "?status=requested%00",
        reverse("hr:collective_block", args=[employer.pk]) + "?left_before=01-01-2026%00",
        reverse("hr:switch_employer") + f"?employer={employer.pk}%00",
    ]


def test_a_nul_byte_in_any_hr_query_parameter_is_a_400(hr, employer, employee):
    for url in hr_urls(employer):
        response = hr.get(url)
        assert response.status_code == 400, url
        assert "400.html" in [template.name for template in response.templates]


@pytest.mark.parametrize(
    "url", ["/payslips/?year=2026%00", "/signed-out/?reason=%00", "/login/?next=/%00"]
)
def test_a_nul_byte_in_a_portal_query_parameter_is_a_400(employee, url):
    client = Client(raise_request_exception=False)
    sign_in(client, employee)
    assert client.get(url).status_code == 400


def test_a_nul_byte_in_an_admin_filter_is_a_400(db):
    operator = hr_browser(UserFactory(is_staff=True, is_superuser=True))
    assert operator.get("/admin/employers/auditevent/?action=granted%00").status_code == 400


def test_an_over_long_search_is_cut_not_refused(hr, employer, employee):
    response = hr.get(reverse("hr:employee_list", args=[employer.pk]), {"q": "bakker" * 2000})
    assert response.status_code == 200


def test_a_nul_byte_in_the_collective_grants_request_key_starts_the_grant(hr, employer, employee):
    response = hr.post(reverse("hr:collective_grant", args=[employer.pk]), {"request_key": "a\0b"})
    assert response.status_code == 302
    batch = GrantBatch.objects.get()
    assert "\0" not in (batch.request_key or "")


def test_a_nul_byte_in_a_leave_decision_note_is_dropped(hr, employer, employee):
    leave_request = LeaveRequestFactory(employee=employee)
    response = hr.post(reverse("hr:leave_approve", args=[leave_request.pk]), {"note": "Prima\0!"})
    assert response.status_code == 302
    leave_request.refresh_from_db()
    assert leave_request.status == LeaveRequest.Status.APPROVED
    assert leave_request.decision_note == "Prima!"


HUGE = str(10**30)


@pytest.mark.parametrize(
    "path",
    [
        f"/hr/employees/{HUGE}/",
        f"/hr/employers/{HUGE}/employees/",
        f"/hr/email-texts/employer/{HUGE}/",
        f"/hr/switch/?employer={HUGE}",
    ],
)
def test_a_huge_id_in_an_hr_address_is_a_404(hr, employer, path):
    assert hr.get(path).status_code == 404


@pytest.mark.parametrize(
    "path", [f"/payslips/{HUGE}/", f"/payslips/{HUGE}/pdf/", f"/statements/{HUGE}/"]
)
def test_a_huge_id_in_a_portal_address_is_a_404(employee, path):
    client = Client(raise_request_exception=False)
    sign_in(client, employee)
    assert client.get(path).status_code == 404


def test_a_huge_year_shows_an_empty_year(employee):
    client = Client(raise_request_exception=False)
    sign_in(client, employee)
    response = client.get("/payslips/", {"year": HUGE})
    assert response.status_code == 200
    assert list(response.context["payslips"]) == []
