"""A half-signed-in session (password right, second step not done) reaches nothing but the
second-step pages: every HR, portal and sign-in-method URL is found by reflecting over the URL
configuration (as the tenancy test does), so a page added later is tried here too."""

import pytest
from django.urls import reverse

from tests.mfa_helpers import totp_device
from tests.security.test_tenancy import ALL_URLS

# Pages anyone may open, signed in or not.
PUBLIC = {
    "hr:login",
    "portal:login",
    "portal:signed_out",
    "portal:forgot_password",
    "portal:forgot_username",
    "portal:password_reset_invalid",
    "portal:password_reset_confirm",
    "portal:home",  # a visitor's front page (what the site is); the overview needs a sign-in
}
SECOND_STEP = {"mfa:authenticate", "mfa:authenticate_recovery"}
LOGIN_PAGES = (reverse("hr:login"), reverse("portal:login"), "/signed-out/")
FIXED = {
    "level": "employer",
    "kind": "invitation",
    "language": "nl",
    "field_name": "subject",
    "uidb64": "MQ",
    "token": "x-y",
}

GUARDED = sorted(
    name
    for name in ALL_URLS
    if name.split(":")[0] in ("hr", "portal", "mfa")
    and name not in PUBLIC | SECOND_STEP | {"mfa:setup_totp"}
)


def url_for(name, objects):
    kwargs = {}
    for param in ALL_URLS[name]:
        kwargs[param] = FIXED.get(param, objects.get(param, 1))
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def objects(employer, employee):
    return {"employer_id": employer.pk, "employee_id": employee.pk, "owner_id": employer.pk}


@pytest.fixture(params=["hr", "employee", "hr without an app yet"])
def half_signed_in(request, client, employer_manager, employee, password):
    """A session after the right password of a person with an authenticator app, or of HR staff
    who must set one up first (then only the set-up page answers)."""
    if request.param == "hr without an app yet":
        response = client.post(
            reverse("hr:login"), {"username": employer_manager.username, "password": password}
        )
        assert response["Location"] == reverse("mfa:setup_totp")
        return client
    if request.param == "hr":
        user, page = employer_manager, "hr:login"
    else:
        from tests.factories import UserFactory

        employee.user = UserFactory()
        employee.save(update_fields=["user"])
        user, page = employee.user, "portal:login"
    totp_device(user)
    response = client.post(reverse(page), {"username": user.username, "password": password})
    assert response["Location"] == reverse("mfa:authenticate")
    return client


def test_every_guarded_url_is_known():
    assert "hr:employee_detail" in GUARDED and "portal:payslips" in GUARDED
    assert "mfa:overview" in GUARDED


@pytest.mark.parametrize("name", GUARDED)
def test_a_half_signed_in_session_reaches_no_hr_or_portal_page(half_signed_in, objects, name):
    url = url_for(name, objects)
    for method in ("get", "post"):
        response = getattr(half_signed_in, method)(url)
        assert response.status_code in (302, 405), (name, method, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(LOGIN_PAGES), (name, response["Location"])
        assert "_auth_user_id" not in half_signed_in.session


def test_a_half_signed_in_session_gets_the_visitors_front_page_not_the_overview(half_signed_in):
    response = half_signed_in.get(reverse("portal:home"))
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "employees/portal/welcome.html"
    assert "employee" not in response.context


def test_the_set_up_page_answers_only_a_session_that_must_set_up(half_signed_in):
    must_set_up = half_signed_in.session["mfa_pending"]["setup"]
    response = half_signed_in.get(reverse("mfa:setup_totp"))
    if must_set_up:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_PAGES)


@pytest.mark.parametrize("name", sorted(SECOND_STEP))
def test_the_second_step_pages_answer_it(half_signed_in, name):
    response = half_signed_in.get(reverse(name))
    if half_signed_in.session["mfa_pending"]["setup"]:
        assert response["Location"].startswith(LOGIN_PAGES)  # nothing to check a code against
    else:
        assert response.status_code == 200
