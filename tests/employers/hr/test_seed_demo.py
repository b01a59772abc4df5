import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.utils import translation

from employees.models import Employee
from employers.hr.demo import BENCHMARK_NAME, DEMO_ADMIN_PASSWORD, DEMO_PASSWORD
from employers.models import AuditEvent, Employer, Provider, StaffMembership
from essportal.models import User


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def seed(*options) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--force", *options, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [Provider, Employer, Employee, User, StaffMembership, AuditEvent]
    return {model.__name__: model.objects.count() for model in models}


def test_it_builds_the_demo_world(db):
    output = seed()

    provider = Provider.objects.get(name="Salarisbureau De Linde")
    jansen = Employer.objects.get(provider=provider, name="Bakkerij Jansen B.V.")
    smit = Employer.objects.get(provider=provider, name="Garage Smit & Zn.")
    assert jansen.leave_module and not smit.leave_module
    employees = Employee.objects.filter(employer__provider=provider)
    assert 45 <= employees.count() <= 55
    assert employees.filter(employer=jansen).count() > employees.filter(employer=smit).count() > 10
    assert 3 <= employees.filter(email="").count() <= 7
    assert 4 <= employees.filter(end_date__isnull=False).count() <= 8
    names = set(employees.values_list("first_name", flat=True))
    assert {"Øzgür", "Łukasz"} <= names
    assert employees.filter(infix="van der").exists()
    assert employees.get(first_name="Sanne").email == "sanne.vandermeer@example.nl"
    assert all(e.email.isascii() for e in employees)
    assert "Demo data ready: 2 employers" in output.splitlines()[-1]


def test_the_printed_logins_work_with_the_roles_they_promise(db):
    output = seed()

    for username, password in [
        ("admin", DEMO_ADMIN_PASSWORD),
        ("hr-provider", DEMO_PASSWORD),
        ("hr-jansen", DEMO_PASSWORD),
        ("hr-viewer", DEMO_PASSWORD),
    ]:
        assert username in output and password in output
        user = User.objects.get(username=username)
        assert user.check_password(password)
        validate_password(password, user=user)
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="hr-provider").is_staff
    roles = {
        (m.user.username, str(m.provider or m.employer), m.role)
        for m in StaffMembership.objects.select_related("user", "provider", "employer")
    }
    assert roles == {
        ("hr-provider", "Salarisbureau De Linde", "manager"),
        ("hr-jansen", "Bakkerij Jansen B.V.", "manager"),
        ("hr-viewer", "Bakkerij Jansen B.V.", "viewer"),
    }


def test_running_it_twice_changes_nothing(db):
    seed()
    first = counts()

    output = seed()

    assert counts() == first
    assert "; 0 new records created." in output.splitlines()[-1]
    assert "hr-jansen" in output


def test_it_fills_the_benchmark_employer_and_tops_it_up(db):
    seed("--employees", "1500")
    benchmark = Employer.objects.get(name=BENCHMARK_NAME)
    assert benchmark.employees.count() == 1500

    seed("--employees", "2000")
    seed("--employees", "2000")

    employees = benchmark.employees.all()
    assert employees.count() == 2000
    assert employees.values("number").distinct().count() == 2000
    assert 50 <= employees.filter(email="").count() <= 150
    assert 150 <= employees.filter(end_date__isnull=False).count() <= 350
    sample = employees.get(number="0000042")
    stored = sample.search_text
    sample.refresh_search_text()
    assert stored and stored == sample.search_text


def test_it_refuses_to_run_without_debug_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Provider.objects.exists()


def test_demo_hr_logins_get_an_authenticator_app_whose_key_is_printed(db, settings, client):
    import re

    from django.urls import reverse

    output = seed()
    secret = re.search(r"hr-jansen\s+([A-Z2-7]{32})\s*$", output, re.M)[1]
    assert "demo_code" in output
    seed()  # again: the same key, no second app
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert TOTPDevice.objects.filter(user__username="hr-jansen").count() == 1
    # The printed code signs the demo user in.
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_code", "hr-jansen", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    client.post(reverse("hr:login"), {"username": "hr-jansen", "password": DEMO_PASSWORD})
    response = client.post(reverse("mfa:authenticate"), {"code": code})
    assert response.status_code == 302 and response["Location"] == "/hr/"
    assert secret


def test_demo_codes_are_refused_with_debug_off(db, settings):
    seed()
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_code", "hr-jansen")


def test_the_demo_shows_every_access_state_and_prints_working_links(db, client):
    from invitations.selectors import AccessState, EmployeeFilters, employee_list_for_employer

    output = seed()
    jansen = Employer.objects.get(name="Bakkerij Jansen B.V.")
    for state in ("active", "blocked", "invited", "locked", "undelivered"):
        rows = employee_list_for_employer(jansen, EmployeeFilters(access=AccessState(state)))
        assert rows.exists(), state
    links = [line.split(": ")[-1] for line in output.splitlines() if "/invite/" in line]
    assert len(links) == 4
    response = client.get(links[0].replace("https://portal.example.test", ""))
    assert response.status_code == 302 and response["Location"] == "/activate/"
    # An employee with access signs in with the printed login (no second step required).
    login = next(line.split() for line in output.splitlines() if "with payslips" in line)
    signed_in = client.post("/login/", {"username": login[0], "password": login[1]})
    assert signed_in.status_code == 302
