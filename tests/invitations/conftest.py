import smtplib

import pytest

from tests.mail_backends import FailingBackend


@pytest.fixture
def refused(settings):
    """Mail to every address is refused for good while the fixture is in use."""
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"
    FailingBackend.error = smtplib.SMTPRecipientsRefused({"x": (550, b"5.1.1 No such user")})
    yield
    FailingBackend.error = None
