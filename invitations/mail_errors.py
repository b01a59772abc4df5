"""What a mail that did not go out means: whether the outbox retries it, the text it stores, and
what HR is told, read back from that text.

The outbox keeps the technical text of the last failure (`Invitation.mail_error`, written as
"ExceptionName: text", or a provider's bounce description from the tracking webhook), and logs it.
HR cannot act on "SMTPRecipientsRefused: {'x@y': (550, b'5.1.1 ...')}": this module turns that
text into one sentence HR understands. It only reads the text, so it works for rows written by
any version of the outbox and for descriptions the provider made up; whatever it cannot place is
"the mail could not be sent", with the text itself one click away for the operator.
"""

import datetime
import re
import smtplib
from dataclasses import dataclass

from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused
from django.core.mail import BadHeaderError
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from invitations.models import Invitation

# HTTP answers of an email provider's API that concern this one message or recipient. Others in
# the 4xx range (401/403 a wrong API key, 404 an unknown sending domain, 408, 429) are about the
# set-up or the moment: failing every invitation for good on them would turn a misconfiguration
# into thousands of "mail not delivered".
_PERMANENT_API_STATUSES = {400, 413, 422}


class PermanentMailError(Exception):
    pass


def mail_error_is_permanent(exc: Exception) -> bool:
    """Whether retrying cannot help: the recipient or the message itself was refused for good.

    SMTP: 5xx is permanent, 4xx transient (greylisting answers 451 at RCPT TO for a while).
    A refusal of the sender or the log-in is about our set-up, not this mail: retried, and the
    operator sees the backlog grow (check_operations)."""
    permanent = (
        AnymailRecipientsRefused,  # the provider rejected every recipient of this message
        AnymailInvalidAddress,
        PermanentMailError,
        BadHeaderError,  # a header Django refuses to write will be refused again
    )
    if isinstance(exc, permanent):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    if isinstance(exc, AnymailAPIError):
        return getattr(exc, "status_code", None) in _PERMANENT_API_STATUSES
    return False


def describe_error(exc: Exception) -> str:
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - some ESP errors fail to format without a response
        text = repr(exc.args)
    return f"{type(exc).__name__}: {text}"[:500]


class MailProblem(TextChoices):
    """Why a mail did not go out, as HR is told; the label is the sentence."""

    ADDRESS_UNKNOWN = (
        "address_unknown",
        gettext_lazy("Delivery failed: the address does not exist. Check it with the employee."),
    )
    ADDRESS_INVALID = (
        "address_invalid",
        gettext_lazy("The address is not a valid email address. Check it with the employee."),
    )
    MAILBOX_FULL = "mailbox_full", gettext_lazy("The employee's mailbox is full.")
    RECIPIENT_REFUSED = "recipient_refused", gettext_lazy("The mail server refused the address.")
    TRY_LATER = (
        "try_later",
        gettext_lazy("The receiving mail server asked us to try again later."),
    )
    MESSAGE_REFUSED = (
        "message_refused",
        gettext_lazy(
            "The mail server refused the message itself, not the address; the portal's "
            "operator can find out why."
        ),
    )
    SENDER_REFUSED = (
        "sender_refused",
        gettext_lazy(
            "The mail server refused the portal's sender settings; the employee's address is "
            "not at fault. The portal's operator must fix this."
        ),
    )
    SERVER_UNREACHABLE = (
        "server_unreachable",
        gettext_lazy("The mail could not be delivered: the mail server could not be reached."),
    )
    SERVICE_REFUSED = (
        "service_refused",
        gettext_lazy(
            "The mail service refused the message; the portal's operator can find out why."
        ),
    )
    SERVICE_UNAVAILABLE = (
        "service_unavailable",
        gettext_lazy("The mail could not be delivered: the mail service was not available."),
    )
    UNKNOWN = "unknown", gettext_lazy("The mail could not be sent.")


# "ExceptionName: text" as the outbox writes it; a provider's description has no such prefix.
_EXCEPTION_NAME = re.compile(r"^\s*([A-Za-z_][\w.]*):(?:\s|$)")
# An SMTP reply inside smtplib's text: (550, b'...') — one per refused recipient.
_SMTP_REPLY = re.compile(r"\(\s*([245]\d\d)\s*,")
# A reply code at the start of a provider's bounce description: "550 5.1.1 ...".
_LEADING_REPLY = re.compile(r"^\s*([245]\d\d)[\s-]")
# RFC 3463 enhanced status codes: class.subject.detail.
_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
# anymail's text for an API answer: "SendGrid API response 400 (Bad Request): ...".
_API_STATUS = re.compile(r"API response (\d{3})")

_UNKNOWN_MAILBOX = re.compile(
    r"user unknown|unknown user|no such (?:user|mailbox|recipient)|does not exist|"
    r"doesn't exist|mailbox (?:not found|unavailable)|recipient (?:not found|unknown)|"
    r"invalid (?:mailbox|recipient)",
    re.IGNORECASE,
)
_FULL_MAILBOX = re.compile(r"mailbox (?:is )?full|over ?quota|quota exceeded", re.IGNORECASE)
_INVALID_ADDRESS = re.compile(
    r"invalid (?:e-?mail )?address|bad (?:destination )?(?:mailbox )?address syntax|"
    r"malformed address",
    re.IGNORECASE,
)
_CONNECTION = re.compile(
    r"connection refused|connection reset|connection unexpectedly closed|timed out|"
    r"name or service not known|temporary failure in name resolution|network is unreachable|"
    r"no route to host|please run connect\(\) first",
    re.IGNORECASE,
)
_CONNECTION_ERRORS = {
    "SMTPServerDisconnected",
    "SMTPConnectError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "ConnectionAbortedError",
    "TimeoutError",
    "gaierror",
    "socket.gaierror",
    "socket.timeout",
}
_SENDER_ERRORS = {
    "SMTPSenderRefused",
    "SMTPAuthenticationError",
    "SMTPNotSupportedError",
    "SMTPHeloError",
}


