"""Line separators and other invisible characters in names, addresses and other one-line text.

U+2028 and U+2029 break lines like CR and LF do (Python's str.splitlines, mail clients, some
log viewers); bidirectional overrides (U+202E) and zero-width characters make a name read as
something else. Every one-line field a person types or imports refuses them, as it refuses CR and
LF: with a message at the field, and nothing saved.
"""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from employees.models import Employee, LeaveType
from employees.payroll.importing.services import payroll_import
from employers.models import Employer, Provider, StaffMembership
from employers.services import staff_create
from tests.employees.records.test_import_employees import import_error, row, write_csv
from tests.employers.hr.test_employee_new import VALID, new_url
from tests.factories import EmployeeFactory

HIDDEN = {
    "U+2028 line separator": "\u2028",
    "U+2029 paragraph separator": "\u2029",
    "U+0085 next line": "\x85",
    "CR LF": "\r\n",
    "U+202E right-to-left override": "\u202e",
    "U+200B zero width space": "\u200b",
    "U+FEFF byte order mark": "\ufeff",
}
CASES = pytest.mark.parametrize("hidden", HIDDEN.values(), ids=HIDDEN.keys())


@CASES
@pytest.mark.parametrize(
    "field", ["initials", "first_name", "infix", "last_name", "job_title", "street", "city"]
)
def test_hr_cannot_save_an_employee_whose_text_hides_a_line_break_or_an_invisible_character(
    manager_client, employer, field, hidden
):
    data = {**VALID, field: f"Jan{hidden}Smit"}
    response = manager_client.post(new_url(employer), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Employee.objects.filter(employer=employer).exists()


@CASES
def test_hr_cannot_save_an_email_address_with_a_hidden_character(manager_client, employer, hidden):
    data = {**VALID, "email": f"anna@exam{hidden}ple.nl"}
    response = manager_client.post(new_url(employer), data)
    assert "email" in response.context["form"].errors
    assert not Employee.objects.filter(employer=employer).exists()


def test_hr_cannot_change_an_employees_email_to_one_with_a_line_separator(manager_client, employee):
    before = employee.email
    url = reverse("hr:employee_edit", args=[employee.pk])
    response = manager_client.post(url, {"email": "anna@exam\u2028ple.nl", "language": "nl"})
    assert "email" in response.context["form"].errors
    employee.refresh_from_db()
    assert employee.email == before


@CASES
def test_the_reply_to_address_refuses_a_hidden_character_and_saves_nothing(
    manager_client, employer, hidden
):
    manager_client.post(
        reverse("hr:email_sender", args=[employer.pk]),
        {"reply_to_email": f"hr@bakkerij{hidden}.nl"},
    )
    employer.refresh_from_db()
    assert employer.reply_to_email == ""


def test_the_employee_import_refuses_a_line_separator_in_a_name(tmp_path, employer):
    path = write_csv(tmp_path, [row(last_name="Vries\u2028Bcc")])
    assert "last_name" in import_error(path, employer)
    assert not Employee.objects.filter(employer=employer).exists()


def test_the_payroll_import_refuses_a_line_separator_in_a_leave_type_name(employer):
    EmployeeFactory(employer=employer, number="1001")
    record = {
        "employee_number": "1001",
        "year": 2026,
        "leave_type_code": "VAK",
        "leave_type_name": "Vakantie\u2028Bcc: evil@attacker.example",
        "entitlement_hours": "160",
    }
    content = json.dumps({"leave_balances": [record]}).encode()
    result = payroll_import(employer=employer, file=io.BytesIO(content))
    assert not result.ok
    assert not LeaveType.objects.filter(employer=employer).exists()


@CASES
@pytest.mark.parametrize("field", ["name", "contact_name", "contact_phone", "contact_email"])
def test_an_operator_cannot_give_an_employer_a_field_with_a_hidden_character(
    employer, field, hidden
):
    value = f"hr@exam{hidden}ple.nl" if field == "contact_email" else f"Bakkerij{hidden}Jansen"
    setattr(employer, field, value)
    with pytest.raises(ValidationError) as error:
        employer.full_clean()
    assert field in error.value.message_dict


def test_an_operator_cannot_name_a_provider_with_a_line_separator(db):
    with pytest.raises(ValidationError) as error:
        Provider(name="Salarisbureau\u2028Zuid").full_clean()
    assert "name" in error.value.message_dict


@pytest.mark.parametrize("name", ["Øzgür Şahin", "Nguyễn Văn An", "张伟", "O'Brien-Smit", "Zoë"])
def test_names_in_any_script_are_still_welcome(manager_client, employer, name):
    response = manager_client.post(new_url(employer), {**VALID, "last_name": name})
    assert response.status_code == 302
    assert Employer.objects.get(pk=employer.pk).employees.get().last_name == name


def test_an_hr_users_email_address_with_a_line_separator_is_refused(employer):
    with pytest.raises(ValidationError):
        staff_create(
            username="hr-nieuw",
            email="hr@exam\u2028ple.nl",
            password="een lang genoeg wachtwoord",
            employer=employer,
            role=StaffMembership.Role.VIEWER,
        )
    assert not StaffMembership.objects.filter(user__username="hr-nieuw").exists()
