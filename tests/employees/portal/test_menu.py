"""The portal's menu is rendered once per process for each language, highlighted item and
leave module (employees/templatetags/portal_menu.py): each of those must still show."""

import re

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def menu(portal, name: str, **headers) -> str:
    page = portal.get(reverse(f"portal:{name}"), **headers).content.decode()
    return re.search(r'<nav class="subnav".*?</nav>', page, re.S).group(0)


def test_the_menu_marks_the_page_shown(portal):
    assert re.search(r'href="/"\s*aria-current="page"', menu(portal, "home"))
    on_payslips = menu(portal, "payslips")
    assert re.search(r'href="/payslips/"\s*aria-current="page"', on_payslips)
    assert on_payslips.count("aria-current") == 1


def test_the_menu_speaks_the_pages_language(portal):
    assert "Loonstroken" in menu(portal, "payslips", HTTP_ACCEPT_LANGUAGE="nl")
    portal.cookies["django_language"] = "en"
    english = menu(portal, "payslips")
    assert "Payslips" in english and "Loonstroken" not in english


def test_the_leave_item_follows_the_employers_leave_module(portal, employer):
    assert reverse("portal:leave") in menu(portal, "home")
    employer.leave_module = False
    employer.save()
    assert reverse("portal:leave") not in menu(portal, "home")
    employer.leave_module = True
    employer.save()
    assert reverse("portal:leave") in menu(portal, "home")
