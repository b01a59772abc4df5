"""Someone at HR changes the address of an activated account, asks for a password reset at the new
address and reads the employee's payslips. That must not go unnoticed: the old address is told,
the audit log names both addresses (masked), the employee's details page lists the change, and a
reset link already mailed to the old address stops working."""

import io
import re
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from employees.models import EmailChange, Employee
from employees.records.importing import employee_import_csv
from employers.models import AuditEvent, EmailText
from essportal.mail.addresses import email_mask
from essportal.mail.kinds import KINDS
from essportal.mail.texts import text_problems
from tests.employees.factories import sign_in
from tests.factories import UserFactory

OLD = "anna.bakker@oud.example"
NEW = "mallory@evil.example"


@pytest.fixture
def account(employee):
    """Anna has activated her account with her own address."""
    employee.email = OLD
    employee.user = UserFactory(username="anna.bakker", email=OLD)
    employee.save()
    return employee


def change_address(client, employee, email=NEW, **extra):
    url = reverse("hr:employee_edit", args=[employee.pk])
    return client.post(url, {"email": email, "language": employee.language}, **extra)


def notices():
    return [m for m in mail.outbox if m.to == [OLD]]


def test_changing_an_accounts_address_tells_the_old_address(manager_client, account, on_commit):
    with on_commit():
        assert change_address(manager_client, account).status_code == 302
    (notice,) = mail.outbox
    assert notice.to == [OLD]
    assert "m***@evil.example" in notice.body and NEW not in notice.body
    assert NEW not in notice.alternatives[0][0]
    assert account.employer.name in notice.subject
    assert account.employer.contact_email in notice.body  # whom to call


def test_the_takeover_through_a_password_reset_is_no_longer_silent(
    client, manager_client, account, on_commit
):
    with on_commit():
        change_address(manager_client, account)
    with on_commit():
        client.post(reverse("portal:forgot_password"), {"email": NEW})
    assert [m.to for m in mail.outbox] == [[OLD], [NEW]]
    assert "m***@evil.example" in mail.outbox[0].body


def test_a_reset_link_mailed_to_the_old_address_stops_working_when_the_address_changes(
    client, manager_client, account, on_commit
):
    with on_commit():
        client.post(reverse("portal:forgot_password"), {"email": OLD})
    link = re.search(r"https://portal\.example\.test(/reset/\S+/)", mail.outbox[-1].body)[1]
    with on_commit():
        change_address(manager_client, account)
    assert client.get(link, follow=True).context["validlink"] is False


def test_the_audit_log_names_both_addresses_masked(manager_client, account, employer_manager):
    change_address(manager_client, account, REMOTE_ADDR="203.0.113.7")
    event = AuditEvent.objects.get(employee=account, action="employee_changed")
    assert "a***@oud.example" in event.detail and "m***@evil.example" in event.detail
    assert OLD not in event.detail and NEW not in event.detail
    assert event.actor == employer_manager and event.ip_address == "203.0.113.7"


def test_the_notice_goes_out_in_the_employees_language(manager_client, account, on_commit):
    Employee.objects.filter(pk=account.pk).update(language="en")
    account.refresh_from_db()
    with on_commit():
        change_address(manager_client, account)
    (notice,) = notices()
    assert notice.subject == f"Your email address at {account.employer.name} was changed"


def test_removing_the_address_of_an_account_still_tells_the_old_address(
    manager_client, account, on_commit
):
    with on_commit():
        change_address(manager_client, account, email="")
    (notice,) = notices()
    assert "***" not in notice.body.split("\n\n")[1]  # no masked address when there is none
    assert EmailChange.objects.get(employee=account).new_email == ""


def test_an_invited_employee_is_not_told_at_the_old_address(
    manager_client, employee, grant, on_commit
):
    """Before activation the old address may be a stranger's (a typo): nothing goes there."""
    grant(employee)
    old = employee.email
    with on_commit():
        change_address(manager_client, employee)
    assert [m.to for m in mail.outbox] == [[old], [NEW]]  # the invitation, then its replacement
    assert not EmailChange.objects.exists()


