"""Batch hand-over (issue 17): through a provider that takes a batch (Mandrill, via anymail), a
chunk of invitations goes out in few calls, each recipient with their own link and name, and
each recipient's result sets their invitation's state. Against bench/provider_stub.py over HTTP."""

import datetime
import io
import math
from html import escape
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.files.base import ContentFile
from django.core.mail import get_connection
from django.utils import timezone
from PIL import Image

from bench.provider_stub import ProviderStub
from employers.models import AuditEvent
from invitations import outbox, outbox_batch
from invitations.activation.link import SESSION_KEY
from invitations.collective import grant_batch_run
from invitations.mail_errors import MailProblem, mail_problem
from invitations.mails import InvitationMails, invitation_link
from invitations.models import Invitation, invitation_validity
from invitations.outbox import invitations_due_for_sending, invitations_send_mail
from invitations.services import grant_batch_start, invitation_grant
from invitations.tokens import token_for
from tests.factories import EmployeeFactory, EmployerFactory
from tests.invitations.helpers import ACTIVATE, LINK, link_path

pytestmark = pytest.mark.django_db
LEASE = 90


@pytest.fixture
def stub(settings):
    with ProviderStub(latency=0, reject=r"^bounce", invalid=r"^invalid") as stub:
        settings.EMAIL_BACKEND = "anymail.backends.mandrill.EmailBackend"
        settings.ANYMAIL = {"MANDRILL_API_KEY": stub.api_key, "MANDRILL_API_URL": stub.url}
        settings.MAIL_BATCH_SIZE = None
        settings.MAIL_CLAIM_LEASE_SECONDS = LEASE
        yield stub


def queued(count, employer=None, **fields):
    """Invitations granted but not yet mailed (the test's transaction never commits, so the task
    started on commit does not run)."""
    kwargs = {"employer": employer} if employer else {}
    return [invitation_grant(employee=EmployeeFactory(**kwargs, **fields)) for _ in range(count)]


def states(invitations) -> dict[int, tuple[str, str]]:
    return {
        pk: (status, mail_status)
        for pk, status, mail_status in Invitation.objects.filter(
            pk__in=[i.pk for i in invitations]
        ).values_list("pk", "status", "mail_status")
    }


def mail_to(stub, invitation) -> list[dict]:
    return [m for m in stub.mails if m["metadata"].get("invitation") == str(invitation.pk)]


# --- A grant through the provider ---------------------------------------------------------------


def test_a_collective_grant_goes_out_in_one_call_per_batch_limit_each_mail_its_own(
    stub, settings, employer, client, on_commit
):
    settings.MAIL_BATCH_SIZE = 4
    employees = [EmployeeFactory(employer=employer, first_name=f"Naam{i}") for i in range(10)]
    with on_commit():
        batch = grant_batch_start(employer=employer)
    batch = grant_batch_run(batch_id=batch.pk)
    invitations = list(Invitation.objects.filter(batch=batch).select_related("employee"))
    assert len(invitations) == 10
    assert all(i.mail_status == "sent" for i in invitations)
    assert stub.calls == math.ceil(10 / 4) and len(stub.mails) == 10
    assert not mail.outbox  # nothing through the default backend
    tokens = set()
    for invitation in invitations:
        (sent,) = mail_to(stub, invitation)
        employee = invitation.employee
        assert sent["to"] == employee.email == invitation.mail_to
        assert sent["id"] == invitation.mail_message_id  # the provider's id, for tracking
        assert (
            f"{employee.first_name}," in sent["text"] and f"{employee.first_name}," in sent["html"]
        )
        assert employer.name in sent["subject"] and "*|" not in sent["subject"] + sent["html"]
        (token,) = set(LINK.findall(sent["text"]))
        assert LINK.findall(sent["html"]) == [token] * 3  # the button, the link under it, its text
        tokens.add(token)
        assert sent["preserve_recipients"] is False  # nobody sees the others' addresses
    assert len(tokens) == 10
    assert {i.employee_id for i in invitations} == {e.pk for e in employees}
    # Each link works: it opens the activation for its own invitation.
    for invitation in invitations[:3]:
        (sent,) = mail_to(stub, invitation)
        (token,) = set(LINK.findall(sent["text"]))
        client.cookies.clear()
        assert client.get(link_path(token))["Location"] == ACTIVATE
        assert client.session[SESSION_KEY] == invitation.pk
    audited = AuditEvent.objects.filter(action=AuditEvent.Action.MAIL_SENT).count()
    assert audited == 10


