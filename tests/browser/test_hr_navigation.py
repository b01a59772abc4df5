"""The HR menu in a real browser (issue 16): one line at 1280 px, the collective actions behind
one entry that opens without script (mouse or keyboard), and no sideways scrolling at 390 px."""

import re

import pytest

from employers.models import StaffMembership
from tests.employees.factories import LeaveRequestFactory
from tests.factories import DEFAULT_PASSWORD, EmployeeFactory, EmployerFactory, MembershipFactory
from tests.mfa_helpers import fresh_code, totp_device

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The height of the menu's content (its padding left out) against the height of one line.
MENU_LINES = """() => {
  const nav = document.querySelector('#hr-menu');
  const style = getComputedStyle(nav);
  const content = nav.getBoundingClientRect().height
    - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  const line = parseFloat(getComputedStyle(nav.querySelector('a')).lineHeight);
  return content / line;
}"""


@pytest.fixture
def world(db):
    """A manager of two employers (so the menu has every entry, "switch employer" too), one
    with a long name and leave awaiting a decision (the badge)."""
    employer = EmployerFactory(name="Bouw- en Installatiebedrijf Van der Heijden-Vermeulen B.V.")
    sister = EmployerFactory(provider=employer.provider, name="Garage Smit B.V.")
    hr = MembershipFactory(employer=employer, role=StaffMembership.Role.MANAGER).user
    MembershipFactory(user=hr, employer=sister, role=StaffMembership.Role.MANAGER)
    for _ in range(3):
        LeaveRequestFactory(employee=EmployeeFactory(employer=employer))
    return {"hr": hr, "employer": employer}


def sign_in(page, hr):
    device = totp_device(hr)
    page.goto("/hr/login/")
    page.fill("input[name=username]", hr.username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/two-step/code/$"))
    page.fill("input[name=code]", fresh_code(device))
    page.click("#mfa-code-form button[type=submit]")
    page.wait_for_url(re.compile(r"/hr/$"))


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_at_1280_px_the_hr_menu_is_one_line(new_page, world, language, check_accessibility):
    page = new_page(language)
    page.set_viewport_size(DESKTOP)
    sign_in(page, world["hr"])
    page.goto(f"/hr/employers/{world['employer'].pk}/employees/")
    assert page.locator("#menu-leave [data-waiting='3']").is_visible()
    assert page.locator("#menu-switch").is_visible()
    assert page.evaluate(MENU_LINES) < 2
    check_accessibility(page)


def test_the_collective_actions_open_with_the_keyboard_without_script(new_page, world):
    page = new_page("en")
    page.set_viewport_size(DESKTOP)
    sign_in(page, world["hr"])
    page.goto(f"/hr/employers/{world['employer'].pk}/employees/")
    links = page.locator("#menu-collective ul a")
    assert not links.first.is_visible()
    page.focus("#menu-collective summary")
    page.keyboard.press("Enter")
    assert links.count() == 3 and all(links.nth(i).is_visible() for i in range(3))
    # Opened, the list lies over the page: the menu is still one line.
    assert page.evaluate(MENU_LINES) < 2
    links.first.click()
    page.wait_for_url(re.compile(r"/collective/ess/grant/$"))


def test_at_390_px_no_hr_page_scrolls_sideways(new_page, world, check_accessibility):
    page = new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, world["hr"])
    assert fits_the_screen(page), "home"
    check_accessibility(page)
    employer_id = world["employer"].pk
    for path in [f"/hr/employers/{employer_id}/employees/", f"/hr/employers/{employer_id}/leave/"]:
        page.goto(path)
        assert fits_the_screen(page), path
        page.click("#menu-collective summary")
        assert page.locator("#menu-collective ul a").first.is_visible()
        assert fits_the_screen(page), (path, "menu open")
    check_accessibility(page)
    page.goto("/hr/notifications/")
    assert fits_the_screen(page)
    check_accessibility(page)
