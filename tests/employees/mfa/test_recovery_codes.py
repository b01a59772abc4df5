"""Recovery codes: ten, single use, stored hashed, a new set kills the old one; using one says
how many are left and mails the person."""

import re

from django.core import mail
from django.urls import reverse

from employees.mfa.models import RecoveryCode, recovery_code_hash
from employees.mfa.services import recovery_codes_new
from employers.models import AuditEvent
from tests.mfa_helpers import totp_device


def password_step(client, user, password):
    response = client.post(
        reverse("portal:login"), {"username": user.username, "password": password}
    )
    assert response["Location"] == reverse("mfa:authenticate")


def use(client, code):
    return client.post(reverse("mfa:authenticate_recovery"), {"recovery_code": code})


def test_codes_are_stored_only_as_hashes(account):
    totp_device(account)
    codes = recovery_codes_new(user=account, ip_address=None, first=True)
    assert len(codes) == len(set(codes)) == 10
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert stored == {recovery_code_hash(c) for c in codes}
    assert not stored & set(codes)


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(
    client, account, password, on_commit
):
    totp_device(account)
    codes = recovery_codes_new(user=account, ip_address=None, first=True)
    password_step(client, account, password)
    with on_commit():
        response = use(client, codes[3].lower()[:5] + "-" + codes[3][5:])  # any case, dash
    assert response["Location"] == reverse("portal:home")
    page = client.get(reverse("portal:home"))
    assert "9" in " ".join(str(m) for m in page.context["messages"])
    assert RecoveryCode.objects.count() == 9
    assert AuditEvent.objects.filter(action="recovery_code_used").count() == 1
    assert mail.outbox[-1].to == [account.employee.email]
    assert " 9 " in mail.outbox[-1].body  # how many are left
    # The same code a second time: refused.
    client.post(reverse("portal:logout"))
    password_step(client, account, password)
    assert use(client, codes[3]).status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_new_set_kills_the_old_codes(anna, account, on_commit):
    totp_device(account)
    old = recovery_codes_new(user=account, ip_address=None, first=True)
    with on_commit():
        response = anna.post(reverse("mfa:recovery_codes_new"))
    assert response["Location"] == reverse("mfa:recovery_codes")
    page = anna.get(reverse("mfa:recovery_codes")).content.decode()
    new = [c.replace("-", "") for c in re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", page)]
    assert len(new) == 10 and not set(new) & set(old)
    hashes = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert hashes == {recovery_code_hash(c) for c in new}
    assert AuditEvent.objects.filter(action="recovery_codes_new").count() == 1
    assert mail.outbox[-1].to == [account.employee.email]


def test_recovery_codes_are_no_way_in_without_a_factor(client, account, password):
    """Codes left over without an app (should not happen) do not make a second step."""
    recovery_codes_new(user=account, ip_address=None, first=True)
    response = client.post(
        reverse("portal:login"), {"username": account.username, "password": password}
    )
    assert response["Location"] == reverse("portal:home")  # no second step: no factor
