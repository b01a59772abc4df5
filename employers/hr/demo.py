"""Demo data for a developer checkout or a demo server: `manage.py seed_demo`.

Idempotent: every step looks up what it would create by a natural key (names, employee numbers,
usernames) and only adds what is missing, so running it twice changes nothing. A new kind of
demo data (payslips, leave, ...) is one more `_seed_<thing>()` step called from demo_seed().

The passwords below are published in this file and printed by the command: demo only.
"""

import datetime
import functools
from base64 import b32encode
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from employees.access_cache import employer_access_changed
from employees.models import Employee, fold_for_search
from employees.payroll.demo import demo_payroll
from employees.records.services import employee_create
from employers.models import Employer, Provider, StaffMembership
from invitations.mails import invitation_link
from invitations.models import Invitation, invitation_validity
from invitations.tokens import token_for, token_hash, token_nonce_new

PROVIDER_NAME = "Salarisbureau De Linde"
JANSEN_NAME = "Bakkerij Jansen B.V."
SMIT_NAME = "Garage Smit & Zn."
BENCHMARK_NAME = "Benchmark B.V."

# Demo only: anyone who reads this file knows them (seed_demo refuses to run without DEBUG
# unless forced).
DEMO_PASSWORD = "werknemerloket-demo"  # noqa: S105 - published on purpose
DEMO_ADMIN_PASSWORD = "beheer-werknemerloket"  # noqa: S105 - published on purpose

BULK_BATCH_SIZE = 5000

# (first name, infix, last name): the mix of names a Dutch payroll office really sees.
PEOPLE = [
    ("Jan", "de", "Vries"),
    ("Øzgür", "", "Yılmaz"),
    ("Sanne", "van der", "Meer"),
    ("Mohammed", "el", "Amrani"),
    ("Łukasz", "", "Wiśniewski"),
    ("Sharmila", "", "Ramdin"),
    ("Wei", "", "Chen"),
    ("Olena", "", "Shevchenko"),
    ("Pieter", "", "Bakker"),
    ("Ayşe", "", "Demir"),
    ("Femke", "van den", "Berg"),
    ("Fatima", "", "Bouzid"),
    ("Agnieszka", "", "Kowalczyk"),
    ("Rishi", "", "Jagesar"),
    ("Li", "", "Zhang"),
    ("Oleksandr", "", "Kovalenko"),
    ("Daan", "", "Visser"),
    ("Mehmet", "", "Kaya"),
    ("Lotte", "de", "Jong"),
    ("Youssef", "", "Benali"),
    ("Paweł", "", "Nowak"),
    ("Naomi", "", "Kromodimedjo"),
    ("Mei", "", "Wang"),
    ("Iryna", "", "Bondarenko"),
    ("Bram", "", "Smit"),
    ("Elif", "", "Şahin"),
    ("Anouk", "van", "Dijk"),
    ("Khadija", "", "El Idrissi"),
    ("Małgorzata", "", "Zielińska"),
    ("Clyde", "", "Pinas"),
    ("Jun", "", "Liu"),
    ("Sem", "", "Mulder"),
    ("Emre", "", "Çelik"),
    ("Eva", "", "Bos"),
    ("Saïd", "", "Ouali"),
    ("Krzysztof", "", "Wójcik"),
    ("Priya", "", "Mahabier"),
    ("Ruben", "van", "Leeuwen"),
    ("Gökhan", "", "Aydın"),
    ("Noor", "", "Jansen"),
    ("Ana", "", "Gonçalves"),
    ("Thijs", "ter", "Horst"),
    ("Siobhán", "", "O'Brien"),
    ("Iris", "", "Kok"),
    ("Søren", "", "Jørgensen"),
    ("Zoë", "", "Verhoeven"),
    ("Dragan", "", "Petrović"),
    ("Joris", "van 't", "Hof"),
    ("Ewa", "", "Kamińska"),
    ("Renée", "", "Dupont"),
]
JOBS = {
    JANSEN_NAME: ["Bakker", "Banketbakker", "Verkoopmedewerker", "Chauffeur", "Leerling-bakker"],
    SMIT_NAME: ["Monteur", "APK-keurmeester", "Receptionist", "Leerling-monteur"],
}
CITIES = [("7411 AB", "Deventer"), ("7311 CD", "Apeldoorn"), ("8011 EF", "Zwolle")]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    description: str
    totp_secret: str = ""  # HR signs in in two steps: the authenticator app's key


