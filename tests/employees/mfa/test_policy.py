"""Who must have a second factor: HR staff always; employees when their employer requires it,
or, when the employer leaves it open, its provider's default."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.invitations.helpers import activate, last_token, link_path
from tests.mfa_helpers import mark_password_only


def sign_in(client, user, password):
    return client.post(reverse("portal:login"), {"username": user.username, "password": password})


@pytest.mark.parametrize(
    "provider_default, employer_choice, required",
    [
        (False, None, False),
        (True, None, True),
        (False, True, True),
        (True, False, False),
    ],
)
def test_the_employer_choice_wins_and_otherwise_the_provider_default(
    client, account, password, employer, provider_default, employer_choice, required
):
    employer.provider.employees_require_two_factor = provider_default
    employer.provider.save()
    employer.require_two_factor = employer_choice
    employer.save()
    response = sign_in(client, account, password)
    expected = reverse("mfa:setup_totp") if required else reverse("portal:home")
    assert response["Location"] == expected
    assert ("_auth_user_id" in client.session) is not required


def test_without_a_requirement_the_portal_works_with_the_password_alone(client, account, password):
    sign_in(client, account, password)
    assert client.get(reverse("portal:home")).status_code == 200


def test_an_existing_session_must_set_up_when_the_employer_starts_requiring_it(
    client, account, password, employer
):
    sign_in(client, account, password)
    assert client.get(reverse("portal:home")).status_code == 200
    employer.require_two_factor = True
    employer.save()
    response = client.get(reverse("portal:payslips"))
    assert response["Location"].startswith(reverse("portal:login"))
    assert "_auth_user_id" not in client.session
    assert sign_in(client, account, password)["Location"] == reverse("mfa:setup_totp")


def test_a_session_from_before_two_step_sign_in_is_signed_out_for_hr(employer_manager, employer):
    """A session made without our sign-in (as those that existed before the deploy) counts as
    not verified: HR must sign in again."""
    client = Client()
    client.force_login(employer_manager)
    response = client.get(reverse("hr:employee_list", args=[employer.pk]))
    assert response["Location"].startswith(reverse("hr:login"))
    assert "_auth_user_id" not in client.session


def test_a_password_only_hr_session_is_not_enough(employer_manager, employer):
    client = Client()
    client.force_login(employer_manager)
    mark_password_only(client, employer_manager)
    response = client.get(reverse("hr:employee_list", args=[employer.pk]))
    assert response["Location"].startswith(reverse("hr:login"))


def test_after_activation_a_required_set_up_is_the_next_step(client, employer, employee, grant):
    employer.require_two_factor = True
    employer.save()
    grant(employee)
    client.get(link_path(last_token()))
    response = activate(client)
    assert response["Location"] == reverse("mfa:setup_totp")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("mfa:setup_totp")).status_code == 200
    # After the app and the recovery codes, the passkey is offered too.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.mfa_helpers import totp_code

    device = TOTPDevice.objects.get(confirmed=False)
    client.post(reverse("mfa:setup_totp"), {"code": totp_code(device)})
    done = client.post(reverse("mfa:recovery_codes_done"))
    assert done["Location"] == reverse("mfa:passkey_offer")


def test_after_activation_without_a_requirement_the_employee_is_signed_in(client, employee, grant):
    grant(employee)
    client.get(link_path(last_token()))
    response = activate(client)
    assert response["Location"] == reverse("mfa:passkey_offer")
    offer = client.get(reverse("mfa:passkey_offer"))
    assert b'id="passkey-registration-placeholder"' in offer.content
    assert b'id="passkey-not-now"' in offer.content
    assert client.get(reverse("portal:home")).status_code == 200
