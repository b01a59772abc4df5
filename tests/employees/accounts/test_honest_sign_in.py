"""Sign-in and sign-out say what really happened (issue 16): a blocked employee is told that the
employer blocked access and whom to contact, not that they mistyped; the wrong-password message
does not claim usernames are case-sensitive; a session ended elsewhere does not claim 30 idle
minutes."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(employee):
    employee.user = UserFactory(username="anna.bakker")
    employee.save()
    return employee.user


def login(client, password=DEFAULT_PASSWORD, **extra):
    data = {"username": "anna.bakker", "password": password}
    return client.post(reverse("portal:login"), data, **extra)


def errors_of(response) -> list[str]:
    return [str(e) for e in response.context["form"].non_field_errors()]


def block(account):
    account.is_active = False
    account.save(update_fields=["is_active"])


def test_a_blocked_employee_with_the_right_password_is_told_whom_to_contact(client, account):
    employer = account.employee.employer
    employer.contact_name, employer.contact_email = "Petra de Vries", "hr@bakkerij.test"
    employer.save()
    block(account)
    response = login(client, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    (error,) = errors_of(response)
    assert f"{employer.name} has blocked your access" in error
    assert "Petra de Vries, hr@bakkerij.test" in error
    assert "_auth_user_id" not in client.session


def test_a_blocked_account_with_a_wrong_password_learns_nothing_more(client, account):
    block(account)
    response = login(client, password="not the password", HTTP_ACCEPT_LANGUAGE="en")
    (error,) = errors_of(response)
    assert "blocked" not in error and "not right" in error


def test_the_wrong_password_message_does_not_call_usernames_case_sensitive(client, account):
    response = login(client, password="wrong", HTTP_ACCEPT_LANGUAGE="nl")
    (error,) = errors_of(response)
    assert "hoofdlettergevoelig" not in error
    assert "niet in de gebruikersnaam" in error


def test_a_session_ended_by_a_block_says_so_not_idle_minutes(manager_client, account):
    employee_client = Client()
    login(employee_client)
    manager_client.post(reverse("hr:account_block", args=[account.employee.pk]))
    response = employee_client.get(reverse("portal:payslips"))
    assert response["Location"] == reverse("portal:signed_out") + "?reason=ended"
    page = employee_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "your employer blocked your access" in page and "inactive" not in page


@pytest.mark.usefixtures("database_sessions")
def test_an_idle_session_still_says_idle(client, account):
    login(client)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=30, seconds=1)):
        response = client.get(reverse("portal:payslips"))
    assert response["Location"] == reverse("portal:signed_out") + "?reason=timeout"
