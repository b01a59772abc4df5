"""The employee portal on a 390 px phone and a 1280 px desktop: no page scrolls sideways, every
amount on the payslip, statement and leave pages sits in a card beside its label on a phone, and
axe finds nothing on any page in either language."""

import datetime

import pytest
from django.utils import timezone

from tests.employees.factories import (
    AnnualStatementFactory,
    LeaveBalanceFactory,
    LeaveRequestFactory,
    LeaveTypeFactory,
    PayslipFactory,
    PayslipLineFactory,
)
from tests.factories import DEFAULT_PASSWORD, EmployeeFactory, EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PAGES = ["/", "/payslips/", "/statements/", "/leave/", "/leave/request/", "/details/", "/account/"]

# Every amount cell of a card table on this page: its label as the phone shows it (the ::before
# content), and whether it is visible.
LABELS = """() => [...document.querySelectorAll('table.cards td.num')].map(td => ({
  label: getComputedStyle(td, '::before').content,
  text: td.textContent.trim(),
}))"""


@pytest.fixture
def employee():
    employer = EmployerFactory(leave_module=True)
    employee = EmployeeFactory(employer=employer, user=UserFactory(username="mila.visser"))
    year = timezone.localdate().year
    for period in (1, 2):
        payslip = PayslipFactory(
            employee=employee, year=year, period=period, publish_date=datetime.date(year, 1, 1)
        )
        PayslipLineFactory(payslip=payslip)
    AnnualStatementFactory(employee=employee, year=year - 1)
    vacation = LeaveTypeFactory(employer=employer, name="Vakantie")
    extra = LeaveTypeFactory(employer=employer, name="Bovenwettelijk verlof")
    LeaveBalanceFactory(employee=employee, leave_type=vacation, year=year)
    LeaveBalanceFactory(employee=employee, leave_type=extra, year=year)
    LeaveRequestFactory(employee=employee, leave_type=vacation)
    return employee


def sign_in(page):
    page.goto("/login/")
    page.fill("input[name=username]", "mila.visser")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_portal_page_fits_the_screen_and_passes_axe_in_both_languages(
    browser, live_server, employee, check_accessibility, viewport, language
):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=language)
    try:
        page = context.new_page()
        page.goto("/")  # the welcome page, before signing in
        check_accessibility(page)
        sign_in(page)
        payslip = employee.payslips.first()
        statement = employee.annual_statements.first()
        for path in [*PAGES, f"/payslips/{payslip.pk}/", f"/statements/{statement.pk}/"]:
            page.goto(path)
            assert page.evaluate("document.documentElement.lang") == language, path
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (path, width)
            check_accessibility(page)
    finally:
        context.close()


def test_no_portal_page_scrolls_sideways_and_every_amount_has_its_label(
    browser, live_server, employee
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="nl")
    try:
        page = context.new_page()
        sign_in(page)
        payslip = employee.payslips.first()
        for path in [*PAGES, f"/payslips/{payslip.pk}/"]:
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (path, width)
            for cell in page.evaluate(LABELS):
                assert cell["label"] not in ("none", "normal", '""'), (path, cell)
        page.goto("/payslips/")
        labels = {cell["label"].strip('"') for cell in page.evaluate(LABELS)}
        assert {"Brutoloon", "Nettoloon"} <= labels, labels
    finally:
        context.close()


def test_on_a_desktop_the_tables_keep_their_column_headers(browser, live_server, employee):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        sign_in(page)
        page.goto("/payslips/")
        assert page.locator("table.cards thead").is_visible()
        assert all(cell["label"] in ("none", "normal") for cell in page.evaluate(LABELS))
    finally:
        context.close()
