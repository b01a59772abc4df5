"""Factories for payroll documents and leave, and a helper to sign an employee in."""

import datetime
from decimal import Decimal

import factory

import employees.payroll.mails  # noqa: F401  (registers the mail kinds, as AppConfig.ready does)
from employees.models import (
    AnnualStatement,
    LeaveBalance,
    LeaveRequest,
    LeaveType,
    Payslip,
    PayslipLine,
)
from tests.factories import EmployeeFactory, UserFactory
from tests.mfa_helpers import mark_password_only


def sign_in(client, employee):
    """Give the employee a portal account and sign the test client in with it."""
    if employee.user is None:
        employee.user = UserFactory()
        employee.save(update_fields=["user"])
    client.force_login(employee.user)
    # As a sign-in by password where the employer does not require a second step.
    mark_password_only(client, employee.user)
    return client


class PayslipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payslip

    employee = factory.SubFactory(EmployeeFactory)
    year = 2026
    period = factory.Sequence(lambda n: n % 12 + 1)
    period_kind = Payslip.PeriodKind.MONTHLY
    period_start = factory.LazyAttribute(lambda p: datetime.date(p.year, p.period, 1))
    period_end = factory.LazyAttribute(lambda p: datetime.date(p.year, p.period, 28))
    pay_date = factory.LazyAttribute(lambda p: datetime.date(p.year, p.period, 25))
    publish_date = factory.LazyAttribute(lambda p: datetime.date(p.year, p.period, 23))
    gross_wage = Decimal("3500.00")
    net_pay = Decimal("2634.57")
    wage_tax = Decimal("672.43")
    fiscal_wage = Decimal("3307.50")
    tax_table = Payslip.TaxTable.WHITE
    tax_credit_applied = True


class PayslipLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayslipLine

    payslip = factory.SubFactory(PayslipFactory)
    sort_order = factory.Sequence(lambda n: n)
    code = "1000"
    description = "Salaris"
    kind = PayslipLine.Kind.EARNING
    amount = Decimal("3500.00")


class AnnualStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualStatement

    employee = factory.SubFactory(EmployeeFactory)
    year = 2025
    fiscal_wage = Decimal("39690.00")
    wage_tax_withheld = Decimal("8069.16")
    tax_credit_applied = True
    tax_credit_from = datetime.date(2025, 1, 1)
    tax_credit_until = datetime.date(2025, 12, 31)
    insured_wage = Decimal("42000.00")
    zvw_wage = Decimal("42000.00")
    zvw_contribution = Decimal("2734.20")
    employer_tax_number = "123456789L01"
    publish_date = datetime.date(2026, 1, 20)


class LeaveTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaveType

    employer = factory.LazyAttribute(lambda t: EmployeeFactory().employer)
    code = factory.Sequence(lambda n: f"V{n}")
    name = "Wettelijk verlof"
    kind = LeaveType.Kind.STATUTORY


class LeaveBalanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaveBalance

    employee = factory.SubFactory(EmployeeFactory)
    leave_type = factory.LazyAttribute(lambda b: LeaveTypeFactory(employer=b.employee.employer))
    year = 2026
    entitlement_hours = Decimal("152")
    taken_hours = Decimal("16")


class LeaveRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaveRequest

    employee = factory.SubFactory(EmployeeFactory)
    leave_type = factory.LazyAttribute(lambda r: LeaveTypeFactory(employer=r.employee.employer))
    start_date = datetime.date(2026, 7, 6)
    end_date = datetime.date(2026, 7, 10)
    hours = Decimal("40")
    status = LeaveRequest.Status.REQUESTED
