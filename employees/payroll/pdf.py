"""Payslip and annual statement as PDF, drawn with reportlab in DejaVu Sans (no images: a page
takes a few milliseconds). Texts follow the active language.

Names and addresses come from payroll files in any European script and in Vietnamese; reportlab's
standard fonts know Windows-1252 only and print anything else as a black square. DejaVu Sans ships
in fonts/ (the machines that build and run the portal cannot download it), and reportlab embeds
only the glyphs a document uses, so a payslip stays a few dozen kilobytes."""

import io
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from employees.formatting import format_euro, format_percentage
from employees.models import AnnualStatement, Payslip, PayslipLine
from essportal.formats import format_date

# Tests switch this off to read the text in the file.
PAGE_COMPRESSION = 1

GREY = colors.HexColor("#57606a")
LINE = colors.HexColor("#d0d7de")
HEAD = colors.HexColor("#eef1f4")

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_fonts_lock = threading.Lock()


def _register_fonts() -> None:
    """Called before a document's first paragraph, which looks its font up when it is made.

    Load the fonts at the first PDF, not at import: parsing them takes a tenth of a second that
    processes which never draw a PDF should not pay. The lock keeps a second thread from replacing
    a font another thread's document is already drawing with."""
    with _fonts_lock:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFont(TTFont(FONT_BOLD, FONTS_DIR / "DejaVuSans-Bold.ttf"))
        pdfmetrics.registerFont(TTFont(FONT, FONTS_DIR / "DejaVuSans.ttf"))
        # <b> in a paragraph picks the bold face instead of faking it.
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


_styles = getSampleStyleSheet()
TITLE = ParagraphStyle(
    "title", parent=_styles["Heading1"], fontName=FONT_BOLD, fontSize=16, spaceAfter=2 * mm
)
NORMAL = ParagraphStyle("normal", parent=_styles["Normal"], fontName=FONT, fontSize=9, leading=12)
SMALL = ParagraphStyle("small", parent=NORMAL, fontSize=8, textColor=GREY)
RIGHT = ParagraphStyle("right", parent=NORMAL, alignment=TA_RIGHT)


def _date(value) -> str:
    return format_date(value) if value else "—"


def _para(text: str, style=NORMAL) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _address_block(employee) -> Paragraph:
    lines = [employee.formal_name]
    if employee.street:
        lines += [employee.street, f"{employee.postcode}  {employee.city}".strip()]
    return _para("\n".join(lines))


def _document(*, title: str, employee, facts: list[tuple[str, str]]) -> list:
    """A document's opening: employer, title, the employee's address and the key facts."""
    _register_fonts()
    employer = employee.employer
    story: list = [
        _para(employer.name, ParagraphStyle("er", parent=NORMAL, fontSize=11)),
        Paragraph(escape(title), TITLE),
    ]
    facts_table = Table(
        [[label, value] for label, value in facts],
        colWidths=[40 * mm, 45 * mm],
        style=[
            ("FONT", (0, 0), (0, -1), FONT_BOLD, 9),
            ("FONT", (1, 0), (1, -1), FONT, 9),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
        ],
    )
    top = Table(
        [[_address_block(employee), facts_table]],
        colWidths=[90 * mm, 90 * mm],
        style=[
            # Its cells hold paragraphs, but the table still selects a cell font before drawing
            # them, Helvetica unless told otherwise.
            ("FONT", (0, 0), (-1, -1), FONT, 9),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ],
    )
    return [*story, top, Spacer(0, 6 * mm)]


def _closing(story: list, text: str) -> None:
    story += [Spacer(0, 8 * mm), _para(text, SMALL)]


def _figures_table(rows: list[list[str]], *, header: list[str] | None = None, bold_rows=()):
    data = ([header] if header else []) + rows
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style += [
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ]
    offset = 1 if header else 0
    for index in bold_rows:
        row = index + offset if index >= 0 else len(data) + index
        style.append(("FONT", (0, row), (-1, row), FONT_BOLD, 9))
    widths = [20 * mm, 100 * mm, 60 * mm] if len(data[0]) == 3 else [120 * mm, 60 * mm]
    return Table(data, colWidths=widths, style=style, repeatRows=1 if header else 0)


def _build(story, *, title: str) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        pageCompression=PAGE_COMPRESSION,
        # Otherwise every page opens by selecting Helvetica, which then sits in the file unused.
        initialFontName=FONT,
    )
    document.build(story)
    return buffer.getvalue()


