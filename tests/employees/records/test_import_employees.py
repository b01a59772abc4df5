import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from employees.models import Employee
from employees.records import importing
from employers.models import AuditEvent
from tests.factories import EmployeeFactory


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def row(**changes) -> dict[str, str]:
    values = {
        "employee_number": "1001",
        "initials": "J.",
        "first_name": "Jan",
        "infix": "de",
        "last_name": "Vries",
        "birth_date": "14-03-1985",
        "email": "jan.devries@example.nl",
        "job_title": "Bakker",
        "street": "Dorpsstraat 1",
        "postcode": "1234 AB",
        "city": "Zwolle",
        "start_date": "01-01-2020",
        "end_date": "",
        "language": "nl",
    }
    return {**values, **changes}


def second_row(**changes) -> dict[str, str]:
    values = {
        "employee_number": "1002",
        "initials": "Ł.",
        "first_name": "Łukasz",
        "infix": "",
        "last_name": "Wiśniewski",
        "email": "lukasz.wisniewski@example.nl",
    }
    return row(**{**values, **changes})


def write_csv(tmp_path, rows, *, delimiter=";", bom=False, name="export.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8"))
    return path


def import_file(path, employer, *options) -> str:
    out = io.StringIO()
    call_command(
        "import_employees", str(path), "--employer", str(employer.pk), *options, stdout=out
    )
    return out.getvalue()


def import_error(path, employer, *options) -> str:
    with pytest.raises(CommandError) as error:
        import_file(path, employer, *options)
    return str(error.value)


def test_it_creates_new_employees_and_updates_existing_ones_by_number(tmp_path, employer):
    existing = EmployeeFactory(employer=employer, number="1002", job_title="Leerling")
    unchanged = EmployeeFactory(employer=employer, number="1003")
    path = write_csv(
        tmp_path,
        [
            row(),
            second_row(job_title="Bakker"),
            row(
                employee_number="1003",
                initials=unchanged.initials,
                first_name=unchanged.first_name,
                infix=unchanged.infix,
                last_name=unchanged.last_name,
                birth_date=unchanged.birth_date.isoformat(),
                email=unchanged.email,
                job_title="",
                street="",
                postcode="",
                city="",
                start_date=unchanged.start_date.isoformat(),
            ),
        ],
    )

    output = import_file(path, employer)

    assert "Imported 3 employees: 1 created, 1 updated, 1 unchanged." in output
    created = Employee.objects.get(employer=employer, number="1001")
    assert created.full_name == "Jan de Vries"
    assert created.birth_date == datetime.date(1985, 3, 14)
    assert created.email == "jan.devries@example.nl"
    existing.refresh_from_db()
    assert existing.pk and existing.first_name == "Łukasz" and existing.job_title == "Bakker"
    assert Employee.objects.filter(employer=employer).count() == 3
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EMPLOYEE_CREATED).count() == 1
    changed = AuditEvent.objects.get(action=AuditEvent.Action.EMPLOYEE_CHANGED)
    assert changed.employee == existing and "job_title" in changed.detail


def test_it_finds_the_employer_by_its_exact_name(tmp_path, employer):
    path = write_csv(tmp_path, [row()])
    out = io.StringIO()
    call_command("import_employees", str(path), "--employer", "Bakkerij Jansen B.V.", stdout=out)
    assert "1 created" in out.getvalue()


def test_it_refuses_an_unknown_employer(tmp_path, db):
    path = write_csv(tmp_path, [row()])
    with pytest.raises(CommandError, match="No employer"):
        call_command("import_employees", str(path), "--employer", "Bestaat Niet B.V.")


def test_a_column_missing_from_the_file_keeps_the_current_value(tmp_path, employer):
    existing = EmployeeFactory(employer=employer, number="1001", job_title="Bakker", city="Ede")
    only_some = {
        key: value
        for key, value in row(last_name="Jansen").items()
        if key not in ("job_title", "city", "language", "email")
    }
    path = write_csv(tmp_path, [only_some])

    assert "1 updated" in import_file(path, employer)

    existing.refresh_from_db()
    assert existing.last_name == "Jansen"
    assert (existing.job_title, existing.city) == ("Bakker", "Ede")


