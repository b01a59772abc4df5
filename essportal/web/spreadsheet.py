"""CSV downloads that a spreadsheet opens as data, never as formulas.

Every CSV the site offers is written here. A cell that starts with `=`, `+`, `-` or `@` is a
formula to Excel, LibreOffice and Google Sheets, and a formula can run commands or send the sheet's
data to another site; a leading tab, carriage return or line feed (or spaces) is skipped by some
of them before they look. Such a cell gets a single quote in front, which makes it text (the
OWASP advice on CSV injection). Names, email addresses and numbers come from HR, imports and
employees, so any of them may be hostile.
"""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

# The full-width signs too: some spreadsheets read them as the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def spreadsheet_cell(value) -> str:
    """The value as a cell's text; one that would start a formula is prefixed with a quote."""
    text = "" if value is None else str(value)
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file that hands back what is written, so that each row is streamed as it is made."""

    def write(self, value: str) -> str:
        return value


def spreadsheet_response(rows: Iterable[Iterable], *, filename: str) -> StreamingHttpResponse:
    """A CSV download of `rows` (the first one the header), streamed: `;` between cells as Dutch
    spreadsheets expect, every cell quoted and made safe by spreadsheet_cell."""
    writer = csv.writer(_Echo(), delimiter=";", quoting=csv.QUOTE_ALL)
    lines = (writer.writerow([spreadsheet_cell(value) for value in row]) for row in rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