def test_each_recipient_gets_exactly_the_mail_a_single_send_would_build(stub, employer):
    """The merged mail equals the one-message mail, part for part, with names that HTML must
    escape (once) and a subject HR made personal."""
    from employers.texts import email_text_save

    email_text_save(
        owner=employer,
        kind="invitation",
        language="nl",
        subject="Voor {first_name} bij {employer}",
        body="Hoi {first_name} <b>&</b>\n\n{link}\n\n{full_name}: 'tot' \"ziens\"",
    )
    tricky = ['<script>"A&B"', "O'Brien & Zn", "Ünïcode <3", "&amp;"]
    invitations = [
        invitation_grant(employee=EmployeeFactory(employer=employer, first_name=name))
        for name in tricky
    ]
    claimed_at = timezone.now()
    with time_machine.travel(claimed_at, tick=False):
        invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert stub.calls == 1
    mails = InvitationMails()
    for invitation in invitations:
        invitation.refresh_from_db()
        (sent,) = mail_to(stub, invitation)
        expected = mails.message(
            invitation,
            link=invitation_link(token_for(invitation.token_nonce)),
            valid_until=claimed_at + invitation_validity(),
        )
        assert sent["subject"] == expected.subject
        assert sent["text"] == expected.body
        assert sent["html"] == expected.alternatives[0][0]
        name = invitation.employee.first_name
        assert escape(name) in sent["html"] and escape(escape(name)) not in sent["html"]
        assert f"Hoi {name} <b>&</b>" in sent["text"]


def test_the_employers_logo_goes_with_the_call_as_an_inline_image(
    stub, employer, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    buffer = io.BytesIO()
    Image.new("RGB", (120, 30), (11, 92, 173)).save(buffer, format="PNG")
    employer.logo.save("logo.png", ContentFile(buffer.getvalue()), save=True)
    invitations = queued(3, employer)
    invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert stub.calls == 1 and len(stub.mails) == 3
    for sent in stub.mails:
        assert sent["images"] == ["employer-logo"]
        assert 'src="cid:employer-logo"' in sent["html"]


# --- Per-recipient results ------------------------------------------------------------------------


def test_refused_recipients_are_undelivered_and_the_others_sent(stub, employer):
    fine = queued(3, employer)
    bounced = queued(1, employer, email="bounce@example.test")
    invalid = queued(1, employer, email="invalid@example.test")
    result = invitations_send_mail(invitation_ids=[i.pk for i in fine + bounced + invalid])
    assert stub.calls == 1
    assert sorted(result.sent) == sorted(i.pk for i in fine)
    assert sorted(result.failed) == sorted(i.pk for i in bounced + invalid)
    assert set(states(fine).values()) == {("pending", "sent")}
    assert set(states(bounced + invalid).values()) == {("undelivered", "failed")}
    (b,) = bounced
    b.refresh_from_db()
    assert "hard-bounce" in b.mail_error
    assert mail_problem(b.mail_error) == MailProblem.RECIPIENT_REFUSED
    (i,) = invalid
    i.refresh_from_db()
    assert mail_problem(i.mail_error) == MailProblem.ADDRESS_INVALID
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MAIL_FAILED).count() == 2


def test_a_malformed_address_fails_alone_and_does_not_sink_the_call(stub, employer):
    fine = queued(3, employer)
    malformed = queued(1, employer, email="geen-adres")
    result = invitations_send_mail(invitation_ids=[i.pk for i in fine + malformed])
    assert sorted(result.sent) == sorted(i.pk for i in fine)
    assert result.failed == [malformed[0].pk]
    assert stub.calls == 1 and len(stub.mails) == 3
    malformed[0].refresh_from_db()
    assert mail_problem(malformed[0].mail_error) == MailProblem.ADDRESS_INVALID


def test_a_call_whose_recipients_are_all_refused_fails_them_all_for_good(stub, employer):
    bounced = [queued(1, employer, email=f"bounce{n}@example.test")[0] for n in range(2)]
    result = invitations_send_mail(invitation_ids=[i.pk for i in bounced])
    assert sorted(result.failed) == sorted(i.pk for i in bounced) and not result.retrying
    assert set(states(bounced).values()) == {("undelivered", "failed")}


