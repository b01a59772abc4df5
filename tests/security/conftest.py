"""Fixtures for the adversarial suite: an invitation on its way, an opened link, an account."""

import pytest
from django.test import Client

from tests.employees.conftest import BIRTH_DATE, CREDENTIALS, WRONG_DATE, invited, opened  # noqa: F401  # noqa: F401  (shared fixtures)
from tests.factories import UserFactory
from tests.invitations.conftest import grant  # noqa: F401  (HR grants, mail task run)

ACTIVATE = "/activate/"
ACCOUNT = "/activate/account/"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the block schedules on commit (the invitation mail task, say)."""

    def _run():
        return django_capture_on_commit_callbacks(execute=True)

    return _run


@pytest.fixture
def account(employee):
    """Anna has activated her access: a portal account."""
    employee.user = UserFactory(username="anna.bakker", email=employee.email)
    employee.save(update_fields=["user"])
    return employee.user


@pytest.fixture
def browser(db):
    """A second, separate browser (the attacker's, or a mail scanner's)."""
    return Client()


def activate(client, credentials=None):
    """Walk an opened invitation through the birth date and the credentials."""
    assert client.post(ACTIVATE, BIRTH_DATE)["Location"] == ACCOUNT
    return client.post(ACCOUNT, credentials or CREDENTIALS)