def test_it_reads_comma_separated_files(tmp_path, employer):
    path = write_csv(tmp_path, [row(street="Kerkstraat 1, achterom"), second_row()], delimiter=",")
    assert "2 created" in import_file(path, employer)
    assert Employee.objects.get(number="1001").street == "Kerkstraat 1, achterom"


def test_it_accepts_a_utf8_byte_order_mark(tmp_path, employer):
    path = write_csv(tmp_path, [row()], bom=True)
    assert "1 created" in import_file(path, employer)


def test_it_accepts_names_in_any_script(tmp_path, employer):
    path = write_csv(
        tmp_path,
        [
            row(first_name="Øzgür", infix="", last_name="Şahin"),
            second_row(),
            row(employee_number="1003", first_name="娜", infix="", last_name="李", email=""),
            row(
                employee_number="1004", first_name="Олена", infix="", last_name="Шевченко", email=""
            ),
        ],
    )
    assert "4 created" in import_file(path, employer)
    assert Employee.objects.get(number="1004").full_name == "Олена Шевченко"


@pytest.mark.parametrize(
    "change, column",
    [
        ({"birth_date": "31-02-1990"}, "birth_date"),
        ({"birth_date": "14-03-2999"}, "birth_date"),
        ({"start_date": "gisteren"}, "start_date"),
        ({"start_date": "01-01-2020", "end_date": "31-12-2019"}, "end_date"),
        ({"last_name": "x" * 10_240}, "last_name"),
        ({"last_name": ""}, "last_name"),
        ({"first_name": "<script>"}, "first_name"),
        ({"email": "geen-email"}, "email"),
        ({"employee_number": "10 02"}, "employee_number"),
        ({"language": "fr"}, "language"),
    ],
)
def test_it_imports_nothing_when_one_row_is_invalid(tmp_path, employer, change, column):
    existing = EmployeeFactory(employer=employer, number="1001", last_name="Oud")
    path = write_csv(tmp_path, [row(), second_row(**change)])

    message = import_error(path, employer)

    assert "Nothing was imported" in message
    assert f"line 3, {column}: " in message
    assert "line 2" not in message
    existing.refresh_from_db()
    assert existing.last_name == "Oud"
    assert Employee.objects.filter(employer=employer).count() == 1


def test_it_reports_every_invalid_row_not_just_the_first(tmp_path, employer):
    path = write_csv(
        tmp_path,
        [row(birth_date="01-13-1985"), second_row(), row(employee_number="1003", email="x")],
    )
    message = import_error(path, employer)
    assert "line 2, birth_date: " in message
    assert "line 4, email: " in message
    assert "line 3" not in message


def test_it_reports_a_number_that_appears_twice_with_both_lines(tmp_path, employer):
    path = write_csv(tmp_path, [row(), second_row(), second_row(email="ander@example.nl")])
    message = import_error(path, employer)
    assert "line 4, employee_number: Employee number 1002 is also on line 3." in message
    assert not Employee.objects.exists()


def test_it_reports_an_email_that_appears_twice_with_both_lines(tmp_path, employer):
    path = write_csv(tmp_path, [row(), second_row(email="JAN.devries@example.nl ")])
    message = import_error(path, employer)
    assert "line 3, email: Email address jan.devries@example.nl is also on line 2." in message
    assert not Employee.objects.exists()


def test_it_refuses_an_email_another_employee_already_uses(tmp_path, employer):
    EmployeeFactory(employer=employer, number="9999", email="jan.devries@example.nl")
    path = write_csv(tmp_path, [row()])
    message = import_error(path, employer)
    assert "line 2, email: Another employee of this employer already uses" in message


def test_an_employee_may_keep_their_own_email(tmp_path, employer):
    EmployeeFactory(employer=employer, number="1001", email="jan.devries@example.nl")
    path = write_csv(tmp_path, [row()])
    assert "1 updated" in import_file(path, employer)