def test_a_failed_call_is_retried_later_and_nothing_is_marked_sent(stub, employer):
    invitations = queued(3, employer)
    stub.fail_next(1, status=503)
    result = invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert sorted(result.retrying) == sorted(i.pk for i in invitations) and not result.sent
    assert set(states(invitations).values()) == {("pending", "queued")}
    assert not stub.mails
    first = Invitation.objects.get(pk=invitations[0].pk)
    assert "503" in first.mail_error
    assert mail_problem(first.mail_error) == MailProblem.SERVICE_UNAVAILABLE
    latest = max(
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).values_list(
            "mail_next_attempt_at", flat=True
        )
    )
    with time_machine.travel(latest, tick=False):
        invitations_send_mail(invitation_ids=invitations_due_for_sending())
    assert set(states(invitations).values()) == {("pending", "sent")}
    assert len(stub.mails) == 3 and stub.calls == 1


def test_a_call_refused_for_a_wrong_key_is_retried_not_given_up(stub, employer, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "MANDRILL_API_KEY": "wrong"}
    invitations = queued(2, employer)
    result = invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert sorted(result.retrying) == sorted(i.pk for i in invitations)


# --- Grouping ---------------------------------------------------------------------------------


def test_two_invitations_to_one_shared_address_go_in_two_calls(stub, employer, provider):
    """A provider's merge data has one entry per address (addresses compare without case): a
    family sharing one address gets each invitation in a call of its own, each with its own
    link. (One employer's employees have distinct addresses, but only as written.)"""
    family = [
        queued(1, employer, email=address)[0]
        for address in ("familie@example.test", "Familie@example.test", "FAMILIE@example.test")
    ]
    others = queued(3, employer)
    result = invitations_send_mail(invitation_ids=[i.pk for i in family + others])
    assert len(result.sent) == 6
    # {family[0], others}, then family[1] and family[2] each as a message of its own.
    assert stub.calls == 3
    assert len(stub.mails) == 6
    for call in {m["call"] for m in stub.mails}:
        addresses = [m["to"].lower() for m in stub.mails if m["call"] == call]
        assert len(set(addresses)) == len(addresses)
    family_mails = [m for m in stub.mails if m["to"].lower() == "familie@example.test"]
    links = [LINK.findall(m["text"])[0] for m in family_mails]
    assert len(family_mails) == 3 and len(set(links)) == 3
    assert set(states(family).values()) == {("pending", "sent")}


def test_employers_and_languages_each_get_their_own_call(stub, employer, provider):
    other = EmployerFactory(provider=provider)
    dutch = queued(2, employer)
    english = queued(2, employer, language="en")
    elsewhere = queued(2, other)
    invitations_send_mail(invitation_ids=[i.pk for i in dutch + english + elsewhere])
    assert stub.calls == 3
    for group in (dutch, english, elsewhere):
        calls = {m["call"] for i in group for m in mail_to(stub, i)}
        assert len(calls) == 1
    (sent,) = mail_to(stub, elsewhere[0])
    assert sent["from_name"].startswith(other.name)


def test_smtp_and_other_backends_still_send_one_message_per_invitation(settings, employer):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    invitations = queued(3, employer)
    invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert [m.to for m in mail.outbox] == [[i.employee.email] for i in invitations]
    assert all("X-ESS-Invitation" in m.extra_headers for m in mail.outbox)


@pytest.mark.parametrize("size", [0, 1])
def test_mail_batch_size_0_or_1_turns_batch_sending_off(stub, settings, employer, size):
    settings.MAIL_BATCH_SIZE = size
    invitations = queued(3, employer)
    invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert stub.calls == 3 and len(stub.mails) == 3
    assert all(m["headers"].get("X-ESS-Invitation") for m in stub.mails)


# --- Claims and crashes -----------------------------------------------------------------------


def test_a_worker_that_lost_its_claim_before_the_call_sends_and_writes_nothing(stub, employer):
    invitations = queued(3, employer)
    real_claim = outbox._claim

    def claim_then_lose(ids, now):
        lease, claimed = real_claim(ids, now)
        # Another worker took the rows over (this one was paused past the lease).
        Invitation.objects.filter(pk__in=ids).update(mail_claim="someone-else")
        lease._renew_at = 0  # the next check asks the database
        return lease, claimed

    with mock.patch.object(outbox, "_claim", claim_then_lose):
        result = invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert result.lost == 3 and not result.sent
    assert stub.calls == 0
    assert set(states(invitations).values()) == {("pending", "sending")}


