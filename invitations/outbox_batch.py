"""How the outbox hands mails to the backend: one message per invitation, or, when the backend is
a provider's HTTP API that takes a batch, one call for many invitations (issue 17).

A provider reached over HTTP costs 20–200 ms a call. Providers in BATCH_PROVIDERS take hundreds
of personalised mails in one call through anymail's batch sending (`merge_data`: one mail per
address in `to`, each with its own values), with the content given in the call (no template
stored at the provider), and report each recipient's result: accepted (`sent`, `queued`) sets
that invitation's sent mark; refused (`rejected`, `invalid`) closes it as undelivered, as a refusal
of a single mail does; anything else (`failed`, `unknown`, no report) sends it again later. An
error of the whole call is classified as a single mail's error is, for every invitation in it.

The one-mail guarantee becomes one per call: a call's sent marks are committed together when it
returns. A worker killed during a call, or before that commit, leaves that call's invitations
`sending`; after the lease another worker sends them again, once, with the same links
(invitations.tokens); the chunk's other calls were either marked or never made. A call that
times out on our side (anymail's REQUESTS_TIMEOUT) may still have been taken by the provider:
its recipients are retried and may get the mail twice, with the same link. docs/design.md, the
invitation outbox.
"""

from dataclasses import dataclass

from anymail.backends.base import AnymailBaseBackend
from anymail.exceptions import (
    AnymailAPIError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
)
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from invitations.mails import InvitationMails, invitation_link
from invitations.models import Invitation


@dataclass(frozen=True)
class BatchProvider:
    limit: int  # recipients per call
    merge_field: str  # a merge field in the provider's syntax, {} for its name


# Keyed by anymail's esp_name, lowercased. Mandrill (Mailchimp Transactional) answers a batch
# with each recipient's status (sent, queued, rejected, invalid), merges `*|NAME|*` fields into
# the content of the call, and sets no recipient limit on its API (the JSON must stay under
# 10 MB; 500 mails with a logo are well below). Postmark needs a template stored at Postmark for
# merge_data; SendGrid, Mailgun, Brevo and SparkPost do not say which recipient was refused.
BATCH_PROVIDERS = {"mandrill": BatchProvider(limit=500, merge_field="*|{}|*")}

ACCEPTED = {"sent", "queued"}


def batch_provider(connection) -> tuple[BatchProvider, int] | None:
    """The connection's provider and how many recipients a call takes, or None for one message
    per invitation (SMTP, any other backend, or MAIL_BATCH_SIZE 0 or 1)."""
    if not isinstance(connection, AnymailBaseBackend):
        return None
    provider = BATCH_PROVIDERS.get(connection.esp_name.lower())
    if provider is None:
        return None
    size = settings.MAIL_BATCH_SIZE if settings.MAIL_BATCH_SIZE is not None else provider.limit
    return (provider, size) if size > 1 else None


@dataclass
class Delivery:
    """What became of one invitation's mail: `error` None means handed over."""

    invitation: Invitation
    error: Exception | None = None
    message_id: str = ""
    mail_to: str = ""


class OneMail:
    """One message, one invitation: SMTP's way, and any single invitation's."""

    def __init__(self, invitation: Invitation, message):
        self.invitations = [invitation]
        self.message = message

    def keep(self, invitations: list[Invitation]) -> None:
        self.invitations = invitations  # the caller sends nothing when the one row is lost

    def send(self) -> list[Delivery]:
        (invitation,) = self.invitations
        try:
            self.message.send()
        except Exception as exc:  # noqa: BLE001 - classified by the outbox, never lost
            return [Delivery(invitation, exc)]
        status = getattr(self.message, "anymail_status", None)
        message_id = str((getattr(status, "message_id", None) or "") if status else "")
        return [Delivery(invitation, None, message_id[:255], ", ".join(self.message.to))]