# HR staff need a second factor: each demo HR login gets an authenticator app with this name,
# whose current code `manage.py demo_code <username>` prints (with DEBUG on only).
DEMO_DEVICE_NAME = "Demo"
DEMO_HR_USERNAMES = ("hr-provider", "hr-jansen", "hr-viewer")


def demo_totp_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)


@dataclass
class DemoSummary:
    created: Counter = field(default_factory=Counter)
    logins: list[DemoLogin] = field(default_factory=list)
    # (name, link) of the demo employees whose invitation is waiting to be used.
    invited: list[tuple[str, str]] = field(default_factory=list)
    employers: int = 0
    employees: int = 0

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


@transaction.atomic
def demo_seed(*, employees: int = 0) -> DemoSummary:
    """Create whatever demo data is missing; with `employees`, top the benchmark employer up
    to that many employees."""
    summary = DemoSummary()
    provider = _seed_provider(summary)
    jansen = _seed_employer(summary, provider, JANSEN_NAME, leave_module=True)
    smit = _seed_employer(summary, provider, SMIT_NAME, leave_module=False)
    _seed_employees(summary, {jansen: "1", smit: "2"})
    _seed_staff(summary, provider, jansen)
    _seed_access_states(summary, jansen)
    for payroll_employer in (jansen, smit):
        demo_payroll(
            employer=payroll_employer,
            employees=payroll_employer.employees.all(),
            today=timezone.localdate(),
        )
    if employees:
        benchmark = _seed_employer(summary, provider, BENCHMARK_NAME, leave_module=True)
        _seed_benchmark_employees(summary, benchmark, employees)
    employers = Employer.objects.filter(provider=provider)
    # Accounts, invitations and benchmark employees are made directly, around the services.
    employer_access_changed(*employers.values_list("pk", flat=True))
    summary.employers = employers.count()
    summary.employees = Employee.objects.filter(employer__in=employers).count()
    return summary


def _seed_provider(summary: DemoSummary) -> Provider:
    provider, created = Provider.objects.get_or_create(name=PROVIDER_NAME)
    summary.created["providers"] += created
    return provider


def _seed_employer(
    summary: DemoSummary, provider: Provider, name: str, *, leave_module: bool
) -> Employer:
    employer, created = Employer.objects.get_or_create(
        provider=provider,
        name=name,
        defaults={
            "leave_module": leave_module,
            "contact_name": "Petra de Vries",
            "contact_email": "hr@example.nl",
            "contact_phone": "0570 123 456",
        },
    )
    summary.created["employers"] += created
    return employer


def _seed_employees(summary: DemoSummary, number_prefixes: dict[Employer, str]) -> None:
    """PEOPLE spread over the employers: about 3 in 5 at the first, the rest at the second."""
    employers = list(number_prefixes)
    taken = {
        employer: set(employer.employees.values_list("number", flat=True)) for employer in employers
    }
    counters = Counter()
    for index, person in enumerate(PEOPLE):
        employer = employers[0] if index % 5 < 3 else employers[1]
        counters[employer] += 1
        number = f"{number_prefixes[employer]}{counters[employer]:03d}"
        if number in taken[employer]:
            continue
        employee_create(employer=employer, data=_person(index, person, number, employer))
        summary.created["employees"] += 1