def test_a_worker_that_loses_part_of_its_claim_leaves_those_out_of_the_call(stub, employer):
    invitations = queued(3, employer)
    taken = invitations[1]
    real_claim = outbox._claim

    def claim_then_lose_one(ids, now):
        lease, claimed = real_claim(ids, now)
        Invitation.objects.filter(pk=taken.pk).update(mail_claim="someone-else")
        lease._renew_at = 0
        return lease, claimed

    with mock.patch.object(outbox, "_claim", claim_then_lose_one):
        result = invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert result.lost == 1 and len(result.sent) == 2
    assert [m["to"] for m in stub.mails] == [i.employee.email for i in invitations if i != taken]


class Killed(BaseException):
    """The worker process dies (SIGKILL): nothing after this runs, no except clause catches it."""


def test_a_worker_killed_after_a_call_resends_only_that_calls_recipients_once(
    stub, settings, employer, client
):
    """The provider took the first call; the worker dies before its sent marks are committed.
    After the lease another worker sends that call's recipients again, once, with the same
    links, and the others once."""
    settings.MAIL_BATCH_SIZE = 3
    invitations = queued(7, employer)  # calls of 3, 3 and 1

    with mock.patch.object(outbox, "mark_sent", side_effect=Killed), pytest.raises(Killed):
        invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    first_call = {m["to"]: LINK.findall(m["text"]) for m in stub.mails}
    assert stub.calls == 1 and len(first_call) == 3
    assert set(states(invitations).values()) == {("pending", "sending")}

    # After the lease the sweep gives the rows to another worker.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=LEASE + 1), tick=False):
        invitations_send_mail(invitation_ids=invitations_due_for_sending())
    assert set(states(invitations).values()) == {("pending", "sent")}
    assert stub.calls == 1 + 3
    mails_per_address = {}
    for sent in stub.mails:
        mails_per_address.setdefault(sent["to"], []).append(LINK.findall(sent["text"]))
    twice = {address for address, links in mails_per_address.items() if len(links) == 2}
    assert twice == set(first_call)  # that call's recipients, once more
    assert len(mails_per_address) == 7 and all(
        len(links) <= 2 for links in mails_per_address.values()
    )
    for links in mails_per_address.values():
        assert all(link == links[0] for link in links)  # a resend carries the same link
    # The first mail's link works.
    (token,) = next(iter(first_call.values()))
    assert client.get(link_path(token))["Location"] == ACTIVATE


def test_a_row_taken_over_during_the_call_is_not_marked_and_the_others_are(stub, employer):
    invitations = queued(3, employer)
    taken = invitations[1]
    real_send = outbox_batch.BatchMail.send

    def send_then_lose_one(self):
        deliveries = real_send(self)
        Invitation.objects.filter(pk=taken.pk).update(mail_claim="someone-else")
        return deliveries

    with mock.patch.object(outbox_batch.BatchMail, "send", send_then_lose_one):
        result = invitations_send_mail(invitation_ids=[i.pk for i in invitations])
    assert result.lost == 1 and sorted(result.sent) == sorted(
        i.pk for i in invitations if i != taken
    )
    assert states([taken]) == {taken.pk: ("pending", "sending")}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MAIL_SENT).count() == 2


def test_only_providers_known_to_answer_per_recipient_get_batches(settings):
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "token", "MANDRILL_API_KEY": "key"}
    settings.MAIL_BATCH_SIZE = None
    mandrill = get_connection("anymail.backends.mandrill.EmailBackend")
    assert outbox_batch.batch_provider(mandrill)[1] == 500  # Mandrill's own limit
    # Postmark merges only into templates stored at Postmark; SMTP has no batches.
    assert (
        outbox_batch.batch_provider(get_connection("anymail.backends.postmark.EmailBackend"))
        is None
    )
    assert (
        outbox_batch.batch_provider(get_connection("django.core.mail.backends.smtp.EmailBackend"))
        is None
    )
    settings.MAIL_BATCH_SIZE = 50
    assert outbox_batch.batch_provider(mandrill)[1] == 50
