import pytest
from django.urls import reverse

from tests.mfa_helpers import sign_in_with_code, totp_code, totp_device


def test_staff_of_one_employer_land_on_its_employee_list(manager_client, employer):
    response = manager_client.get(reverse("hr:home"))
    assert response["Location"] == reverse("hr:employee_list", args=[employer.pk])


def test_provider_staff_choose_among_their_employers(
    provider_client, employer, sister_employer, other_employer
):
    response = provider_client.get(reverse("hr:home"))
    assert response.status_code == 200
    assert set(response.context["employers"]) == {employer, sister_employer}


def test_the_switcher_refuses_an_employer_out_of_scope(provider_client, other_employer):
    url = reverse("hr:switch_employer") + f"?employer={other_employer.pk}"
    assert provider_client.get(url).status_code == 404


def test_the_switcher_opens_an_employer_in_scope(provider_client, sister_employer):
    response = provider_client.get(
        reverse("hr:switch_employer") + f"?employer={sister_employer.pk}"
    )
    assert response["Location"] == reverse("hr:employee_list", args=[sister_employer.pk])


def test_staff_sign_in_with_their_password_then_a_code(client, employer_manager, password):
    device = totp_device(employer_manager)
    response = client.post(
        reverse("hr:login"), {"username": employer_manager.username.upper(), "password": password}
    )
    assert response["Location"] == reverse("mfa:authenticate")
    response = client.post(reverse("mfa:authenticate"), {"code": totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/hr/"


def test_a_wrong_password_is_refused_with_a_message(client, employer_manager):
    response = client.post(
        reverse("hr:login"), {"username": employer_manager.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_sign_out_is_a_post(manager_client):
    assert manager_client.get(reverse("hr:logout")).status_code == 405
    assert manager_client.post(reverse("hr:logout")).status_code == 302


@pytest.mark.usefixtures("database_sessions")
def test_after_30_idle_minutes_hr_is_told_they_were_signed_out(client, employer_manager, password):
    import datetime

    import time_machine
    from django.utils import timezone

    sign_in_with_code(client, "hr:login", employer_manager, password)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        response = client.get(reverse("hr:home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("hr:login"))
    assert [m.level_tag for m in response.context["messages"]] == ["info"]
