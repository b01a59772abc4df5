"""Every change to a person's factors is audited and mailed: added, removed, reset (HR for an
employee, an operator's command for HR staff), recovery code used."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from employees.mfa.models import RecoveryCodeDevice
from employees.mfa.services import recovery_codes_new, totp_device_confirm, totp_device_pending
from employers.models import AuditEvent
from tests.mfa_helpers import force_login_verified, totp_code, totp_device


def test_confirming_an_app_is_audited_and_mailed(account, on_commit):
    device = totp_device_pending(user=account)
    with on_commit():
        assert totp_device_confirm(device=device, token=totp_code(device), ip_address="10.1.1.1")
    event = AuditEvent.objects.get(action="factor_added")
    assert event.employee == account.employee and event.ip_address == "10.1.1.1"
    assert mail.outbox[-1].to == [account.employee.email]


def test_removing_an_app_is_audited_and_mailed_and_takes_the_codes_along(anna, account, on_commit):
    device = totp_device(account)
    recovery_codes_new(user=account, ip_address=None, first=True)
    with on_commit():
        response = anna.post(reverse("mfa:totp_remove", args=[device.pk]))
    assert response["Location"] == reverse("mfa:overview")
    assert not TOTPDevice.objects.filter(user=account).exists()
    assert not RecoveryCodeDevice.objects.filter(user=account).exists()
    assert AuditEvent.objects.filter(action="factor_removed", employee=account.employee).exists()
    assert mail.outbox[-1].to == [account.employee.email]


def test_with_a_requirement_the_last_app_cannot_be_removed(anna, account, employer):
    employer.require_two_factor = True
    employer.save()
    device = totp_device(account)
    anna.post(reverse("mfa:totp_remove", args=[device.pk]))
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not AuditEvent.objects.filter(action="factor_removed").exists()


def test_hr_staff_cannot_remove_their_last_app(manager_client, employer_manager):
    device = totp_device(employer_manager)
    manager_client.post(reverse("mfa:totp_remove", args=[device.pk]))
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_hr_resets_an_employees_two_step_sign_in_audited_and_mailed(
    manager_client, employer_manager, account, employee, on_commit
):
    totp_device(account)
    recovery_codes_new(user=account, ip_address=None, first=True)
    page = manager_client.get(reverse("hr:employee_detail", args=[employee.pk]))
    assert b'id="reset-two-step"' in page.content
    with on_commit():
        response = manager_client.post(reverse("hr:account_two_factor_reset", args=[employee.pk]))
    assert response["Location"] == reverse("hr:employee_detail", args=[employee.pk])
    assert not TOTPDevice.objects.filter(user=account).exists()
    assert not RecoveryCodeDevice.objects.filter(user=account).exists()
    event = AuditEvent.objects.get(action="two_factor_reset")
    assert event.employee == employee and event.actor == employer_manager
    assert mail.outbox[-1].to == [employee.email]
    assert employer_manager.username in mail.outbox[-1].body


def test_a_read_only_hr_user_cannot_reset(viewer_client, account, employee):
    totp_device(account)
    response = viewer_client.post(reverse("hr:account_two_factor_reset", args=[employee.pk]))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=account).exists()


def test_resetting_an_employee_without_two_step_sign_in_says_so(manager_client, account, employee):
    response = manager_client.post(
        reverse("hr:account_two_factor_reset", args=[employee.pk]), follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not AuditEvent.objects.filter(action="two_factor_reset").exists()


def test_after_a_reset_the_old_session_is_no_longer_verified(
    manager_client, account, employee, employer
):
    employer.require_two_factor = True
    employer.save()
    anna = force_login_verified(Client(), account)
    assert anna.get(reverse("portal:home")).status_code == 200
    manager_client.post(reverse("hr:account_two_factor_reset", args=[employee.pk]))
    assert anna.get(reverse("portal:home"))["Location"].startswith(reverse("portal:login"))


def test_operators_reset_hr_staff_with_a_command(employer_manager, on_commit, caplog):
    totp_device(employer_manager)
    out = io.StringIO()
    with on_commit():
        call_command("reset_two_factor", employer_manager.username.upper(), stdout=out)
    assert "1" in out.getvalue() and employer_manager.username in out.getvalue()
    assert not TOTPDevice.objects.filter(user=employer_manager).exists()
    assert mail.outbox[-1].to == [employer_manager.email]
    assert any("two_factor_reset" in r.getMessage() for r in caplog.records)


def test_the_command_refuses_an_unknown_account(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("reset_two_factor", "nobody")


def test_removing_the_app_this_session_was_verified_with_keeps_the_person_signed_in(anna, account):
    device = totp_device(account)  # the one anna's session was verified with
    anna.post(reverse("mfa:totp_remove", args=[device.pk]))
    assert anna.get(reverse("portal:home")).status_code == 200  # by password, as allowed


def test_with_another_factor_left_the_session_stays_verified(anna, account):
    from tests.mfa_helpers import passkey_for

    device = totp_device(account)
    passkey = passkey_for(account)
    anna.post(reverse("mfa:totp_remove", args=[device.pk]))
    assert anna.session["otp_device_id"] == passkey.persistent_id
    assert anna.get(reverse("mfa:overview")).status_code == 200
