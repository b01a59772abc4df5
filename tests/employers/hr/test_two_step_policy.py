"""HR chooses whether employees must sign in in two steps: per employer, or as the provider's
default for its employers."""

from django.urls import reverse

from employers.models import AuditEvent


def test_a_manager_requires_two_step_sign_in_for_the_employer(manager_client, employer):
    url = reverse("hr:two_step_policy", args=[employer.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {"policy": "required"})
    assert response["Location"] == url
    employer.refresh_from_db()
    assert employer.require_two_factor is True and employer.employees_need_two_factor
    assert AuditEvent.objects.filter(employer=employer, action="two_factor_policy").exists()


def test_back_to_the_providers_default(manager_client, employer):
    employer.provider.employees_require_two_factor = True
    employer.provider.save()
    employer.require_two_factor = False
    employer.save()
    manager_client.post(reverse("hr:two_step_policy", args=[employer.pk]), {"policy": "default"})
    employer.refresh_from_db()
    assert employer.require_two_factor is None and employer.employees_need_two_factor


def test_a_nonsense_choice_changes_nothing(manager_client, employer):
    url = reverse("hr:two_step_policy", args=[employer.pk])
    assert manager_client.post(url, {"policy": "sometimes"}).status_code == 400
    employer.refresh_from_db()
    assert employer.require_two_factor is None
    assert not AuditEvent.objects.exists()


def test_a_read_only_user_sees_but_cannot_change_it(viewer_client, employer):
    url = reverse("hr:two_step_policy", args=[employer.pk])
    assert viewer_client.get(url).status_code == 200
    assert viewer_client.post(url, {"policy": "required"}).status_code == 403
    employer.refresh_from_db()
    assert employer.require_two_factor is None


def test_provider_staff_set_the_default_of_the_employers_that_follow_it(
    provider_client, provider, employer, sister_employer
):
    sister_employer.require_two_factor = False
    sister_employer.save()
    url = reverse("hr:provider_two_step_policy", args=[provider.pk])
    assert provider_client.post(url, {"required": "on"})["Location"] == url
    provider.refresh_from_db()
    employer.refresh_from_db()
    sister_employer.refresh_from_db()
    assert provider.employees_require_two_factor
    assert employer.employees_need_two_factor and not sister_employer.employees_need_two_factor
    audited = AuditEvent.objects.filter(action="two_factor_policy")
    assert [e.employer for e in audited] == [employer]  # the one it applies to


def test_the_manager_of_one_employer_has_no_provider_setting(manager_client, provider):
    url = reverse("hr:provider_two_step_policy", args=[provider.pk])
    assert manager_client.get(url).status_code == 404
    assert manager_client.post(url, {"required": "on"}).status_code == 404
    provider.refresh_from_db()
    assert not provider.employees_require_two_factor
