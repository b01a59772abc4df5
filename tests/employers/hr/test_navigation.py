"""The HR menu shows what the staff member can do, and the provider's home what needs doing."""

import pytest
from django.urls import reverse

from employees.models import LeaveRequest
from employers.models import StaffMembership
from tests.conftest import signed_in
from tests.employees.factories import LeaveRequestFactory
from tests.factories import EmployeeFactory, EmployerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

COLLECTIVE = ("hr:collective_grant", "hr:collective_block", "hr:collective_unblock")


def _page(client, employer):
    return client.get(
        reverse("hr:employee_list", args=[employer.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()


def test_a_manager_finds_the_three_collective_actions_under_one_menu_entry(
    manager_client, employer
):
    page = _page(manager_client, employer)
    menu = page[page.index('id="menu-collective"') : page.index("</details>")]
    assert "<summary>" in menu
    for name in COLLECTIVE:
        assert reverse(name, args=[employer.pk]) in menu


def test_a_manager_finds_the_employers_settings_under_one_menu_entry(manager_client, employer):
    page = _page(manager_client, employer)
    menu = page[page.index('id="menu-settings"') :]
    menu = menu[: menu.index("</details>")]
    assert reverse("hr:email_texts", args=["employer", employer.pk]) in menu
    assert reverse("hr:two_step_policy", args=[employer.pk]) in menu


def test_a_read_only_user_sees_no_link_to_an_action_they_cannot_take(viewer_client, employer):
    page = _page(viewer_client, employer)
    assert 'id="menu-collective"' not in page
    for name in COLLECTIVE:
        assert reverse(name, args=[employer.pk]) not in page
    assert reverse("hr:email_texts", args=["employer", employer.pk]) not in page
    assert reverse("hr:two_step_policy", args=[employer.pk]) not in page
    # What they may read stays.
    assert reverse("hr:audit_log", args=[employer.pk]) in page


def test_a_read_only_user_sees_the_two_step_setting_without_a_form(viewer_client, employer):
    response = viewer_client.get(reverse("hr:two_step_policy", args=[employer.pk]))
    assert response.status_code == 200
    assert b"two-step-now" in response.content
    assert b"two-step-policy-form" not in response.content


def test_staff_of_one_employer_see_no_switch_employer(manager_client, employer):
    assert 'id="menu-switch"' not in _page(manager_client, employer)


def test_staff_of_two_employers_can_switch(employer, sister_employer):
    user = MembershipFactory(employer=employer).user
    MembershipFactory(user=user, employer=sister_employer)
    assert 'id="menu-switch"' in _page(signed_in(user), employer)


def test_provider_staff_can_switch(provider_client, employer):
    assert 'id="menu-switch"' in _page(provider_client, employer)


def test_the_leave_menu_item_counts_the_requests_awaiting_a_decision(manager_client, employer):
    for status in [*[LeaveRequest.Status.REQUESTED] * 3, LeaveRequest.Status.APPROVED]:
        LeaveRequestFactory(employee=EmployeeFactory(employer=employer), status=status)
    page = _page(manager_client, employer)
    assert 'data-waiting="3"' in page
    assert "3 awaiting a decision" in page


def test_the_leave_badge_leaves_out_other_employers_and_hides_at_zero(
    manager_client, employer, other_employer
):
    LeaveRequestFactory(employee=EmployeeFactory(employer=other_employer))
    page = _page(manager_client, employer)
    assert 'id="menu-leave"' in page
    assert "data-waiting" not in page


def test_the_provider_home_shows_each_employers_figures_with_links(
    provider_client, employer, sister_employer, other_employer
):
    EmployeeFactory(employer=employer, user=UserFactory())  # has access
    EmployeeFactory(employer=employer, end_date="2024-12-31")  # left
    LeaveRequestFactory(employee=EmployeeFactory(employer=employer))
    LeaveRequestFactory(employee=EmployeeFactory(employer=other_employer))
    sister_employer.leave_module = False
    sister_employer.save()
    response = provider_client.get(reverse("hr:home"))
    assert response.status_code == 200
    rows = {e.pk: (figures, waiting) for e, figures, waiting in response.context["rows"]}
    assert set(rows) == {employer.pk, sister_employer.pk}
    figures, waiting = rows[employer.pk]
    assert (figures.in_service, figures.with_access, figures.invited, waiting) == (2, 1, 0, 1)
    page = response.content.decode()
    list_url = reverse("hr:employee_list", args=[employer.pk])
    assert f"{list_url}?employment=active" in page
    assert f"{list_url}?access=active" in page
    assert f"{list_url}?access=invited" in page
    assert reverse("hr:leave_requests", args=[employer.pk]) + "?status=requested" in page
    # No leave module, no leave figure.
    assert reverse("hr:leave_requests", args=[sister_employer.pk]) not in page


def test_a_read_only_provider_user_gets_no_link_to_the_provider_settings(provider):
    viewer = MembershipFactory(provider=provider, role=StaffMembership.Role.VIEWER).user
    EmployerFactory(provider=provider)
    EmployerFactory(provider=provider)
    page = signed_in(viewer).get(reverse("hr:home")).content.decode()
    assert reverse("hr:provider_two_step_policy", args=[provider.pk]) not in page
    assert reverse("hr:email_texts", args=["provider", provider.pk]) not in page


def test_a_provider_manager_finds_the_provider_settings_on_the_home(provider_client, provider):
    EmployerFactory(provider=provider)
    EmployerFactory(provider=provider)
    page = provider_client.get(reverse("hr:home")).content.decode()
    assert reverse("hr:provider_two_step_policy", args=[provider.pk]) in page
