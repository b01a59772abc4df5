"""What the employee import and the payroll import share: reading an uploaded file's text and its
CSV rows, and keeping the tally of the problems found in it.

A problem is located as a spreadsheet shows it, "line N, column" (the header is line 1), or by a
JSON path such as `payslips[3].lines[1].amount`.
"""

import codecs
import csv
import io
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Beyond this many problems the list stops helping; the count still tells the whole story.
MAX_REPORTED_ERRORS = 200


@dataclass(frozen=True)
class ImportProblem:
    """One problem: at a CSV line (and column), at a JSON path, or neither for the file as a
    whole."""

    message: str
    line: int | None = None
    column: str = ""
    path: str = ""

    def __str__(self) -> str:
        if self.path:
            return f"{self.path}: {self.message}"
        if self.line is None:
            return self.message
        if self.column:
            return _("line %(line)s, %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class ImportFileError(Exception):
    """The file cannot be read on from here; `problem` says why and where."""

    def __init__(self, message: str, *, line: int | None = None, column: str = "", path: str = ""):
        super().__init__(message)
        self.problem = ImportProblem(message=str(message), line=line, column=column, path=path)


@dataclass
class ImportErrors:
    """The problems of an import file: every one counted, the first MAX_REPORTED_ERRORS kept
    to show (a file with errors on every line must not fill the screen or the memory)."""

    errors: list[ImportProblem] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_problem(self, problem: ImportProblem) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(problem)

    def add_error(
        self, message: str, *, line: int | None = None, column: str = "", path: str = ""
    ) -> None:
        self.add_problem(ImportProblem(message=str(message), line=line, column=column, path=path))

    def error_lines(self) -> list[str]:
        lines = [str(error) for error in self.errors]
        if self.error_count > len(self.errors):
            more = self.error_count - len(self.errors)
            lines.append(
                ngettext("... and %(count)s more error.", "... and %(count)s more errors.", more)
                % {"count": more}
            )
        return lines


def import_file_read(file: IO, *, max_bytes: int) -> str:
    """The text of an uploaded file (binary or text stream): UTF-8, a byte order mark dropped.
    Raises ImportFileError when it is too large, not UTF-8 or empty."""
    raw = file.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ImportFileError(
            _("The file is larger than %(size)s MB; split it into smaller files.")
            % {"size": max_bytes // (1024 * 1024)}
        )
    if isinstance(raw, bytes):
        raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                _(
                    "The file is not UTF-8 encoded. Save it as UTF-8 (from a spreadsheet: "
                    '"CSV UTF-8") and try again.'
                ),
                line=raw.count(b"\n", 0, error.start) + 1,
            ) from None
    text = raw.removeprefix("\ufeff")
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    return text


def csv_table_read(
    text: str, *, max_rows: int | None = None
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (names stripped and lower case) and the rows as (line, cells).

    The delimiter is whichever of ";" and "," the header uses more. Rows without any value are
    skipped (spreadsheets leave them behind). Iterating raises ImportFileError where the CSV
    cannot be read on, or at row max_rows + 1."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except csv.Error as error:
        raise ImportFileError(_unreadable(error), line=1) from None
    return header, _csv_rows(reader, max_rows)


def _csv_rows(reader: Iterator[list[str]], max_rows: int | None) -> Iterator[tuple[int, list[str]]]:
    line = 1  # the header
    count = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The reader has stopped at a broken quote or an oversized field; it cannot
            # reliably continue.
            raise ImportFileError(_unreadable(error), line=line + 1) from None
        line += 1
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if max_rows is not None and count > max_rows:
            raise ImportFileError(
                _("The file has more than %(max)s rows; split it into smaller files.")
                % {"max": max_rows}
            )
        yield line, cells


def _unreadable(error: csv.Error) -> str:
    return _("The file cannot be read here (%(error)s).") % {"error": error}


def csv_header_check(
    header: list[str], *, known: Collection[str], required: Collection[str] = ()
) -> None:
    """Raises ImportFileError (at line 1) naming every unknown, repeated and missing column."""
    problems = []
    unknown = [name for name in header if name not in known]
    if unknown:
        problems.append(
            _("Unknown columns: %(columns)s. Known columns are: %(known)s.")
            % {
                "columns": ", ".join(f'"{name}"' for name in unknown),
                "known": ", ".join(known),
            }
        )
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        problems.append(
            _("Columns appear more than once: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    missing = [name for name in required if name not in header]
    if missing:
        problems.append(
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if problems:
        raise ImportFileError(" ".join(problems), line=1)


def csv_row_width_error(cells: list[str], header: list[str]) -> str:
    return _(
        "This row has %(cells)s fields where the header has %(columns)s; "
        "check the delimiter and the quotes."
    ) % {"cells": len(cells), "columns": len(header)}