class BatchMail:
    """One provider call for several invitations (all to different addresses)."""

    def __init__(self, invitations: list[Invitation], message):
        self.invitations = invitations
        self.message = message

    def keep(self, invitations: list[Invitation]) -> None:
        """Leave out the rows this worker lost before the call."""
        self.invitations = invitations
        addresses = {invitation.employee.email for invitation in invitations}
        self.message.to = [address for address in self.message.to if address in addresses]
        for name in ("merge_data", "merge_metadata"):
            data = getattr(self.message, name)
            setattr(self.message, name, {a: v for a, v in data.items() if a in addresses})

    def send(self) -> list[Delivery]:
        try:
            self.message.send()
        except AnymailRecipientsRefused:
            pass  # every recipient refused: their statuses below say how
        except Exception as exc:  # noqa: BLE001 - the whole call failed; classified as one mail's
            return [Delivery(invitation, exc) for invitation in self.invitations]
        status = self.message.anymail_status
        # Compared without case: a provider may report an address in other letters.
        results = {address.lower(): result for address, result in status.recipients.items()}
        reasons = _reject_reasons(status)
        deliveries = []
        for invitation in self.invitations:
            address = invitation.employee.email
            result = results.get(address.lower())
            state = result.status if result else "not reported"
            if state in ACCEPTED:
                deliveries.append(
                    Delivery(invitation, None, str(result.message_id or "")[:255], address)
                )
            else:
                deliveries.append(Delivery(invitation, _recipient_error(state, reasons, address)))
        return deliveries


def _recipient_error(state: str, reasons: dict[str, str], address: str) -> Exception:
    reason = reasons.get(address.lower())
    detail = f"the provider answered {state!r} for this recipient" + (
        f" ({reason})" if reason else ""
    )
    if state == "rejected":
        return AnymailRecipientsRefused(detail)  # permanent: as a single mail refused
    if state == "invalid":
        return AnymailInvalidAddress(detail)  # permanent
    return AnymailAPIError(detail)  # failed, unknown: retried later


def _reject_reasons(status) -> dict[str, str]:
    """Mandrill's reason for each refusal (hard-bounce, spam, unsub, …), from its answer that
    anymail keeps in `esp_response`; anymail's statuses do not carry it."""
    try:
        answer = status.esp_response.json()
        return {
            item["email"].lower(): str(item["reject_reason"])
            for item in answer
            if item.get("reject_reason")
        }
    except (AttributeError, KeyError, TypeError, ValueError):
        return {}


def chunk_mails(
    claimed: list[tuple[Invitation, str]], *, valid_until, connection
) -> tuple[list, list[tuple[Invitation, Exception]]]:
    """The chunk's messages, to be sent in turn (OneMail or BatchMail), and the invitations
    whose mail could not be built, with the error."""
    mails = InvitationMails()
    batch = batch_provider(connection)
    calls = [[pair] for pair in claimed] if batch is None else _calls(claimed, batch[1])
    sendings, failures = [], []
    for call in calls:
        try:
            if len(call) == 1:
                ((invitation, raw),) = call
                message = mails.message(
                    invitation,
                    link=invitation_link(raw),
                    valid_until=valid_until,
                    connection=connection,
                )
                sendings.append(OneMail(invitation, message))
            else:
                message = mails.merged_message(
                    call,
                    valid_until=valid_until,
                    merge_field=batch[0].merge_field.format,
                    connection=connection,
                )
                sendings.append(BatchMail([invitation for invitation, _raw in call], message))
        except Exception as exc:  # noqa: BLE001 - classified by the outbox, never lost
            failures.extend((invitation, exc) for invitation, _raw in call)
    return sendings, failures


def _calls(claimed: list[tuple[Invitation, str]], size: int) -> list[list[tuple[Invitation, str]]]:
    """One call per employer, language and kind (sender, logo and text are the call's), of at
    most `size` recipients, each address once: a provider's merge data has one entry per address,
    so two invitations to one shared address go in two calls."""
    groups: dict[tuple, list[tuple[list, set[str]]]] = {}
    alone = []
    for invitation, raw in claimed:
        employee = invitation.employee
        if not _well_formed(employee.email):
            # anymail refuses a call with one malformed address in it, whole: such an address
            # fails in a message of its own, as over SMTP.
            alone.append([(invitation, raw)])
            continue
        key = (employee.employer_id, employee.language, invitation.is_resend)
        address = employee.email.lower()
        calls = groups.setdefault(key, [])
        for call, addresses in calls:
            if len(call) < size and address not in addresses:
                break
        else:
            call, addresses = [], set()
            calls.append((call, addresses))
        call.append((invitation, raw))
        addresses.add(address)
    return [call for calls in groups.values() for call, _addresses in calls] + alone


def _well_formed(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True
