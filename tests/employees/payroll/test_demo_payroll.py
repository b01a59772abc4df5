import datetime

import pytest

from employees.models import AnnualStatement, LeaveBalance, LeaveRequest, Payslip
from employees.payroll.demo import _holiday_name, demo_payroll
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 4, 10)


def test_it_gives_a_year_of_payslips_a_statement_and_leave_and_is_idempotent(employer):
    staff = [EmployeeFactory(employer=employer) for _ in range(3)]
    assert demo_payroll(employer=employer, employees=staff, today=TODAY) > 0
    assert Payslip.objects.filter(employee=staff[0]).count() == 12
    assert AnnualStatement.objects.filter(year=2025).count() == 3
    assert LeaveBalance.objects.count() == 6
    assert LeaveRequest.objects.count() == 3
    slip = Payslip.objects.filter(employee=staff[0]).first()
    assert slip.net_pay == slip.gross_wage - sum(
        line.amount for line in slip.lines.all() if line.kind == "deduction"
    )
    assert demo_payroll(employer=employer, employees=staff, today=TODAY) == 0


def test_without_the_leave_module_there_is_no_leave(employer):
    employer.leave_module = False
    employer.save()
    demo_payroll(employer=employer, employees=[EmployeeFactory(employer=employer)], today=TODAY)
    assert not LeaveBalance.objects.exists()


@pytest.mark.parametrize(
    "start, name",
    [
        (datetime.date(2027, 1, 2), "Kerstvakantie"),
        (datetime.date(2027, 7, 19), "Zomervakantie"),
        (datetime.date(2026, 10, 19), "Herfstvakantie"),
    ],
)
def test_demo_leave_is_named_after_the_holiday_of_its_month(start, name):
    assert _holiday_name(start) == name
