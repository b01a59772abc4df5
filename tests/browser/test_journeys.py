"""The product as its users meet it: HR and an employee in a real browser (Chromium)."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from employers.models import StaffMembership
from invitations.models import Invitation
from tests.browser.conftest import axe_violations
from tests.employees.factories import LeaveBalanceFactory, LeaveTypeFactory, PayslipFactory
from tests.factories import (
    DEFAULT_PASSWORD,
    EmployeeFactory,
    EmployerFactory,
    MembershipFactory,
)
from tests.mfa_helpers import fresh_code, totp_device

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"https://portal\.example\.test(/invite/[A-Za-z0-9_-]+/)")
NEW_PASSWORD = "zeven zonnige zeilboten"


@pytest.fixture
def world():
    employer = EmployerFactory(name="Bakkerij Jansen B.V.", leave_module=True)
    hr = MembershipFactory(employer=employer, role=StaffMembership.Role.MANAGER).user
    employee = EmployeeFactory(
        employer=employer,
        first_name="Mila",
        infix="",
        last_name="Visser",
        email="",
        birth_date=datetime.date(1990, 6, 15),
    )
    today = timezone.localdate()
    PayslipFactory(
        employee=employee,
        year=today.year,
        period=1,
        publish_date=datetime.date(today.year, 1, 1),
    )
    leave_type = LeaveTypeFactory(employer=employer, name="Vakantie")
    LeaveBalanceFactory(employee=employee, leave_type=leave_type, year=today.year)
    return {"employer": employer, "hr": hr, "employee": employee}


def hr_sign_in(page, hr):
    """Password, then the code from HR's authenticator app (two-step sign-in is required)."""
    device = totp_device(hr)
    page.goto("/hr/login/")
    page.fill("input[name=username]", hr.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/two-step/code/$"))
    page.fill("input[name=code]", fresh_code(device))
    page.click("#mfa-code-form button[type=submit]")
    page.wait_for_url(re.compile(r"/hr/employers/\d+/employees/"))


def invitation_path() -> str:
    return LINK.findall(mail.outbox[-1].body)[-1]


def fill_birth_date(page, date: datetime.date):
    page.fill("input[name=day]", str(date.day))
    page.fill("input[name=month]", str(date.month))
    page.fill("input[name=year]", str(date.year))
    page.click("main button[type=submit]")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_from_invitation_to_approved_leave(new_page, world, check_accessibility, language):
    """Journey 1, with axe-core on every page, in Dutch and in English."""
    employee = world["employee"]
    employee.language = language
    employee.save()
    hr = new_page(language)
    hr_sign_in(hr, world["hr"])
    check_accessibility(hr)
    hr.click(f"text={employee.last_name}")
    check_accessibility(hr)
    # R4: no email yet, so no grant button; HR registers one.
    assert hr.locator("form[action$='/invitation/grant/']").count() == 0
    hr.click(f"a[href$='/employees/{employee.pk}/edit/']")
    check_accessibility(hr)
    hr.fill("input[name=email]", "Mila.Visser@Example.nl")
    hr.click("main button[type=submit]")
    hr.click("form[action$='/invitation/grant/'] button")
    hr.wait_for_selector(".badge-invited")
    assert len(mail.outbox) == 1

    me = new_page(language)
    me.goto(invitation_path())
    assert me.url.endswith("/activate/")  # the token left the address bar
    check_accessibility(me)
    fill_birth_date(me, datetime.date(1990, 6, 16))
    assert me.locator("#wrong-date").is_visible()
    check_accessibility(me)
    fill_birth_date(me, employee.birth_date)
    me.wait_for_url(re.compile(r"/activate/account/$"))
    check_accessibility(me)
    me.fill("input[name=username]", "mila.visser")
    me.fill("input[name=password1]", NEW_PASSWORD)
    me.fill("input[name=password2]", NEW_PASSWORD)
    me.click("main button[type=submit]")
    me.wait_for_url(PASSKEY_OFFER)  # optional: a passkey; the journey goes on without one
    check_accessibility(me)
    me.click("#passkey-not-now")
    me.wait_for_url(HOME)
    assert "Mila" in me.inner_text("main")
    check_accessibility(me)

    me.click("nav a[href='/payslips/']")
    check_accessibility(me)
    me.click("main table a >> nth=0")
    check_accessibility(me)
    with me.expect_download() as download:
        me.click("a.button[href$='/pdf/']")
    assert download.value.suggested_filename.endswith(".pdf")

    me.click("nav a[href='/leave/']")
    check_accessibility(me)
    me.click("a[href='/leave/request/']")
    check_accessibility(me)
    start = timezone.localdate() + datetime.timedelta(days=30)
    me.select_option("select[name=leave_type]", label="Vakantie")
    # Native date inputs take ISO dates from Playwright, whatever the browser shows.
    for name in ("start_date", "end_date"):
        me.fill(f"input[name={name}_day]", str(start.day))
        me.fill(f"input[name={name}_month]", str(start.month))
        me.fill(f"input[name={name}_year]", str(start.year))
    # Proposed from the working days: 8 hours for a weekday, nothing for a weekend day.
    expected = "8" if start.weekday() < 5 else ""
    assert me.input_value("input[name=hours]") == expected
    me.fill("input[name=hours]", "8")
    me.click("main button[type=submit]")
    me.wait_for_url(re.compile(r"/leave/$"))

    hr.goto(f"/hr/employers/{world['employer'].pk}/leave/")
    check_accessibility(hr)
    hr.click("form.decision-form button.button:not(.secondary)")
    hr.wait_for_load_state()
    me.reload()
    assert me.locator(".badge-approved").count() >= 1


def tab_to(page, selector: str, limit: int = 80):
    """Press Tab until the element matching `selector` has the focus, as a keyboard user
    would; fail if it cannot be reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} cannot be reached with the Tab key on {page.url}")


def type_into(page, selector: str, text: str):
    tab_to(page, selector)
    page.keyboard.type(text)


HOME = re.compile(r"://[^/]+/$")
PASSKEY_OFFER = re.compile(r"/two-step/passkey/add/$")


def test_the_whole_journey_works_by_keyboard_alone(new_page, world):
    employee = world["employee"]
    hr = new_page()
    app = totp_device(world["hr"])
    hr.goto("/hr/login/")
    type_into(hr, "input[name=username]", world["hr"].username)
    type_into(hr, "input[name=password]", DEFAULT_PASSWORD)
    hr.keyboard.press("Enter")
    hr.wait_for_url(re.compile(r"/two-step/code/$"))
    type_into(hr, "input[name=code]", fresh_code(app))
    hr.keyboard.press("Enter")
    hr.wait_for_url(re.compile(r"/employees/$"))
    tab_to(hr, f"a[href='/hr/employees/{employee.pk}/']")
    hr.keyboard.press("Enter")
    hr.wait_for_url(re.compile(rf"/hr/employees/{employee.pk}/$"))
    tab_to(hr, f"a[href$='/employees/{employee.pk}/edit/']")
    hr.keyboard.press("Enter")
    hr.wait_for_url(re.compile(r"/edit/$"))
    type_into(hr, "input[name=email]", "mila@example.nl")
    hr.keyboard.press("Enter")
    hr.wait_for_url(re.compile(rf"/hr/employees/{employee.pk}/$"))
    tab_to(hr, "form[action$='/invitation/grant/'] button")
    hr.keyboard.press("Enter")
    hr.wait_for_selector(".badge-invited")

    me = new_page()
    me.goto(invitation_path())
    for name, part in (("day", "15"), ("month", "6"), ("year", "1990")):
        type_into(me, f"input[name={name}]", part)
    me.keyboard.press("Enter")
    me.wait_for_url(re.compile(r"/activate/account/$"))
    type_into(me, "input[name=username]", "mila.visser")
    type_into(me, "input[name=password1]", NEW_PASSWORD)
    type_into(me, "input[name=password2]", NEW_PASSWORD)
    me.keyboard.press("Enter")
    me.wait_for_url(PASSKEY_OFFER)
    tab_to(me, "#passkey-not-now")
    me.keyboard.press("Enter")
    me.wait_for_url(HOME)
    tab_to(me, "nav a[href='/payslips/']")
    me.keyboard.press("Enter")
    me.wait_for_url(re.compile(r"/payslips/$"))
    tab_to(me, "main table a[href$='/pdf/']")
    with me.expect_download() as download:
        me.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".pdf")
    tab_to(me, "nav a[href='/leave/']")
    me.keyboard.press("Enter")
    me.wait_for_url(re.compile(r"/leave/$"))
    tab_to(me, "a[href='/leave/request/']")
    me.keyboard.press("Enter")
    me.wait_for_url(re.compile(r"/leave/request/$"))
    start = timezone.localdate() + datetime.timedelta(days=40)
    tab_to(me, "select[name=leave_type]")
    me.keyboard.press("ArrowDown")  # the first (only) leave type
    for name in ("start_date", "end_date"):
        # The portal's one date pattern: day, month and year in three fields.
        for part, value in (("day", start.day), ("month", start.month), ("year", start.year)):
            type_into(me, f"input[name={name}_{part}]", str(value))
    # The hours are proposed from the working days (none for a weekend day).
    proposed = me.input_value("input[name=hours]")
    assert proposed == ("8" if start.weekday() < 5 else "")
    if not proposed:
        type_into(me, "input[name=hours]", "8")
    tab_to(me, "main button[type=submit]")
    me.keyboard.press("Enter")
    me.wait_for_url(re.compile(r"/leave/$"))
    assert me.locator(".badge-requested").count() >= 1


@pytest.mark.parametrize(
    "change, heading",
    [
        ("revoked", "ingetrokken"),
        ("superseded", "vervangen"),
        ("expired", "verlopen"),
        ("locked", "vergrendeld"),
    ],
)
def test_a_dead_link_says_why(page, world, change, heading, django_capture_on_commit_callbacks):
    from invitations.services import invitation_grant

    employee = world["employee"]
    employee.email = "mila@example.nl"
    employee.save()
    invitation = invitation_grant(employee=employee)
    from invitations.outbox import invitations_send_mail

    invitations_send_mail(invitation_ids=[invitation.pk])
    if change == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    else:
        Invitation.objects.filter(pk=invitation.pk).update(status=change)
    page.goto(invitation_path())
    assert heading in page.inner_text("h1").lower()
    assert "Mila" not in page.inner_text("body")
    assert not axe_violations(page)


def test_a_collective_grant_shows_progress_until_done(new_page, world, settings):
    settings.COLLECTIVE_CHUNK_SIZE = 5
    employer = world["employer"]
    for i in range(24):
        EmployeeFactory(employer=employer, last_name=f"Collega{i}")
    hr = new_page()
    hr_sign_in(hr, world["hr"])
    hr.goto(f"/hr/employers/{employer.pk}/collective/ess/grant/")
    assert not axe_violations(hr)
    hr.click("main form button[type=submit]")
    hr.wait_for_selector("progress[value='100']")
    assert "24" in hr.inner_text("#batch-invited")
    assert len(mail.outbox) == 24
    assert not axe_violations(hr)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_public_pages_have_no_serious_accessibility_problems(new_page, language, db):
    page = new_page(language)
    problems = {}
    for path in ["/login/", "/forgot-password/", "/forgot-username/", "/hr/login/", "/invite/x/"]:
        page.goto(path)
        if language == "en" and page.locator("button[value=en]").count():
            page.click("button[value=en]")
        found = axe_violations(page)
        if found:
            problems[path] = found
    assert not problems, problems