def _person(index: int, person: tuple[str, str, str], number: str, employer: Employer) -> dict:
    first_name, infix, last_name = person
    birth_date = datetime.date(1958 + index * 7 % 42, 1 + index * 5 % 12, 1 + index * 11 % 28)
    start_date = datetime.date(
        min(max(birth_date.year + 18, 2000 + index * 3 % 25), 2024), 1 + index % 12, 1
    )
    postcode, city = CITIES[index % len(CITIES)]
    data = {
        "number": number,
        "initials": f"{first_name[0]}.",
        "first_name": first_name,
        "infix": infix,
        "last_name": last_name,
        "birth_date": birth_date,
        # About 1 in 10 has no email yet: HR cannot invite them (R4).
        "email": "" if index % 10 == 7 else _email(first_name, f"{infix}{last_name}"),
        "job_title": JOBS[employer.name][index % len(JOBS[employer.name])],
        "street": f"Dorpsstraat {index + 1}",
        "postcode": postcode,
        "city": city,
        "start_date": start_date,
        # About 1 in 8 has left (R12 leaves them out of collective invitations).
        "end_date": datetime.date(start_date.year + 1 + index % 4, 12, 31)
        if index % 8 == 3
        else None,
        "language": Employee.Language.ENGLISH if index % 6 == 5 else Employee.Language.DUTCH,
    }
    return data


def _email(first_name: str, last_name: str, suffix: str = "") -> str:
    return f"{_slug(first_name)}.{_slug(last_name)}{suffix}@example.nl"


@functools.cache
def _slug(text: str) -> str:
    """ "Øzgür" -> "ozgur", "van der Meer" -> "vandermeer": safe in an email address."""
    folded = fold_for_search(text).replace("ı", "i")
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())


@functools.cache
def _password_hash(raw: str) -> str:
    # argon2 is deliberately slow: hash each demo password once per process.
    return make_password(raw)


# The first employer's employees in every access state HR meets, so that a newcomer sees each
# without walking an activation first: (how many, state).
ACCESS_STATES = (
    (4, "active"),
    (1, "blocked"),
    (4, "invited"),
    (1, "locked"),
    (1, "undelivered"),
)


def _seed_access_states(summary: DemoSummary, employer: Employer) -> None:
    """Once only: nothing is added when any employee of the employer has an account or an
    invitation (the demo's own, or one made by trying the product)."""
    employees = employer.employees
    if employees.filter(user__isnull=False).exists():
        return
    if Invitation.objects.filter(employee__employer=employer).exists():
        return
    eligible = iter(employees.filter(end_date__isnull=True).exclude(email="").order_by("number"))
    now = timezone.now()
    for count, state in ACCESS_STATES:
        for _index in range(count):
            employee = next(eligible, None)
            if employee is None:
                return
            if state in ("active", "blocked"):
                _demo_account(summary, employee, active=state == "active")
            else:
                _demo_invitation(summary, employee, state, now)


def _demo_account(summary: DemoSummary, employee: Employee, *, active: bool) -> None:
    User = get_user_model()
    username = f"{_slug(employee.first_name)}.{_slug(employee.last_name)}"
    employee.user = User.objects.create(
        username=username,
        password=_password_hash(DEMO_PASSWORD),
        email=employee.email,
        first_name=employee.first_name,
        last_name=employee.last_name,
        is_active=active,
    )
    employee.save(update_fields=["user"])
    summary.created["accounts"] += 1
    description = (
        _("employee of %(employer)s, with payslips") if active else _("employee, blocked by HR")
    ) % {"employer": employee.employer.name}
    summary.logins.append(DemoLogin(username, DEMO_PASSWORD, description))


def _demo_invitation(summary: DemoSummary, employee: Employee, state: str, now) -> None:
    """An invitation as the outbox leaves it: mailed with a link that works (invited), locked
    after five wrong birth dates, or refused by the receiving mail server (undelivered)."""
    nonce = token_nonce_new()
    raw = token_for(nonce)
    status = {
        "invited": Invitation.Status.PENDING,
        "locked": Invitation.Status.LOCKED,
        "undelivered": Invitation.Status.UNDELIVERED,
    }[state]
    undelivered = state == "undelivered"
    Invitation.objects.create(
        employee=employee,
        status=status,
        token_nonce=nonce,
        token_hash=token_hash(raw),
        sent_at=now,
        expires_at=now + invitation_validity(),
        failed_attempts=5 if state == "locked" else 0,
        mail_status=Invitation.MailStatus.BOUNCED if undelivered else Invitation.MailStatus.SENT,
        mail_attempts=1,
        mail_to=employee.email,
        mail_error=f"550 5.1.1 <{employee.email}>: Recipient address rejected"
        if undelivered
        else "",
        closed_at=now if undelivered else None,
    )
    summary.created["invitations"] += 1
    if state == "invited":
        summary.invited.append((employee.full_name, invitation_link(raw)))