def test_the_same_email_at_another_employer_is_fine(tmp_path, employer, sister_employer):
    EmployeeFactory(employer=sister_employer, number="1001", email="jan.devries@example.nl")
    path = write_csv(tmp_path, [row()])
    assert "1 created" in import_file(path, employer)


def test_it_names_missing_and_unknown_columns(tmp_path, employer):
    values = row(geboortedatum="14-03-1985")
    del values["birth_date"], values["start_date"]
    path = write_csv(tmp_path, [values])
    message = import_error(path, employer)
    assert 'line 1: Unknown columns: "geboortedatum".' in message
    assert "Required columns are missing: birth_date, start_date." in message


def test_it_refuses_an_empty_file(tmp_path, employer):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n")
    assert "The file is empty." in import_error(path, employer)


def test_it_refuses_a_header_without_employees(tmp_path, employer):
    path = tmp_path / "header.csv"
    path.write_text(";".join(row()) + "\n;;;;;;;;;;;;;\n", encoding="utf-8")
    assert "no employees" in import_error(path, employer)


def test_it_skips_the_empty_rows_spreadsheets_leave_behind(tmp_path, employer):
    path = write_csv(tmp_path, [row(), {key: "" for key in row()}, second_row()])
    assert "2 created" in import_file(path, employer)


def test_it_refuses_a_file_that_is_not_utf8(tmp_path, employer):
    path = tmp_path / "latin1.csv"
    lines = [";".join(row()), ";".join(second_row().values())]
    path.write_bytes("\n".join(lines).encode("latin-1", errors="replace").replace(b"?", b"\xe9"))
    message = import_error(path, employer)
    assert "line 2: The file is not UTF-8 encoded" in message


def test_it_refuses_a_row_with_more_fields_than_the_header(tmp_path, employer):
    path = tmp_path / "extra.csv"
    lines = [";".join(row()), ";".join(row().values()) + ";extra"]
    path.write_text("\n".join(lines), encoding="utf-8")
    assert "line 2: This row has 15 fields where the header has 14" in import_error(path, employer)


def test_it_refuses_more_rows_than_the_limit(tmp_path, employer, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    path = write_csv(tmp_path, [row(), second_row(), row(employee_number="1003", email="")])
    assert "more than 2 rows" in import_error(path, employer)
    assert not Employee.objects.exists()


def test_it_refuses_a_file_larger_than_the_limit(tmp_path, employer, monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 100)
    path = write_csv(tmp_path, [row()])
    assert "The file is larger than" in import_error(path, employer)


def test_a_dry_run_saves_nothing_and_says_what_would_change(tmp_path, employer):
    existing = EmployeeFactory(employer=employer, number="1002", job_title="Leerling")
    path = write_csv(tmp_path, [row(), second_row()])

    output = import_file(path, employer, "--dry-run")

    assert "Dry run: 2 employees would be imported: 1 created, 1 updated" in output
    assert Employee.objects.filter(employer=employer).count() == 1
    existing.refresh_from_db()
    assert existing.job_title == "Leerling"
    assert not AuditEvent.objects.exists()


def test_a_dry_run_reports_errors_too(tmp_path, employer):
    path = write_csv(tmp_path, [row(birth_date="")])
    assert "line 2, birth_date: " in import_error(path, employer, "--dry-run")


def test_the_service_reports_the_counts_to_its_caller(employer):
    lines = [";".join(row()), ";".join(row().values()), ";".join(second_row().values())]
    stream = io.BytesIO("\r\n".join(lines).encode("utf-8"))

    result = importing.employee_import_csv(employer=employer, file=stream)

    assert result.ok and (result.created, result.updated) == (2, 0)
    assert result.summary() == "Imported 2 employees: 2 created, 0 updated, 0 unchanged."


def test_the_example_file_in_the_docs_imports_cleanly(employer):
    from pathlib import Path

    example = Path(__file__).resolve().parents[3] / "docs" / "examples" / "employees.csv"
    call_command("import_employees", str(example), employer=str(employer.pk), stdout=io.StringIO())
    assert employer.employees.count() == 4