def mail_problem(error: str) -> MailProblem:
    """The kind of problem a stored mail error describes. Pure: reads only the text."""
    text = error or ""
    match = _EXCEPTION_NAME.match(text)
    name = match.group(1) if match else ""
    if name in _SENDER_ERRORS:
        return MailProblem.SENDER_REFUSED
    if name == "AnymailInvalidAddress" or _INVALID_ADDRESS.search(text):
        return MailProblem.ADDRESS_INVALID
    if name.startswith("Anymail"):
        return _provider_problem(name, text)
    if name in _CONNECTION_ERRORS:
        return MailProblem.SERVER_UNREACHABLE
    # Reply codes are read from smtplib's errors and from providers' descriptions only: in any
    # other exception's text "5.1.1" is as likely a version number.
    if not name or name.startswith("SMTP"):
        codes = [int(code) for code in _SMTP_REPLY.findall(text)]
        codes += [int(code) for code in _LEADING_REPLY.findall(text)]
        enhanced = [(int(c), int(s), int(d)) for c, s, d in _ENHANCED.findall(text)]
        if codes or enhanced:
            return _smtp_problem(name, text, codes, enhanced)
    if _CONNECTION.search(text):
        return MailProblem.SERVER_UNREACHABLE
    # A provider's bounce description without codes ("Mailbox does not exist").
    if _UNKNOWN_MAILBOX.search(text):
        return MailProblem.ADDRESS_UNKNOWN
    if _FULL_MAILBOX.search(text):
        return MailProblem.MAILBOX_FULL
    return MailProblem.UNKNOWN


def _provider_problem(name: str, text: str) -> MailProblem:
    """anymail: an HTTP status from the provider's API, or none when it was not reached."""
    if name == "AnymailRecipientsRefused":
        return MailProblem.RECIPIENT_REFUSED
    status = _API_STATUS.search(text)
    if status is None:
        return MailProblem.SERVICE_UNAVAILABLE
    code = int(status.group(1))
    if code in (408, 429) or code >= 500:
        return MailProblem.SERVICE_UNAVAILABLE
    return MailProblem.SERVICE_REFUSED


def _smtp_problem(name: str, text: str, codes: list[int], enhanced: list[tuple]) -> MailProblem:
    # Permanent when any reply is 5xx (a refused recipient among several is still refused),
    # temporary when every reply is 4xx: greylisting answers 451 at RCPT TO.
    classes = {code // 100 for code in codes} | {cls for cls, _s, _d in enhanced}
    permanent = 5 in classes
    if not permanent:
        return MailProblem.TRY_LATER if 4 in classes else MailProblem.UNKNOWN
    if any(subject == 2 and detail == 2 for _c, subject, detail in enhanced) or (
        _FULL_MAILBOX.search(text)
    ):
        return MailProblem.MAILBOX_FULL
    if any(subject == 1 and detail in (1, 10) for _c, subject, detail in enhanced) or (
        _UNKNOWN_MAILBOX.search(text)
    ):
        return MailProblem.ADDRESS_UNKNOWN
    if any(subject == 1 and detail == 3 for _c, subject, detail in enhanced):
        return MailProblem.ADDRESS_INVALID
    if name == "SMTPDataError":
        return MailProblem.MESSAGE_REFUSED
    return MailProblem.RECIPIENT_REFUSED


def mail_problem_message(
    error: str,
    *,
    retry_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> str:
    """The sentence for HR: the problem, and when the next attempt is if one is planned."""
    return _problem_message(mail_problem(error), retry_at=retry_at, now=now)


def _problem_message(problem: MailProblem, *, retry_at, now) -> str:
    sentence = str(problem.label)
    if retry_at is None:
        return sentence
    local, today = timezone.localtime(retry_at), timezone.localdate(now or timezone.now())
    when = date_format(local, "H:i" if local.date() == today else "d-m-Y H:i")
    return _("%(problem)s We will try again at %(time)s.") % {"problem": sentence, "time": when}


@dataclass(frozen=True)
class MailProblemReport:
    problem: MailProblem
    message: str
    detail: str  # the stored technical text, for the operator


def invitation_mail_problem(invitation: Invitation, *, now=None) -> MailProblemReport | None:
    """What the access panel says about the invitation's mail, or None when nothing went wrong
    (a mail sent after a failed attempt keeps no complaint)."""
    if not invitation.mail_error or invitation.mail_status in (
        Invitation.MailStatus.SENT,
        Invitation.MailStatus.DELIVERED,
        # Delivered, then reported as spam: the badge says so; there is no failure to explain.
        Invitation.MailStatus.COMPLAINED,
    ):
        return None
    problem = mail_problem(invitation.mail_error)
    if problem == MailProblem.UNKNOWN and invitation.mail_status == Invitation.MailStatus.BOUNCED:
        # A bounce whose description says nothing we know: the receiving side refused it.
        problem = MailProblem.RECIPIENT_REFUSED
    retrying = invitation.mail_status == Invitation.MailStatus.QUEUED
    return MailProblemReport(
        problem=problem,
        message=_problem_message(
            problem, retry_at=invitation.mail_next_attempt_at if retrying else None, now=now
        ),
        detail=invitation.mail_error,
    )