def payslip_pdf(payslip: Payslip) -> bytes:
    employee = payslip.employee
    title = _("Payslip %(period)s") % {"period": payslip.period_label}
    story = _document(
        title=title,
        employee=employee,
        facts=[
            (_("Employee number"), employee.number),
            (_("Period"), f"{_date(payslip.period_start)} – {_date(payslip.period_end)}"),
            (_("Pay date"), _date(payslip.pay_date)),
            (_("Job title"), employee.job_title or "—"),
            (_("Birth date"), _date(employee.birth_date)),
        ],
    )
    lines = list(payslip.lines.all())
    sections = [
        (PayslipLine.Kind.EARNING, _("Earnings")),
        (PayslipLine.Kind.DEDUCTION, _("Deductions")),
    ]
    for kind, heading in sections:
        rows = [
            [ln.code, ln.description, format_euro(ln.amount)] for ln in lines if ln.kind == kind
        ]
        if rows:
            story.append(_figures_table(rows, header=[_("Code"), heading, _("Amount")]))
            story.append(Spacer(0, 4 * mm))
    story.append(
        _figures_table(
            [
                [_("Gross wage"), format_euro(payslip.gross_wage)],
                [_("Net pay"), format_euro(payslip.net_pay)],
            ],
            bold_rows=(-1,),
        )
    )
    story.append(Spacer(0, 6 * mm))
    fiscal = [
        [_("Fiscal wage this period"), format_euro(payslip.fiscal_wage)],
        [_("Wage tax withheld"), format_euro(payslip.wage_tax)],
        [_("Tax table"), payslip.get_tax_table_display() or "—"],
        [_("Tax credit applied"), _("yes") if payslip.tax_credit_applied else _("no")],
    ]
    if payslip.special_rate_percentage is not None:
        fiscal.append([_("Special rate"), format_percentage(payslip.special_rate_percentage)])
    cumulative = [
        (_("Cumulative gross wage"), payslip.cumulative_gross_wage),
        (_("Cumulative fiscal wage"), payslip.cumulative_fiscal_wage),
        (_("Cumulative wage tax"), payslip.cumulative_wage_tax),
    ]
    fiscal += [[label, format_euro(value)] for label, value in cumulative if value is not None]
    story.append(_figures_table(fiscal, header=[_("Fiscal figures"), ""]))
    other = [
        [ln.code, ln.description, format_euro(ln.amount)]
        for ln in lines
        if ln.kind in (PayslipLine.Kind.EMPLOYER, PayslipLine.Kind.INFO)
    ]
    if other:
        story.append(Spacer(0, 4 * mm))
        story.append(_figures_table(other, header=[_("Code"), _("For your information"), ""]))
    _closing(
        story,
        # The name sits mid-sentence: many end in a full stop ("B.V.") and would get a second.
        _("Questions about this payslip? Contact %(employer)s, your employer.")
        % {"employer": employee.employer.name},
    )
    return _build(story, title=title)


def annual_statement_pdf(statement: AnnualStatement) -> bytes:
    employee = statement.employee
    title = _("Annual statement %(year)s") % {"year": statement.year}
    story = _document(
        title=title,
        employee=employee,
        facts=[
            (_("Employee number"), employee.number),
            (_("Birth date"), _date(employee.birth_date)),
            (_("Payroll tax number"), statement.employer_tax_number),
        ],
    )
    if statement.tax_credit_applied:
        credit = _("yes, from %(start)s until %(end)s") % {
            "start": _date(statement.tax_credit_from),
            "end": _date(statement.tax_credit_until),
        }
    else:
        credit = _("no")
    rows = [
        [_("Fiscal wage (wage for wage tax)"), format_euro(statement.fiscal_wage)],
        [_("Wage tax withheld"), format_euro(statement.wage_tax_withheld)],
        [_("Tax credit applied"), credit],
        [_("Wage for employee insurances"), format_euro(statement.insured_wage)],
        [_("Wage for the Zvw contribution"), format_euro(statement.zvw_wage)],
        [_("Zvw contribution"), format_euro(statement.zvw_contribution)],
    ]
    story.append(
        _figures_table(rows, header=[_("Figures for %(year)s") % {"year": statement.year}, ""])
    )
    _closing(
        story,
        _(
            "Keep this statement: you need it for your income tax return. "
            "Questions? Contact %(employer)s, your employer."
        )
        % {"employer": employee.employer.name},
    )
    return _build(story, title=title)
