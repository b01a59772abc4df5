"""Two-step sign-in in a real browser: HR sets up an authenticator app and signs in with it; an
employee activates, adds a passkey (Chromium's virtual authenticator, through the DevTools
protocol) and signs in with the passkey alone. axe-core on every page, and a 390 px phone."""

import datetime
import re
from base64 import b32decode

import pytest
from django.core import mail
from django_otp.oath import TOTP

from employers.models import StaffMembership
from invitations.outbox import invitations_send_mail
from invitations.services import invitation_grant
from tests.browser.test_journeys import LINK, NEW_PASSWORD, fill_birth_date
from tests.factories import DEFAULT_PASSWORD, EmployeeFactory, EmployerFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def code_for(secret: str, steps: int = 0) -> str:
    """What the person's app shows for the secret they typed in (RFC 6238, django-otp's own)."""
    import time

    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + steps * 30
    return f"{totp.token():06d}"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def hr_user(db):
    employer = EmployerFactory(name="Bakkerij Jansen B.V.")
    EmployeeFactory(employer=employer, last_name="Visser")
    return MembershipFactory(employer=employer, role=StaffMembership.Role.MANAGER).user


def test_hr_sets_up_an_authenticator_app_and_signs_in_with_it(
    new_page, hr_user, check_accessibility
):
    hr = new_page()
    hr.set_viewport_size(PHONE)
    hr.goto("/hr/login/")
    hr.fill("input[name=username]", hr_user.username)
    hr.fill("input[name=password]", DEFAULT_PASSWORD)
    hr.click("main button[type=submit]")
    hr.wait_for_url(re.compile(r"/two-step/app/setup/$"))
    check_accessibility(hr)
    assert fits_the_screen(hr)

    assert hr.locator("#totp-qr svg").is_visible()  # rendered under the site's CSP
    secret = hr.get_attribute("#totp-secret", "data-secret")
    hr.fill("input[name=code]", code_for(secret))
    hr.fill("input[name=name]", "Werktelefoon")
    hr.click("#totp-setup-form button[type=submit]")
    hr.wait_for_url(re.compile(r"/two-step/recovery-codes/$"))
    check_accessibility(hr)
    assert fits_the_screen(hr)
    assert hr.locator("#recovery-codes li").count() == 10
    first_code = hr.inner_text("#recovery-codes li >> nth=0").strip()
    with hr.expect_download() as download:
        hr.click("a[href$='/recovery-codes/download/']")
    assert download.value.suggested_filename == "recovery-codes.txt"
    hr.click("#recovery-codes-done")
    hr.wait_for_url(re.compile(r"/hr/employers/\d+/employees/$"))
    check_accessibility(hr)

    # Signed out, the password alone no longer opens HR: the code does.
    hr.click("header form button[type=submit]")
    hr.goto("/hr/login/")
    hr.fill("input[name=username]", hr_user.username)
    hr.fill("input[name=password]", DEFAULT_PASSWORD)
    hr.click("main button[type=submit]")
    hr.wait_for_url(re.compile(r"/two-step/code/$"))
    check_accessibility(hr)
    assert fits_the_screen(hr)
    hr.fill("input[name=code]", code_for(secret, steps=1))  # the first code was used
    hr.click("#mfa-code-form button[type=submit]")
    hr.wait_for_url(re.compile(r"/hr/employers/\d+/employees/$"))

    # Their own overview: the app by name, 10 recovery codes left, a passkey to add.
    hr.click("header a[href='/two-step/']")
    hr.wait_for_url(re.compile(r"/two-step/$"))
    assert "Werktelefoon" in hr.inner_text("#totp-devices")
    assert "10" in hr.inner_text("#codes-left")
    check_accessibility(hr)
    assert fits_the_screen(hr)

    # No phone at hand: a recovery code, once.
    hr.click("header form button[type=submit]")
    hr.goto("/hr/login/")
    hr.fill("input[name=username]", hr_user.username)
    hr.fill("input[name=password]", DEFAULT_PASSWORD)
    hr.click("main button[type=submit]")
    hr.click("a[href='/two-step/recovery-code/']")
    hr.wait_for_url(re.compile(r"/two-step/recovery-code/$"))
    check_accessibility(hr)
    hr.fill("input[name=recovery_code]", first_code)
    hr.click("#mfa-recovery-form button[type=submit]")
    hr.wait_for_url(re.compile(r"/hr/employers/\d+/employees/$"))
    assert "9" in hr.inner_text(".messages")


def virtual_authenticator(page):
    """Chromium's virtual authenticator: a platform authenticator with a fingerprint that
    always matches, keeping its passkeys for as long as the page lives."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_an_employee_activates_adds_a_passkey_and_signs_in_with_it_alone(
    new_page, live_server, settings, check_accessibility
):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url.replace("127.0.0.1", "localhost")]
    employee = EmployeeFactory(
        employer=EmployerFactory(name="Garage Smit B.V."),
        first_name="Mila",
        email="mila@example.nl",
        birth_date=datetime.date(1990, 6, 15),
    )
    invitation = invitation_grant(employee=employee)
    invitations_send_mail(invitation_ids=[invitation.pk])
    me = new_page()
    me.set_viewport_size(PHONE)
    origin = settings.OTP_WEBAUTHN_ALLOWED_ORIGINS[0]
    cdp, authenticator = virtual_authenticator(me)
    me.goto(origin + LINK.findall(mail.outbox[-1].body)[-1])
    fill_birth_date(me, employee.birth_date)
    me.wait_for_url(re.compile(r"/activate/account/$"))
    me.fill("input[name=username]", "mila.visser")
    me.fill("input[name=password1]", NEW_PASSWORD)
    me.fill("input[name=password2]", NEW_PASSWORD)
    me.click("main button[type=submit]")
    me.wait_for_url(re.compile(r"/two-step/passkey/add/$"))
    me.locator("#passkey-register-button").wait_for()
    check_accessibility(me)
    assert fits_the_screen(me)
    me.click("#passkey-register-button")
    me.wait_for_url(re.compile(r"://[^/]+/$"))
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1

    me.click("header form button[type=submit]")  # sign out
    me.goto(origin + "/login/")
    me.locator("#passkey-verification-button").wait_for()
    check_accessibility(me)
    me.click("#passkey-verification-button")
    me.wait_for_url(re.compile(r"://[^/]+/$"))
    assert "Mila" in me.inner_text("header")
    check_accessibility(me)
