import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import translation

from employees.models import AnnualStatement, LeaveBalance, LeaveType, Payslip, PayslipLine
from employees.payroll.importing.services import payroll_import
from tests.employees.factories import UserFactory
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
TODAY = datetime.date(2026, 4, 10)


@pytest.fixture
def staff(employer):
    """The demo employee numbers the example files use."""
    return [EmployeeFactory(employer=employer, number=number) for number in ("1001", "1002")]


def run(employer, content, **kwargs):
    data = content if isinstance(content, bytes) else content.encode()
    return payroll_import(employer=employer, file=io.BytesIO(data), today=TODAY, **kwargs)


def payslip(**changes):
    data = {
        "employee_number": "1001",
        "year": 2026,
        "period": 3,
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "pay_date": "2026-03-25",
        "gross_wage": "3400.00",
        "net_pay": "2650.66",
        "lines": [
            {"code": "1000", "description": "Salaris", "kind": "earning", "amount": "3400.00"},
            {"description": "Loonheffing", "kind": "deduction", "amount": 606.84},
        ],
    }
    return {**data, **changes}


def test_the_json_example_imports(employer, staff):
    result = run(employer, (EXAMPLES / "payroll.json").read_bytes())
    assert result.ok, result.error_lines()
    assert Payslip.objects.count() == 2
    assert PayslipLine.objects.count() == 10
    assert AnnualStatement.objects.get().employer_tax_number == "810000000L01"
    assert LeaveType.objects.filter(employer=employer).count() == 2
    assert LeaveBalance.objects.count() == 2
    first = Payslip.objects.get(employee__number="1001")
    assert first.special_rate_percentage == Decimal("37.48")
    assert [line.description for line in first.lines.all()][:2] == ["Salaris", "Loonheffing"]


def test_the_csv_example_imports(employer, staff):
    result = run(employer, (EXAMPLES / "payslips.csv").read_bytes())
    assert result.ok, result.error_lines()
    assert result.created["payslips"] == 2
    assert PayslipLine.objects.filter(payslip__employee__number="1001").count() == 4
    assert Payslip.objects.get(employee__number="1002").net_pay == Decimal("2346.07")


def test_reimporting_updates_and_replaces_lines(employer, staff):
    run(employer, json.dumps({"payslips": [payslip()]}))
    changed = payslip(net_pay="2700.00", lines=[payslip()["lines"][0]])
    result = run(employer, json.dumps({"payslips": [changed]}))
    assert result.created["payslips"] == 0 and result.updated["payslips"] == 1
    only = Payslip.objects.get()
    assert only.net_pay == Decimal("2700.00")
    assert only.lines.count() == 1


def test_reimporting_the_examples_changes_nothing(employer, staff):
    run(employer, (EXAMPLES / "payroll.json").read_bytes())
    result = run(employer, (EXAMPLES / "payroll.json").read_bytes())
    assert result.ok
    assert sum(result.created.values()) == 0
    assert (Payslip.objects.count(), PayslipLine.objects.count()) == (2, 10)


def test_errors_are_reported_with_json_paths_and_nothing_is_saved(employer, staff):
    bad_line = payslip(lines=[{"description": "Salaris", "kind": "earning", "amount": "12,34.5"}])
    content = json.dumps(
        {
            "payslips": [payslip(), payslip(employee_number="9999", period=4), bad_line],
            "annual_statements": [{"employee_number": "1001", "year": "twenty"}],
        }
    )
    result = run(employer, content)
    assert not result.ok
    lines = result.error_lines()
    assert any(line.startswith("payslips[1].employee_number:") for line in lines)
    assert any(line.startswith("payslips[2].lines[0].amount:") for line in lines)
    assert any(line.startswith("annual_statements[0].year:") for line in lines)
    assert any(line.startswith("annual_statements[0].fiscal_wage:") for line in lines)
    assert not Payslip.objects.exists()


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"period": 13}, "payslips[0].period"),
        ({"period_kind": "weekly"}, "payslips[0].period_kind"),
        ({"period_end": "2026-02-01"}, "payslips[0].period_end"),
        ({"pay_date": "31-31-2026"}, "payslips[0].pay_date"),
        ({"gross_wage": True}, "payslips[0].gross_wage"),
        ({"gross_wage": "1.005"}, "payslips[0].gross_wage"),
        ({"tax_table": "blue"}, "payslips[0].tax_table"),
        ({"bonus": "1"}, "payslips[0].bonus"),
        ({"lines": {"x": 1}}, "payslips[0].lines"),
    ],
)
def test_each_bad_value_is_named(employer, staff, changes, where):
    result = run(employer, json.dumps({"payslips": [payslip(**changes)]}))
    assert [str(e).split(":")[0] for e in result.errors] == [where]


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"tax_table": []}, "payslips[0].tax_table"),
        ({"wage_tax": {}}, "payslips[0].wage_tax"),
        ({"employee_number": True}, "payslips[0].employee_number"),
        ({"pay_date": 20260325}, "payslips[0].pay_date"),
        ({"tax_credit_applied": "misschien"}, "payslips[0].tax_credit_applied"),
    ],
)
def test_a_json_value_of_the_wrong_type_is_named(employer, staff, changes, where):
    result = run(employer, json.dumps({"payslips": [payslip(**changes)]}))
    assert [str(e).split(":")[0] for e in result.errors] == [where]


