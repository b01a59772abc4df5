"""The payslip and annual statement PDFs print every name as written, whatever its script."""

from pathlib import Path

import pytest
from django.utils import translation
from reportlab.pdfbase.ttfonts import TTFont

from employees.models import PayslipLine
from employees.payroll import pdf
from tests.employees.factories import (
    AnnualStatementFactory,
    PayslipFactory,
    PayslipLineFactory,
)
from tests.employees.payroll.helpers import pdf_fonts, pdf_text, words
from tests.factories import EmployeeFactory, EmployerFactory

pytestmark = pytest.mark.django_db

FONTS = Path(pdf.__file__).resolve().parent / "fonts"

# Names from the payroll offices' own files: each holds letters Windows-1252 (and so Helvetica)
# lacks. The employer's name is printed in the heading and the footer, the employee's formal
# name and address in the address block, and payslip lines carry free text.
PEOPLE = {
    "Polish": {
        "employer": "Piekarnia Łódź Sp. z o.o.",
        "employee": {"initials": "K.", "infix": "", "last_name": "Wróbel"},
        "address": {"street": "ul. Żeromskiego 12", "postcode": "90-001", "city": "Łódź"},
        "line": "Dodatek świąteczny",
        "expected": ["Piekarnia Łódź Sp. z o.o.", "K. Wróbel", "ul. Żeromskiego 12", "Łódź"],
    },
    "Turkish": {
        "employer": "Gökhan Aydın Şoförlük Ltd. Şti.",
        "employee": {"initials": "G.", "infix": "", "last_name": "Aydın"},
        "address": {"street": "Bağdat Caddesi 5", "postcode": "34710", "city": "İstanbul"},
        "line": "Yağ ve şeker primi",
        "expected": ["Gökhan Aydın Şoförlük Ltd. Şti.", "G. Aydın", "Bağdat Caddesi 5", "İstanbul"],
    },
    "Serbian": {
        "employer": "Петровић д.о.о.",
        "employee": {"initials": "D.", "infix": "", "last_name": "Petrović"},
        "address": {"street": "Кнеза Милоша 7", "postcode": "11000", "city": "Beograd"},
        "line": "Додатак за превоз",
        "expected": ["Петровић д.о.о.", "D. Petrović", "Кнеза Милоша 7", "Beograd"],
    },
    "Vietnamese": {
        "employer": "Công ty Phở Việt B.V.",
        "employee": {"initials": "T.M.K.", "infix": "", "last_name": "Nguyễn"},
        "address": {"street": "Nguyễn Thị Minh Khai 12", "postcode": "", "city": "Hồ Chí Minh"},
        "line": "Phụ cấp Tết",
        "expected": ["Công ty Phở Việt B.V.", "T.M.K. Nguyễn", "Nguyễn Thị Minh Khai 12"],
    },
}


def _employee(person):
    employer = EmployerFactory(name=person["employer"])
    return EmployeeFactory(employer=employer, **person["employee"], **person["address"])


def _payslip_pdf(employee, line="Salaris"):
    payslip = PayslipFactory(employee=employee, period=3)
    PayslipLineFactory(payslip=payslip, description=line, kind=PayslipLine.Kind.EARNING)
    return pdf.payslip_pdf(payslip)


def _statement_pdf(employee, line=None):
    return pdf.annual_statement_pdf(AnnualStatementFactory(employee=employee))


DOCUMENTS = {"payslip": _payslip_pdf, "annual statement": _statement_pdf}


@pytest.fixture
def uncompressed(monkeypatch):
    monkeypatch.setattr(pdf, "PAGE_COMPRESSION", 0)


@pytest.mark.usefixtures("uncompressed")
@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("language", PEOPLE)
def test_names_in_any_european_or_vietnamese_script_come_out_of_the_pdf_as_written(
    document, language
):
    person = PEOPLE[language]
    with translation.override("nl"):
        text = words(pdf_text(DOCUMENTS[document](_employee(person), line=person["line"])))
    for name in person["expected"]:
        assert name in text
    if document == "payslip":
        assert person["line"] in text
    assert "\ufffd" not in text


@pytest.mark.usefixtures("uncompressed")
@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_font_in_the_pdf_is_dejavu_sans_regular_or_bold_and_embedded(document):
    person = PEOPLE["Serbian"]
    content = DOCUMENTS[document](_employee(person), line=person["line"])
    fonts = pdf_fonts(content)
    # reportlab names each subset it embeds "<six letters>+<font>"
    assert {font.base_font.partition("+")[2] for font in fonts} == {
        "DejaVuSans",
        "DejaVuSans-Bold",
    }
    assert all(font.subtype == "TrueType" and font.embedded_truetype for font in fonts)


@pytest.mark.parametrize("file_name", ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"])
def test_the_shipped_fonts_have_a_glyph_for_every_letter_of_these_names(file_name):
    face = TTFont("coverage", FONTS / file_name).face
    letters = {
        letter
        for person in PEOPLE.values()
        for text in [*person["expected"], person["line"]]
        for letter in text
    }
    assert not {letter for letter in letters if face.charToGlyph.get(ord(letter), 0) == 0}


def test_the_fonts_ship_with_their_licence():
    licence = (FONTS / "LICENSE").read_text()
    assert "Bitstream Vera Fonts Copyright" in licence
    assert "Arev Fonts Copyright" in licence


@pytest.mark.usefixtures("uncompressed")
@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_employer_name_ending_in_a_full_stop_gets_no_second_one(document, language):
    employee = EmployeeFactory(employer=EmployerFactory(name="Bakkerij Jansen B.V."))
    with translation.override(language):
        text = words(pdf_text(DOCUMENTS[document](employee)))
    # the heading and the footer
    assert text.count("Bakkerij Jansen B.V.") == 2
    assert "B.V.." not in text


@pytest.mark.usefixtures("uncompressed")
def test_the_footers_name_the_employer_in_the_middle_of_the_sentence():
    employee = EmployeeFactory(employer=EmployerFactory(name="Bakkerij Jansen B.V."))
    with translation.override("en"):
        payslip = words(pdf_text(_payslip_pdf(employee)))
        statement = words(pdf_text(_statement_pdf(employee)))
    assert "Questions about this payslip? Contact Bakkerij Jansen B.V., your employer." in payslip
    assert "Questions? Contact Bakkerij Jansen B.V., your employer." in statement


def test_a_pdf_embeds_only_the_glyphs_it_uses():
    """The two font files weigh 1.4 MB, several hundred KB even compressed; a document with every
    script above weighs a few dozen KB."""
    employee = _employee(PEOPLE["Vietnamese"])
    employee.employer.name = " ".join(person["employer"] for person in PEOPLE.values())
    lines = " ".join(person["line"] for person in PEOPLE.values())
    with translation.override("nl"):
        payslip = _payslip_pdf(employee, line=lines)
        statement = _statement_pdf(employee)
    assert len(payslip) < 100_000
    assert len(statement) < 100_000
