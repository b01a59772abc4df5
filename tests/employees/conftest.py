import datetime

import pytest
import time_machine

from invitations.activation.link import SESSION_KEY
from invitations.services import invitation_grant
from tests.invitations.helpers import last_token, link_path


@pytest.fixture
def invited(employee, django_capture_on_commit_callbacks):
    """An employee whose invitation mail has gone out: returns (invitation, raw token)."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_grant(employee=employee)
    invitation.refresh_from_db()
    return invitation, last_token()


@pytest.fixture
def opened(client, invited):
    """The employee opened the link: the invitation is in the session."""
    invitation, token = invited
    client.get(link_path(token))
    assert client.session[SESSION_KEY] == invitation.pk
    return invitation


BIRTH_DATE = {"day": "14", "month": "3", "year": "1985"}  # the factory's birth date
WRONG_DATE = {"day": "15", "month": "3", "year": "1985"}
CREDENTIALS = {
    "username": "anna.bakker",
    "password1": "kleine groene kikkers dansen",
    "password2": "kleine groene kikkers dansen",
}


@pytest.fixture
def frozen_today():
    """The portal tests' "today": 10 April 2026, noon (use with pytest.mark.usefixtures)."""
    with time_machine.travel(datetime.datetime(2026, 4, 10, 12, 0), tick=False):
        yield


@pytest.fixture
def portal(client, employee):
    """The employee, signed in to the portal."""
    from tests.employees.factories import sign_in

    return sign_in(client, employee)
