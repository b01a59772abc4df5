import datetime

import factory
from django.contrib.auth.hashers import make_password

from employees.models import Employee
from employers.models import Employer, Provider, StaffMembership
from essportal.models import User

DEFAULT_PASSWORD = "correct horse battery staple"
# Hashing with argon2 is deliberately slow; hash the shared test password once per run.
_HASHES: dict[str, str] = {}


def password_hash(raw: str = DEFAULT_PASSWORD) -> str:
    if raw not in _HASHES:
        _HASHES[raw] = make_password(raw)
    return _HASHES[raw]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.LazyFunction(password_hash)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Salarisbureau {n}")


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Werkgever {n} B.V.")
    contact_name = "Petra de Vries"
    contact_email = "hr@example.test"
    leave_module = True


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    employer = factory.SubFactory(EmployerFactory)
    number = factory.Sequence(lambda n: f"{1000 + n}")
    initials = "J."
    first_name = "Jan"
    infix = "van der"
    last_name = factory.Sequence(lambda n: f"Berg{n}")
    birth_date = datetime.date(1985, 3, 14)
    email = factory.Sequence(lambda n: f"employee{n}@example.test")
    start_date = datetime.date(2020, 1, 1)
    end_date = None


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    role = StaffMembership.Role.MANAGER
