import datetime

import pytest
from django.urls import reverse

from tests.factories import EmployeeFactory, UserFactory


def list_url(employer, **params):
    url = reverse("hr:employee_list", args=[employer.pk])
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def names(response):
    return [e.last_name for e in response.context["employees"]]


def test_it_sends_anonymous_visitors_to_the_staff_login(client, employer):
    response = client.get(list_url(employer))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("hr:login"))


def test_a_user_without_membership_gets_403(client, employer):
    client.force_login(UserFactory())
    assert client.get(list_url(employer)).status_code == 403


def test_it_lists_the_employers_employees_only(manager_client, employer, other_employer):
    EmployeeFactory(employer=employer, last_name="Eigen")
    EmployeeFactory(employer=other_employer, last_name="Vreemd")
    response = manager_client.get(list_url(employer))
    assert response.status_code == 200
    assert names(response) == ["Eigen"]


def test_another_providers_employer_is_404(outsider_client, employer):
    assert outsider_client.get(list_url(employer)).status_code == 404


def test_employer_staff_cannot_open_a_sister_employer(manager_client, sister_employer):
    assert manager_client.get(list_url(sister_employer)).status_code == 404


def test_provider_staff_see_every_employer_of_their_provider(
    provider_client, employer, sister_employer
):
    assert provider_client.get(list_url(employer)).status_code == 200
    assert provider_client.get(list_url(sister_employer)).status_code == 200


def test_the_read_only_role_can_read_the_list(viewer_client, employer):
    EmployeeFactory(employer=employer, last_name="Zichtbaar")
    response = viewer_client.get(list_url(employer))
    assert response.status_code == 200
    assert "Zichtbaar" in names(response)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("jansen", ["Jansen"]),
        ("ÖZTÜRK", ["Öztürk"]),
        ("4711", ["Jansen"]),
        ("ayse@", ["Öztürk"]),
        ("ayşe öztürk", ["Öztürk"]),
        ("nobody", []),
    ],
)
def test_it_searches_name_number_and_email(manager_client, employer, query, expected):
    EmployeeFactory(employer=employer, number="4711", first_name="Piet", last_name="Jansen")
    EmployeeFactory(
        employer=employer, first_name="Ayşe", last_name="Öztürk", email="ayse@example.test"
    )
    assert names(manager_client.get(list_url(employer, q=query))) == expected


def test_it_filters_on_employment(manager_client, employer):
    EmployeeFactory(employer=employer, last_name="Binnen")
    EmployeeFactory(employer=employer, last_name="Vertrokken", end_date=datetime.date(2024, 1, 31))
    assert names(manager_client.get(list_url(employer, employment="active"))) == ["Binnen"]
    assert names(manager_client.get(list_url(employer, employment="left"))) == ["Vertrokken"]


def test_it_filters_on_access_state(manager_client, employer):
    EmployeeFactory(employer=employer, last_name="Zonder", email="")
    EmployeeFactory(employer=employer, last_name="Met")
    EmployeeFactory(employer=employer, last_name="Actief", user=UserFactory())
    EmployeeFactory(employer=employer, last_name="Geblokkeerd", user=UserFactory(is_active=False))
    assert names(manager_client.get(list_url(employer, access="no_email"))) == ["Zonder"]
    assert names(manager_client.get(list_url(employer, access="no_access"))) == ["Met"]
    assert names(manager_client.get(list_url(employer, access="active"))) == ["Actief"]
    assert names(manager_client.get(list_url(employer, access="blocked"))) == ["Geblokkeerd"]


def test_it_sorts_and_paginates_without_counting(manager_client, employer):
    for i in range(30):
        EmployeeFactory(employer=employer, last_name=f"Naam{i:02d}")
    first = manager_client.get(list_url(employer))
    assert names(first)[:2] == ["Naam00", "Naam01"]
    assert len(names(first)) == 25 and first.context["has_next"]
    second = manager_client.get(list_url(employer, page=2))
    assert names(second) == [f"Naam{i}" for i in range(25, 30)]
    assert not second.context["has_next"]
    reverse_sorted = manager_client.get(list_url(employer, sort="-name"))
    assert names(reverse_sorted)[0] == "Naam29"


@pytest.mark.parametrize("page", ["abc", "-3", "0", "999999"])
def test_nonsense_page_numbers_do_not_break_the_list(manager_client, employer, page):
    EmployeeFactory(employer=employer)
    assert manager_client.get(list_url(employer, page=page)).status_code == 200


def test_the_list_uses_a_fixed_number_of_queries(
    manager_client, employer, django_assert_max_num_queries
):
    for _ in range(25):
        EmployeeFactory(employer=employer)
    # 11: the session, its refresh, the user, the second-factor device, the memberships, the
    # tab counts, the menu's count of leave awaiting a decision, ...
    with django_assert_max_num_queries(11):
        manager_client.get(list_url(employer, access="invited"))


def test_the_tabs_count_each_access_state_and_keep_the_search(manager_client, employer):
    EmployeeFactory.create_batch(3, employer=employer, last_name="Jansen")
    EmployeeFactory(employer=employer, last_name="Jansen", email="")
    EmployeeFactory(employer=employer, last_name="Pietersen")
    response = manager_client.get(list_url(employer, q="jansen"), HTTP_ACCEPT_LANGUAGE="en")
    tabs = {state: (count, query) for state, _label, count, query in response.context["tabs"]}
    assert tabs[""][0] == 4 and tabs["no_access"][0] == 3 and tabs["no_email"][0] == 1
    assert "q=jansen" in tabs["no_access"][1] and "access=no_access" in tabs["no_access"][1]
    assert "4 employees" in response.content.decode()


def test_the_pager_says_how_many_pages_and_a_page_past_the_end_shows_the_last(
    manager_client, employer
):
    EmployeeFactory.create_batch(30, employer=employer)
    response = manager_client.get(list_url(employer, page="99"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["page"] == response.context["pages"] == 2
    assert len(response.context["employees"]) == 5
    assert "Page 2 of 2" in response.content.decode()
