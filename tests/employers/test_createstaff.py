import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from employers.models import StaffMembership
from essportal.models import User
from tests.factories import EmployeeFactory, MembershipFactory, UserFactory

PASSWORD = "rustig-brood-bakken-42"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def no_prompt(monkeypatch):
    def refuse(prompt=""):
        raise AssertionError("asked for a password")

    monkeypatch.setattr("getpass.getpass", refuse)


def createstaff(*args, password=PASSWORD) -> str:
    out = io.StringIO()
    call_command(
        "createstaff",
        *args,
        "--password-from-stdin",
        stdin=io.StringIO(password + "\n"),
        stdout=out,
    )
    return out.getvalue()


def test_it_creates_a_provider_manager(provider):
    output = createstaff(
        "petra", "--email", "petra@example.nl", "--provider", provider.name, "--role", "manager"
    )

    assert "Created HR user petra with manager access to Salarisbureau Noord." in output
    membership = StaffMembership.objects.get(user__username="petra")
    assert membership.provider == provider and membership.employer is None
    assert membership.role == StaffMembership.Role.MANAGER
    user = membership.user
    assert user.email == "petra@example.nl" and user.check_password(PASSWORD)
    assert not user.is_staff and not user.is_superuser


def test_it_gives_read_only_access_unless_told_otherwise(employer):
    createstaff("kees", "--email", "kees@example.nl", "--employer", str(employer.pk))
    membership = StaffMembership.objects.get(user__username="kees")
    assert membership.employer == employer and membership.role == StaffMembership.Role.VIEWER


def test_it_asks_for_the_password_twice(employer, monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    out = io.StringIO()
    call_command(
        "createstaff", "kees", "--email", "kees@example.nl", "--employer", employer.name, stdout=out
    )
    assert "Created HR user kees" in out.getvalue()
    assert User.objects.get(username="kees").check_password(PASSWORD)


def test_it_refuses_passwords_that_do_not_match(employer, monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="do not match"):
        call_command(
            "createstaff", "kees", "--email", "kees@example.nl", "--employer", employer.name
        )
    assert not User.objects.filter(username="kees").exists()


@pytest.mark.parametrize(
    "password, message",
    [("kort-1", "too short"), ("password1234", "too common"), ("193847561029", "entirely numeric")],
)
def test_it_refuses_a_weak_password(employer, password, message):
    with pytest.raises(CommandError, match=message):
        createstaff(
            "kees", "--email", "kees@example.nl", "--employer", employer.name, password=password
        )
    assert not User.objects.filter(username="kees").exists()


def test_it_refuses_an_empty_password_on_stdin(employer):
    with pytest.raises(CommandError, match="No password"):
        createstaff("kees", "--email", "kees@example.nl", "--employer", employer.name, password="")


def test_it_refuses_an_unknown_employer(db):
    with pytest.raises(CommandError, match='No employer with id or name "Nergens B.V."'):
        createstaff("kees", "--email", "kees@example.nl", "--employer", "Nergens B.V.")


def test_it_refuses_an_unknown_provider(db):
    with pytest.raises(CommandError, match="No provider"):
        createstaff("kees", "--email", "kees@example.nl", "--provider", "999")


def test_it_needs_exactly_one_of_provider_and_employer(provider, employer):
    with pytest.raises(CommandError, match="not allowed with"):
        createstaff(
            "kees",
            "--email",
            "k@example.nl",
            "--provider",
            provider.name,
            "--employer",
            employer.name,
        )
    with pytest.raises(CommandError, match="one of the arguments --provider --employer"):
        createstaff("kees", "--email", "k@example.nl")
    assert not User.objects.filter(username="kees").exists()


def test_an_employer_name_shared_by_two_providers_needs_the_id(employer, db):
    from tests.factories import EmployerFactory

    EmployerFactory(name=employer.name)
    with pytest.raises(CommandError, match="give the id instead"):
        createstaff("kees", "--email", "k@example.nl", "--employer", employer.name)


def test_it_refuses_a_username_taken_in_another_case(employer, no_prompt):
    UserFactory(username="kees", email="kees@example.nl")
    with pytest.raises(CommandError, match='"Kees" is taken'):
        createstaff("Kees", "--email", "kees@example.nl", "--employer", employer.name)
    assert not StaffMembership.objects.exists()


@pytest.mark.parametrize("username", ["jöran", "ｋｅｅｓ", "kees\u200b"])
def test_it_refuses_a_username_that_is_not_ascii(employer, username):
    with pytest.raises(CommandError, match="username"):
        createstaff(username, "--email", "kees@example.nl", "--employer", employer.name)
    assert not User.objects.exists()


@pytest.mark.parametrize("older, typed", [("straße", "Strasse"), ("ｋｅｅｓ", "kees")])
def test_it_refuses_a_username_an_older_account_reaches_under_another_spelling(
    employer, no_prompt, older, typed
):
    User.objects.create(username=older, email="kees@example.nl")  # before ASCII-only
    with pytest.raises(CommandError, match=f'"{typed}" is taken'):
        createstaff(typed, "--email", "kees@example.nl", "--employer", employer.name)
    assert User.objects.count() == 1
    assert not StaffMembership.objects.exists()


def test_an_older_hr_user_with_an_accented_name_gets_access_by_that_name(
    employer, sister_employer, no_prompt
):
    user = MembershipFactory(employer=employer, user__username="jöran").user
    output = createstaff("jöran", "--email", user.email, "--employer", sister_employer.name)
    assert "Gave existing user jöran viewer access to Garage Smit B.V." in output
    with pytest.raises(CommandError, match='"JÖRAN" is taken'):
        createstaff("JÖRAN", "--email", user.email, "--employer", sister_employer.name)


def test_it_refuses_a_username_with_spaces(employer):
    with pytest.raises(CommandError, match="username"):
        createstaff("kees de vries", "--email", "kees@example.nl", "--employer", employer.name)


def test_it_refuses_an_invalid_email(employer):
    with pytest.raises(CommandError, match="email"):
        createstaff("kees", "--email", "geen-adres", "--employer", employer.name)
    assert not User.objects.filter(username="kees").exists()


def test_it_gives_an_existing_hr_user_access_to_another_employer(
    employer, sister_employer, no_prompt
):
    user = MembershipFactory(employer=employer, user__username="kees").user
    output = createstaff("kees", "--email", user.email, "--employer", sister_employer.name)
    assert "Gave existing user kees viewer access to Garage Smit B.V." in output
    assert set(user.memberships.values_list("employer__name", flat=True)) == {
        "Bakkerij Jansen B.V.",
        "Garage Smit B.V.",
    }


def test_it_does_not_attach_a_user_whose_email_differs(employer, no_prompt):
    UserFactory(username="kees", email="kees@example.nl")
    with pytest.raises(CommandError, match="another email address"):
        createstaff("kees", "--email", "iemand.anders@example.nl", "--employer", employer.name)
    assert not StaffMembership.objects.exists()


def test_it_does_not_turn_an_employee_account_into_hr(employer, no_prompt):
    user = UserFactory(username="anna", email="anna@example.nl")
    EmployeeFactory(employer=employer, user=user)
    with pytest.raises(CommandError, match="employee's portal account"):
        createstaff("anna", "--email", "anna@example.nl", "--employer", employer.name)
    assert not StaffMembership.objects.exists()


def test_it_refuses_access_the_user_already_has(employer, no_prompt):
    user = MembershipFactory(employer=employer, user__username="kees").user
    with pytest.raises(CommandError, match="already has access to Bakkerij Jansen B.V."):
        createstaff("kees", "--email", user.email, "--employer", employer.name)
