"""The portal bench's data: employees with accounts, payslips, annual statements, leave and
a signed-in session each (bench/portal_load.py)."""

import datetime
from decimal import Decimal


def seed(employees: int) -> list[dict]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore

    from employees.mfa.stage import PASSWORD_ONLY_KEY
    from employees.models import (
        AnnualStatement,
        Employee,
        Payslip,
        PayslipLine,
    )
    from employers.models import Employer, Provider
    from essportal.backends import PORTAL_BACKEND
    from essportal.models import User, username_key

    password = make_password("bench password 123")  # hashed once, reused
    provider = Provider.objects.create(name="Bench provider")
    employer = Employer.objects.create(provider=provider, name="Bench B.V.")
    users = User.objects.bulk_create(
        [
            # bulk_create skips save(), which fills in the key
            User(username=f"bench{i}", username_key=username_key(f"bench{i}"), password=password)
            for i in range(employees)
        ]
    )
    people = []
    for i, user in enumerate(users):
        person = Employee(
            employer=employer,
            number=f"{i:06d}",
            initials="J.",
            first_name="Jan",
            last_name=f"Werknemer{i}",
            birth_date=datetime.date(1980, 1, 1),
            email=f"bench{i}@example.test",
            start_date=datetime.date(2020, 1, 1),
            user=user,
        )
        person.refresh_search_text()
        people.append(person)
    Employee.objects.bulk_create(people)
    payslips = [
        Payslip(
            employee=person,
            year=2025,
            period=month,
            period_start=datetime.date(2025, month, 1),
            period_end=datetime.date(2025, month, 28),
            pay_date=datetime.date(2025, month, 25),
            publish_date=datetime.date(2025, month, 23),
            gross_wage=Decimal("3500.00"),
            net_pay=Decimal("2634.57"),
            wage_tax=Decimal("672.43"),
            fiscal_wage=Decimal("3307.50"),
            tax_table=Payslip.TaxTable.WHITE,
        )
        for person in people
        for month in range(7, 13)
    ]
    Payslip.objects.bulk_create(payslips)
    PayslipLine.objects.bulk_create(
        PayslipLine(
            payslip=payslip,
            sort_order=order,
            code=code,
            description=description,
            kind=kind,
            amount=Decimal(amount),
        )
        for payslip in payslips
        for order, (code, description, kind, amount) in enumerate(
            [
                ("1000", "Salaris", PayslipLine.Kind.EARNING, "3500.00"),
                ("4000", "Loonheffing", PayslipLine.Kind.DEDUCTION, "672.43"),
                ("5000", "Pensioenpremie", PayslipLine.Kind.DEDUCTION, "193.00"),
            ]
        )
    )
    AnnualStatement.objects.bulk_create(
        AnnualStatement(
            employee=person,
            year=year,
            fiscal_wage=Decimal("39690.00"),
            wage_tax_withheld=Decimal("8069.16"),
            tax_credit_applied=True,
            tax_credit_from=datetime.date(year, 1, 1),
            tax_credit_until=datetime.date(year, 12, 31),
            insured_wage=Decimal("42000.00"),
            zvw_wage=Decimal("42000.00"),
            zvw_contribution=Decimal("2734.20"),
            employer_tax_number="123456789L01",
            publish_date=datetime.date(year + 1, 1, 20),
        )
        for person in people
        for year in (2023, 2024, 2025)
    )
    seed_leave(employer, people)
    latest = {p.employee_id: p.pk for p in payslips}  # the last one of each person wins
    sessions = []
    for person, user in zip(people, users, strict=True):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = PORTAL_BACKEND
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # Signed in with a password alone, which the employer allows (two-step sign-in is
        # optional): without this mark every page answers with the second step's redirect.
        store[PASSWORD_ONLY_KEY] = user.pk
        store.create()
        sessions.append({"cookie": store.session_key, "payslip": latest[person.pk]})
    return sessions


def seed_leave(employer, people) -> None:
    """Two leave types with this year's balances, and three requests each (one waiting, one
    approved ahead, one taken), as a leave page shows them."""
    from employees.models import LeaveBalance, LeaveRequest, LeaveType

    year = datetime.date.today().year
    statutory = LeaveType.objects.create(
        employer=employer, code="W", name="Wettelijk verlof", kind=LeaveType.Kind.STATUTORY
    )
    extra = LeaveType.objects.create(
        employer=employer,
        code="B",
        name="Bovenwettelijk verlof",
        kind=LeaveType.Kind.EXTRA_STATUTORY,
    )
    LeaveBalance.objects.bulk_create(
        LeaveBalance(
            employee=person,
            leave_type=leave_type,
            year=year,
            entitlement_hours=Decimal(hours),
            taken_hours=Decimal("16"),
        )
        for person in people
        for leave_type, hours in ((statutory, "152"), (extra, "40"))
    )
    LeaveRequest.objects.bulk_create(
        LeaveRequest(
            employee=person,
            leave_type=statutory,
            start_date=datetime.date(year, month, 6),
            end_date=datetime.date(year, month, 10),
            hours=Decimal("40"),
            status=status,
        )
        for person in people
        for month, status in (
            (12, LeaveRequest.Status.REQUESTED),
            (11, LeaveRequest.Status.APPROVED),
            (3, LeaveRequest.Status.APPROVED),
        )
    )
