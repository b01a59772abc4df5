"""HR reads a sentence, not a Python repr: the stored mail error, classified."""

import datetime
import smtplib
import socket

import pytest
from anymail.exceptions import (
    AnymailAPIError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
    AnymailRequestsAPIError,
)
from django.utils import translation

from invitations.mail_errors import MailProblem, mail_problem, mail_problem_message


def stored(exc: Exception) -> str:
    """The error as the outbox stores it: "ExceptionName: text", at most 500 characters."""
    return f"{type(exc).__name__}: {exc}"[:500]


class FakeResponse:
    def __init__(self, status_code, reason="", body=None):
        self.status_code, self.reason, self._body = status_code, reason, body or {}

    def json(self):
        return self._body


def api_error(status_code: int, reason: str) -> AnymailAPIError:
    return AnymailRequestsAPIError(
        "Sending a message failed",
        status_code=status_code,
        response=FakeResponse(status_code, reason, {"errors": [{"message": reason}]}),
        esp_name="SendGrid",
    )


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        # Recipients refused at RCPT TO: smtplib raises the same class for 4xx and 5xx.
        (
            smtplib.SMTPRecipientsRefused(
                {"anna@example.nl": (550, b"5.1.1 <anna@example.nl>: User unknown")}
            ),
            MailProblem.ADDRESS_UNKNOWN,
        ),
        (
            smtplib.SMTPRecipientsRefused(
                {"anna@example.nl": (550, b"Requested action not taken")}
            ),
            MailProblem.RECIPIENT_REFUSED,
        ),
        (
            smtplib.SMTPRecipientsRefused({"anna@example.nl": (554, b"5.7.1 Relay access denied")}),
            MailProblem.RECIPIENT_REFUSED,
        ),
        (
            smtplib.SMTPRecipientsRefused(
                {"anna@example.nl": (451, b"4.7.1 Greylisted, please try again later")}
            ),
            MailProblem.TRY_LATER,
        ),
        (
            smtplib.SMTPRecipientsRefused(
                {"anna@example.nl": (450, b"4.1.1 Recipient address unknown (temporary)")}
            ),
            MailProblem.TRY_LATER,
        ),
        (
            smtplib.SMTPRecipientsRefused({"anna@example.nl": (552, b"5.2.2 Mailbox full")}),
            MailProblem.MAILBOX_FULL,
        ),
        (
            smtplib.SMTPRecipientsRefused({"anna@example": (553, b"5.1.3 Bad address syntax")}),
            MailProblem.ADDRESS_INVALID,
        ),
        # The sender, the login, the message.
        (
            smtplib.SMTPSenderRefused(553, b"5.7.1 Sender address rejected", "noreply@portal.nl"),
            MailProblem.SENDER_REFUSED,
        ),
        (
            smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication failed"),
            MailProblem.SENDER_REFUSED,
        ),
        (
            smtplib.SMTPDataError(554, b"5.6.0 Message rejected as spam"),
            MailProblem.MESSAGE_REFUSED,
        ),
        (smtplib.SMTPDataError(451, b"4.3.0 Try again later"), MailProblem.TRY_LATER),
        # The server was never reached or went away.
        (ConnectionRefusedError(111, "Connection refused"), MailProblem.SERVER_UNREACHABLE),
        (
            smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
            MailProblem.SERVER_UNREACHABLE,
        ),
        (smtplib.SMTPServerDisconnected(), MailProblem.SERVER_UNREACHABLE),
        (TimeoutError("timed out"), MailProblem.SERVER_UNREACHABLE),
        (socket.gaierror(-2, "Name or service not known"), MailProblem.SERVER_UNREACHABLE),
        (OSError(101, "Network is unreachable"), MailProblem.SERVER_UNREACHABLE),
        # A provider's API (anymail).
        (api_error(400, "Bad Request"), MailProblem.SERVICE_REFUSED),
        (api_error(401, "Unauthorized"), MailProblem.SERVICE_REFUSED),
        (api_error(429, "Too Many Requests"), MailProblem.SERVICE_UNAVAILABLE),
        (api_error(503, "Service Unavailable"), MailProblem.SERVICE_UNAVAILABLE),
        (AnymailAPIError("Could not reach the API"), MailProblem.SERVICE_UNAVAILABLE),
        (AnymailRecipientsRefused(), MailProblem.RECIPIENT_REFUSED),
        (AnymailInvalidAddress("Invalid email address 'anna@'"), MailProblem.ADDRESS_INVALID),
    ],
    ids=lambda value: value.value if isinstance(value, MailProblem) else type(value).__name__,
)
def test_each_stored_error_is_classified(error, problem):
    assert mail_problem(stored(error)) == problem


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # Bounce descriptions from the provider's tracking webhook: no exception name.
        ("550 5.1.1 The email account that you tried to reach does not exist.", "address_unknown"),
        ("Mailbox does not exist", "address_unknown"),
        ("452 4.2.2 The email account that you tried to reach is over quota.", "try_later"),
        ("Mailbox full", "mailbox_full"),
        # What nobody can place.
        ("", "unknown"),
        ("Something odd happened", "unknown"),
        ("PermanentMailError: the message could not be written", "unknown"),
        ("BadHeaderError: Header values can't contain newlines", "unknown"),
        # Version numbers and addresses are not reply codes.
        ("RuntimeError: mail library 5.1.1 crashed at 10.5.1.1", "unknown"),
    ],
)
def test_text_from_elsewhere_is_classified_by_what_it_says(text, problem):
    assert mail_problem(text) == problem


def test_the_repr_from_the_issue_reads_as_a_sentence():
    error = "SMTPRecipientsRefused: {'x@y': (550, b'5.1.1 mailbox unavailable')}"
    with translation.override("en"):
        message = mail_problem_message(error)
    assert message == ("Delivery failed: the address does not exist. Check it with the employee.")
    assert "SMTP" not in message and "{" not in message


AMSTERDAM_NOON_UTC = datetime.datetime(2026, 12, 2, 11, 0, tzinfo=datetime.UTC)


def test_a_planned_retry_is_named_with_its_local_time():
    retry_at = AMSTERDAM_NOON_UTC + datetime.timedelta(minutes=5)
    with translation.override("en"):
        message = mail_problem_message(
            "ConnectionRefusedError: [Errno 111] Connection refused",
            retry_at=retry_at,
            now=AMSTERDAM_NOON_UTC,
        )
    assert message == (
        "The mail could not be delivered: the mail server could not be reached. "
        "We will try again at 12:05."
    )


def test_a_retry_on_another_day_gives_the_date_too():
    retry_at = datetime.datetime(2026, 12, 2, 23, 30, tzinfo=datetime.UTC)  # 00:30 on the 3rd
    with translation.override("en"):
        message = mail_problem_message(
            "TimeoutError: timed out", retry_at=retry_at, now=AMSTERDAM_NOON_UTC
        )
    assert message.endswith("We will try again at 03-12-2026 00:30.")