def _seed_staff(summary: DemoSummary, provider: Provider, jansen: Employer) -> None:
    User = get_user_model()
    Role = StaffMembership.Role
    accounts = [
        ("admin", DEMO_ADMIN_PASSWORD, _("Django admin (superuser)"), None),
        (
            "hr-provider",
            DEMO_PASSWORD,
            _("HR manager of every employer of %(name)s") % {"name": provider},
            {"provider": provider, "role": Role.MANAGER},
        ),
        (
            "hr-jansen",
            DEMO_PASSWORD,
            _("HR manager of %(name)s") % {"name": jansen},
            {"employer": jansen, "role": Role.MANAGER},
        ),
        (
            "hr-viewer",
            DEMO_PASSWORD,
            _("HR read-only access to %(name)s") % {"name": jansen},
            {"employer": jansen, "role": Role.VIEWER},
        ),
    ]
    for username, password, description, membership in accounts:
        user = User.objects.by_username(username).first()
        if user is None:
            superuser = membership is None
            user = User.objects.create(
                username=username,
                email=f"{username}@example.nl",
                password=_password_hash(password),
                is_staff=superuser,
                is_superuser=superuser,
            )
            summary.created["users"] += 1
        secret = ""
        if membership is not None:
            role = membership.pop("role")
            created = StaffMembership.objects.get_or_create(
                user=user, **membership, defaults={"role": role}
            )[1]
            summary.created["memberships"] += created
            secret = b32encode(demo_totp_device(user).bin_key).decode()
        summary.logins.append(DemoLogin(username, password, description, secret))


def _seed_benchmark_employees(summary: DemoSummary, employer: Employer, count: int) -> None:
    """Top the employer up to `count` employees, numbered 1..count, in bulk: no audit events,
    no per-row validation, so that 100,000 take seconds."""
    taken = set(employer.employees.values_list("number", flat=True))
    missing = (index for index in range(1, count + 1) if f"{index:07d}" not in taken)
    for batch in _chunks(missing, BULK_BATCH_SIZE):
        employees = [_benchmark_employee(employer, index) for index in batch]
        Employee.objects.bulk_create(employees, batch_size=BULK_BATCH_SIZE)
        summary.created["benchmark employees"] += len(employees)


def _benchmark_employee(employer: Employer, index: int) -> Employee:
    first_name, infix, last_name = PEOPLE[index % len(PEOPLE)]
    # Pair first names with other people's last names so names repeat less often.
    _first, other_infix, other_last_name = PEOPLE[(index // len(PEOPLE) * 7 + index) % len(PEOPLE)]
    birth_date = datetime.date(1950 + index % 55, 1 + index % 12, 1 + index % 28)
    start_date = datetime.date(max(birth_date.year + 18, 1990 + index % 35), 1 + index % 12, 1)
    employee = Employee(
        employer_id=employer.pk,
        number=f"{index:07d}",
        initials=f"{first_name[0]}.",
        first_name=first_name,
        infix=other_infix,
        last_name=other_last_name,
        birth_date=birth_date,
        email="" if index % 20 == 0 else _email(first_name, other_last_name, f".{index}"),
        start_date=start_date,
        end_date=datetime.date(start_date.year + 1, 6, 30) if index % 8 == 0 else None,
    )
    employee.refresh_search_text()  # bulk_create skips save(), which normally does this
    return employee


def _chunks(items: Iterator[int], size: int) -> Iterator[list[int]]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
