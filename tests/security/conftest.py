"""Fixtures for the adversarial suite: an account, and a second browser."""

import pytest
from django.test import Client

from tests.factories import UserFactory


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
