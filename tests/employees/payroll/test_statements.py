import datetime

import pytest
from django.urls import reverse

from employees.payroll import pdf
from tests.employees.factories import AnnualStatementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def statement(employee):
    return AnnualStatementFactory(employee=employee, year=2025)


@pytest.fixture
def others(other_employee):
    return AnnualStatementFactory(employee=other_employee, year=2025)


def test_list_shows_own_published_statements(portal, employee, statement, others):
    AnnualStatementFactory(employee=employee, year=2026, publish_date=datetime.date(2027, 1, 20))
    response = portal.get(reverse("portal:statements"))
    assert list(response.context["statements"]) == [statement]
    assert response.context["nav"] == "statements"


def test_detail_shows_the_fiscal_figures(portal, statement):
    response = portal.get(
        reverse("portal:statement", args=[statement.pk]), HTTP_ACCEPT_LANGUAGE="nl"
    )
    content = response.content.decode()
    assert "€ 39.690,00" in content
    assert "123456789L01" in content
    assert "01-01-2025" in content
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", ["portal:statement", "portal:statement_pdf"])
def test_another_employees_statement_is_not_found(portal, others, name):
    assert portal.get(reverse(name, args=[others.pk])).status_code == 404


@pytest.mark.parametrize("name", ["portal:statement", "portal:statement_pdf"])
def test_an_unpublished_statement_is_not_found(portal, employee, name):
    future = AnnualStatementFactory(
        employee=employee, year=2026, publish_date=datetime.date(2027, 1, 20)
    )
    assert portal.get(reverse(name, args=[future.pk])).status_code == 404


def test_pdf_is_an_annual_statement_download(portal, statement, monkeypatch):
    monkeypatch.setattr(pdf, "PAGE_COMPRESSION", 0)
    response = portal.get(
        reverse("portal:statement_pdf", args=[statement.pk]), HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="jaaropgave-2025.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert b"39.690,00" in response.content
