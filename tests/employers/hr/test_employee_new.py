import pytest
from django.urls import reverse

from employees.models import Employee
from tests.factories import EmployeeFactory

VALID = {
    "number": "2001",
    "initials": "Ł.",
    "first_name": "Łukasz",
    "infix": "",
    "last_name": "Wiśniewski",
    "birth_date": "07-09-1990",
    "email": "Lukasz@Example.PL",
    "start_date": "01-02-2023",
    "end_date": "",
    "language": "nl",
}


def new_url(employer):
    return reverse("hr:employee_new", args=[employer.pk])


def test_hr_creates_an_employee_with_names_from_any_language(manager_client, employer):
    response = manager_client.post(new_url(employer), VALID)
    employee = Employee.objects.get(employer=employer, number="2001")
    assert response.status_code == 302
    assert response["Location"] == reverse("hr:employee_detail", args=[employee.pk])
    assert employee.first_name == "Łukasz" and employee.email == "lukasz@example.pl"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"email": "geen-email"}, "email"),
        ({"birth_date": "01-01-2999"}, "birth_date"),
        ({"birth_date": "31-12-1899"}, "birth_date"),
        ({"birth_date": "30-02-1990"}, "birth_date"),
        ({"end_date": "01-01-2023"}, "end_date"),
        ({"first_name": "x" * 10_000}, "first_name"),
        ({"last_name": "<script>"}, "last_name"),
        ({"last_name": "Bad\x00Name"}, "last_name"),
        ({"last_name": ""}, "last_name"),
        ({"number": "20 01"}, "number"),
        ({"language": "fr"}, "language"),
    ],
)
def test_bad_input_gives_a_message_at_the_field_and_saves_nothing(
    manager_client, employer, change, field
):
    response = manager_client.post(new_url(employer), {**VALID, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Employee.objects.filter(employer=employer).exists()


def test_a_duplicate_employee_number_is_refused(manager_client, employer):
    EmployeeFactory(employer=employer, number="2001")
    response = manager_client.post(new_url(employer), VALID)
    assert "number" in response.context["form"].errors
    assert Employee.objects.filter(employer=employer).count() == 1


def test_the_same_number_may_exist_at_another_employer(manager_client, employer, other_employer):
    EmployeeFactory(employer=other_employer, number="2001")
    assert manager_client.post(new_url(employer), VALID).status_code == 302


def test_the_read_only_role_gets_403(viewer_client, employer):
    assert viewer_client.post(new_url(employer), VALID).status_code == 403
    assert not Employee.objects.exists()


def test_outsiders_get_404(outsider_client, employer):
    assert outsider_client.post(new_url(employer), VALID).status_code == 404