@translation.override("en")
def test_a_record_reports_all_its_problems_at_once(employer, staff):
    wrong = payslip(employee_number="9999", period_end="2026-02-01", lines=[{"kind": "earning"}])
    result = run(employer, json.dumps({"payslips": [wrong]}))
    assert [str(e).split(":")[0] for e in result.errors] == [
        "payslips[0].period_end",
        "payslips[0].employee_number",
        "payslips[0].lines[0].description",
        "payslips[0].lines[0].amount",
    ]


def test_dates_are_read_in_the_portals_input_formats(employer, staff):
    content = payslip(period_start="01-03-2026", period_end="31/03/2026", pay_date="2026-03-25")
    assert run(employer, json.dumps({"payslips": [content]})).ok
    assert Payslip.objects.get().period_end == datetime.date(2026, 3, 31)


def test_defaults_fill_what_a_record_leaves_out(employer, staff):
    assert run(employer, json.dumps({"payslips": [payslip(wage_tax=" ")]})).ok
    only = Payslip.objects.get()
    assert only.period_kind == Payslip.PeriodKind.MONTHLY
    assert (only.wage_tax, only.tax_credit_applied, only.tax_table) == (Decimal("0"), True, "")
    assert only.publish_date == only.pay_date


@translation.override("en")
def test_a_file_that_is_not_utf8_is_refused_at_its_line(employer, staff):
    content = "employee_number;year;leave_type_code;entitlement_hours\n1001;2026;Z\xe9;8\n"
    result = run(employer, content.encode("latin-1"))
    assert result.error_lines()[0].startswith("line 2: The file is not UTF-8 encoded.")


def test_a_payslip_twice_in_one_file_is_refused(employer, staff):
    result = run(employer, json.dumps({"payslips": [payslip(), payslip()]}))
    assert (
        result.error_lines() == ["payslips[1]: " + result.errors[0].message]
        and "payslips[0]" in result.errors[0].message
    )


@translation.override("en")
def test_csv_errors_name_line_and_column(employer, staff):
    content = (EXAMPLES / "payslips.csv").read_text().splitlines()
    content[3] = content[3].replace(";142,50", ";abc")  # line 4's amount
    content[6] = content[6].replace("2850,00;2346,07", "2850,00;2000,00")  # differs from line 6
    result = run(employer, "\n".join(content), kind="payslips")
    assert [str(e).split(":")[0] for e in result.errors] == [
        "line 4, line_amount",
        "line 7, net_pay",
    ]
    assert not Payslip.objects.exists()


def test_csv_kind_is_recognised_from_the_header(employer, staff):
    content = (
        "employee_number,year,leave_type_code,leave_type_name,entitlement_hours,taken_hours\n"
        "1001,2026,WV,Wettelijk verlof,152,8.5\n"
    )
    result = run(employer, content)
    assert result.ok, result.error_lines()
    assert LeaveBalance.objects.get().taken_hours == Decimal("8.5")


@translation.override("en")
def test_csv_with_unknown_columns_is_refused(employer, staff):
    result = run(employer, "employee_number;salary\n1001;3\n", kind="payslips")
    assert str(result.errors[0]).startswith("line 1:")


