"""HR's email-text editor in a real browser (issue 16): the preview beside the editor shows the
mail as sent (its inline styles allowed in the preview's own response, no CSP error anywhere),
follows what HR types, and placeholders go in at the cursor by click."""

import re

import pytest
from django.urls import reverse

from employers.models import StaffMembership
from tests.browser.test_journeys import hr_sign_in
from tests.factories import EmployerFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

PREVIEW = ".mail-preview:not([hidden])"


@pytest.fixture
def hr():
    employer = EmployerFactory(name="Bakkerij Jansen B.V.", leave_module=True)
    user = MembershipFactory(employer=employer, role=StaffMembership.Role.MANAGER).user
    return {"employer": employer, "user": user}


def open_editor(new_page, hr, *, width=1280, language="nl"):
    page = new_page(language)
    page.set_viewport_size({"width": width, "height": 900})
    problems = []

    def console(message):
        # The browser asks for a /favicon.ico of its own accord; the portal has none.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    hr_sign_in(page, hr["user"])
    url = reverse("hr:email_text_edit", args=["employer", hr["employer"].pk, "invitation", "nl"])
    page.goto(url)
    preview = page.frame_locator(PREVIEW)
    preview.locator("body").wait_for()
    return page, preview, problems


def test_the_preview_follows_what_hr_types_without_csp_errors(new_page, hr, check_accessibility):
    page, preview, problems = open_editor(new_page, hr)
    # The mail as sent: its button, in its own inline style (the CSP of the frame allows it).
    button = preview.get_by_role("link", name="Activeer je toegang")
    assert button.evaluate("a => getComputedStyle(a).color") == "rgb(255, 255, 255)"
    check_accessibility(page)
    history = page.evaluate("history.length")

    body = page.locator("#id_body")
    body.press("Control+End")
    body.press_sequentially("\n\nTot morgen bij de bakker!")
    page.frame_locator(PREVIEW).get_by_text("Tot morgen bij de bakker!").wait_for()
    subject = page.locator("#id_subject")
    subject.fill("Welkom, ")
    page.locator("button[data-placeholder='{first_name}']").click()
    assert subject.input_value() == "Welkom, {first_name}"
    page.frame_locator(PREVIEW).get_by_text("Welkom, Anna").wait_for()
    # One frame shown, one history entry: typing did not fill the Back button.
    assert page.locator(".mail-preview").count() == 1
    assert page.evaluate("history.length") == history
    check_accessibility(page)
    page.click("main p.muted a")  # back to the list: one row per mail, a link per language
    page.wait_for_selector("#email-texts")
    check_accessibility(page)
    assert problems == []


def test_the_preview_is_beside_the_editor_on_a_wide_screen_and_below_it_on_a_phone(new_page, hr):
    page, _preview, problems = open_editor(new_page, hr)
    form = page.locator("#email-text-form").bounding_box()
    frame = page.locator(PREVIEW).bounding_box()
    assert frame["x"] >= form["x"] + form["width"]
    assert frame["y"] < 900  # above the fold

    phone, _preview, phone_problems = open_editor(new_page, hr, width=390)
    form = phone.locator("#email-text-form").bounding_box()
    frame = phone.locator(PREVIEW).bounding_box()
    assert frame["y"] >= form["y"] + form["height"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert problems == [] and phone_problems == []


def test_without_script_the_preview_button_shows_the_draft(browser, live_server, hr):
    context = browser.new_context(base_url=live_server.url, locale="nl", java_script_enabled=False)
    try:
        page = context.new_page()
        # Sign in with script (the sign-in pages need none, but the helper waits on them),
        # then open the editor in a context without it.
        with_script = browser.new_context(base_url=live_server.url, locale="nl")
        signer = with_script.new_page()
        hr_sign_in(signer, hr["user"])
        context.add_cookies(with_script.cookies())
        with_script.close()
        url = reverse(
            "hr:email_text_edit", args=["employer", hr["employer"].pk, "invitation", "nl"]
        )
        page.goto(url)
        page.fill("#id_subject", "Zonder script")
        page.click("#show-preview")
        page.frame_locator("#mail-preview").get_by_text("Zonder script").wait_for()
        assert re.search(r"/invitation/nl/$", page.url)
    finally:
        context.close()