def test_the_same_address_typed_differently_tells_nobody(manager_client, account, on_commit):
    with on_commit():
        change_address(manager_client, account, email=OLD.upper())
    assert not mail.outbox and not EmailChange.objects.exists()


def test_an_import_that_changes_an_accounts_address_tells_the_old_address(
    employer, account, on_commit
):
    csv = (
        "employee_number;first_name;last_name;birth_date;start_date;email\n"
        f"{account.number};Anna;Bakker;14-03-1985;01-01-2020;{NEW}\n"
    )
    with on_commit():
        result = employee_import_csv(employer=employer, file=io.BytesIO(csv.encode()))
    assert result.ok and result.updated == 1, result.error_lines()
    (notice,) = notices()
    assert "m***@evil.example" in notice.body
    event = AuditEvent.objects.get(employee=account, action="employee_changed")
    assert "a***@oud.example" in event.detail and NEW not in event.detail


def test_the_notice_task_carries_ids_only(manager_client, account, on_commit):
    with mock.patch("employees.mails.send_employee_mail.delay") as delay, on_commit():
        change_address(manager_client, account)
    ((kind, employee_id, params),) = [call.args for call in delay.call_args_list]
    assert (kind, employee_id) == ("email_changed", account.pk)
    assert list(params) == ["change_id"] and type(params["change_id"]) is int


def test_the_employee_sees_the_change_on_their_details_page(
    client, manager_client, account, other_employee
):
    change_address(manager_client, account)
    other_employee.user = UserFactory()
    other_employee.save()
    change_address(manager_client, other_employee, email="other@example.test")  # 404: not ours
    page = sign_in(client, account).get(reverse("portal:details"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "a***@oud.example" in html and "m***@evil.example" in html
    assert OLD not in html
    assert [c.employee_id for c in page.context["email_changes"]] == [account.pk]


def test_hr_may_reword_the_notice_but_not_leave_out_the_new_address():
    kind = KINDS["email_changed"]
    assert "{new_email}" in " ".join(text_problems(kind, "body", "Er is iets gewijzigd."))
    assert not text_problems(kind, "body", "Je adres is nu {new_email}.")


def test_a_stored_notice_text_without_the_new_address_is_not_used(
    manager_client, employer, account, on_commit
):
    EmailText.objects.create(
        employer=employer, kind="email_changed", language="nl", body="Alles is in orde."
    )
    with on_commit():
        change_address(manager_client, account)
    (notice,) = notices()
    assert "m***@evil.example" in notice.body


@pytest.mark.parametrize(
    "address, masked",
    [
        ("anna.bakker@oud.example", "a***@oud.example"),
        ("a@b.nl", "a***@b.nl"),
        ("", ""),
        ("not-an-address", "***"),
        ("weird@name@host.example", "w***@host.example"),
    ],
)
def test_an_address_is_masked_down_to_its_first_letter_and_domain(address, masked):
    assert email_mask(address) == masked


def test_an_operator_changing_the_address_in_the_admin_tells_the_old_address_too(
    account, on_commit
):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    from essportal.models import User

    operator = User.objects.create_superuser("operator", "ops@example.test", "x")
    admin = site._registry[Employee]
    request = RequestFactory().post("/admin/")
    request.user = operator
    form_class = admin.get_form(request, account, change=True)
    data = {
        name: getattr(account, name) for name in form_class.base_fields if hasattr(account, name)
    }
    data.update(
        email=NEW,
        employer=account.employer_id,
        user=account.user_id,
        birth_date=account.birth_date.isoformat(),
        start_date=account.start_date.isoformat(),
        end_date="",
    )
    form = form_class(data, instance=Employee.objects.get(pk=account.pk))
    assert form.is_valid(), form.errors
    with on_commit():
        admin.save_model(request, form.save(commit=False), form, change=True)
    assert [m.to for m in notices()] == [[OLD]]
    assert EmailChange.objects.filter(employee=account).exists()
    assert Employee.objects.get(pk=account.pk).email == NEW
