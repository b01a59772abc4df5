"""The invitation mail's HTML part on a 390 px phone: no sideways scrolling, and the button and
the link below it are both visible (issue 16)."""

import pytest
from django.core import mail

from invitations.outbox import invitations_send_mail
from invitations.services import invitation_grant

pytestmark = pytest.mark.django_db


def test_the_invitation_mail_fits_a_390_px_phone(browser, employee):
    invitations_send_mail(invitation_ids=[invitation_grant(employee=employee).pk])
    html = next(body for body, kind in mail.outbox[0].alternatives if kind == "text/html")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.set_content(html)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        button = page.get_by_role("link", name="Activeer je toegang")
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
        plain = page.locator("a", has_text="/invite/")
        assert plain.bounding_box()["x"] + plain.bounding_box()["width"] <= 390
    finally:
        context.close()