@pytest.mark.parametrize("content", [b"", b"{not json", b"[]", b'{"payslips": {}}', b"\xff\xfe"])
def test_broken_files_are_refused(employer, staff, content):
    assert not run(employer, content).ok


def test_a_new_leave_type_code_needs_a_name(employer, staff):
    content = {
        "leave_balances": [
            {
                "employee_number": "1001",
                "year": 2026,
                "leave_type_code": "X",
                "entitlement_hours": 8,
            }
        ]
    }
    result = run(employer, json.dumps(content))
    assert [str(e).split(":")[0] for e in result.errors] == ["leave_balances[0].leave_type_name"]


def test_dry_run_saves_nothing(employer, staff):
    result = run(employer, (EXAMPLES / "payroll.json").read_bytes(), dry_run=True)
    assert result.ok and result.created["payslips"] == 2
    assert not Payslip.objects.exists() and not LeaveType.objects.exists()


def test_employees_of_another_employer_are_not_found(employer, other_employer):
    EmployeeFactory(employer=other_employer, number="1001")
    result = run(employer, json.dumps({"payslips": [payslip()]}))
    assert str(result.errors[0]).startswith("payslips[0].employee_number")


def test_visible_payslips_are_announced_once(employer, staff, django_capture_on_commit_callbacks):
    staff[0].user = UserFactory()
    staff[0].save()
    future = payslip(
        period=4, period_start="2026-04-01", period_end="2026-04-30", pay_date="2026-04-25"
    )
    content = json.dumps({"payslips": [payslip(), future]})
    with django_capture_on_commit_callbacks(execute=True):
        result = run(employer, content)
    assert result.mails == 1
    assert len(mail.outbox) == 1
    assert "2026" in mail.outbox[0].body and "3400" not in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        run(employer, content)
    assert len(mail.outbox) == 1
    assert Payslip.objects.get(period=4).notified_at is None


def test_the_command_prints_a_summary(employer, staff, capsys):
    call_command("import_payroll", str(EXAMPLES / "payroll.json"), "--employer", str(employer.pk))
    assert "2" in capsys.readouterr().out
    assert Payslip.objects.count() == 2


def test_the_command_fails_with_the_errors(employer):
    with pytest.raises(CommandError, match="employee_number"):
        call_command("import_payroll", str(EXAMPLES / "payroll.json"), "--employer", employer.name)


def statement(**changes):
    data = {
        "employee_number": "1001",
        "year": 2025,
        "fiscal_wage": "39090.00",
        "wage_tax_withheld": "7282.08",
        "tax_credit_applied": True,
        "insured_wage": "40800.00",
        "zvw_wage": "40800.00",
        "zvw_contribution": "2656.08",
        "employer_tax_number": "810000000L01",
        "publish_date": "2026-04-10",
    }
    return {**data, **changes}


def test_an_import_of_only_annual_statements_announces_each_visible_one_once(
    employer, staff, django_capture_on_commit_callbacks
):
    for employee in staff:
        employee.user = UserFactory()
        employee.save()
    later = statement(employee_number="1002", publish_date="2026-04-11")  # a day after TODAY
    content = json.dumps({"annual_statements": [statement(), later]})
    with django_capture_on_commit_callbacks(execute=True):
        result = run(employer, content)
    assert result.mails == 1
    assert [message.to for message in mail.outbox] == [[staff[0].email]]
    assert AnnualStatement.objects.get(employee=staff[0]).notified_at is not None
    assert AnnualStatement.objects.get(employee=staff[1]).notified_at is None
    with django_capture_on_commit_callbacks(execute=True):
        again = run(employer, content)  # the same file again: nothing is announced twice
    assert again.mails == 0
    assert len(mail.outbox) == 1


def test_the_daily_notice_announces_a_statement_imported_before_its_publish_date(
    employer, staff, django_capture_on_commit_callbacks
):
    staff[1].user = UserFactory()
    staff[1].save()
    later = statement(employee_number="1002", publish_date="2026-04-11")
    with django_capture_on_commit_callbacks(execute=True):
        run(employer, json.dumps({"annual_statements": [later]}))
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notify_published")  # runs on the real today, long after 11-04-2026
    assert [message.to for message in mail.outbox] == [[staff[1].email]]
