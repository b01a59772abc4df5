import pytest
from django.urls import reverse

from tests.employees.factories import sign_in

pytestmark = pytest.mark.django_db


def test_it_shows_what_the_employer_holds_and_whom_to_ask(client, employee):
    employee.street, employee.postcode, employee.city = "Dorpsstraat 1", "7411 AB", "Deventer"
    employee.save()
    employee.employer.contact_phone = "0570 123 456"
    employee.employer.save()
    response = sign_in(client, employee).get(reverse("portal:details"))
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["nav"] == "details"
    assert "14-03-1985" in content
    assert "Dorpsstraat 1" in content
    assert (
        "Petra de Vries" in content and "hr@example.test" in content and "0570 123 456" in content
    )
    assert "<form" not in content.split("<main", 1)[1].split("</main>")[0]  # read-only


def test_it_shows_nobody_elses_details(client, employee, other_employee):
    content = sign_in(client, employee).get(reverse("portal:details")).content.decode()
    assert other_employee.last_name not in content


def test_it_requires_sign_in(client):
    assert client.get(reverse("portal:details")).status_code == 302
