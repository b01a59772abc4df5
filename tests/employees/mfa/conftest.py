import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def account(employee):
    """Anna's portal account."""
    employee.user = UserFactory(username="anna.bakker")
    employee.save(update_fields=["user"])
    return employee.user


@pytest.fixture
def anna(account):
    """Anna's browser, signed in with her authenticator app."""
    from tests.mfa_helpers import force_login_verified

    return force_login_verified(Client(), account)
