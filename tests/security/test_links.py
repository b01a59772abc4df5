"""An attacker (or a mail scanner, or a confused employee) with an invitation link in hand."""

import base64
import datetime
import io
import json
import logging
from unittest import mock
from urllib.parse import unquote

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from employers.models import AuditEvent
from essportal.logging import RedactSecrets
from essportal.models import User
from invitations.activation.link import SESSION_KEY
from invitations.models import Invitation
from invitations.services import invitation_resend, invitation_revoke
from invitations.tokens import token_for, token_hash
from tests.invitations.helpers import (
    ACCOUNT,
    ACTIVATE,
    AFTER_ACTIVATION,
    BIRTH_DATE,
    CREDENTIALS,
    activate,
    last_token,
    link_path,
)

# --- Replay: used, superseded, revoked ---------------------------------------------------------


def test_a_used_link_cannot_be_replayed_in_another_browser(client, browser, invited, employee):
    invitation, token = invited
    client.get(link_path(token))
    assert activate(client)["Location"] == AFTER_ACTIVATION

    response = browser.get(link_path(token), follow=True)
    assert response.status_code == 410
    assert response.context["state"] == "used"
    assert SESSION_KEY not in browser.session
    assert browser.get(ACTIVATE).status_code == 404
    assert browser.post(ACCOUNT, {**CREDENTIALS, "username": "mallory"}).status_code == 404
    assert User.objects.count() == 1


def test_the_session_copied_before_activation_is_worthless_afterwards(
    client, browser, invited, employee
):
    """Someone who copied the onboarding cookie cannot finish a second account with it."""
    _, token = invited
    client.get(link_path(token))
    client.post(ACTIVATE, BIRTH_DATE)
    browser.cookies["sessionid"] = client.cookies["sessionid"].value  # stolen mid-way
    assert client.post(ACCOUNT, CREDENTIALS)["Location"] == AFTER_ACTIVATION

    response = browser.post(ACCOUNT, {**CREDENTIALS, "username": "mallory"})
    assert response.status_code == 404
    assert not User.objects.filter(username="mallory").exists()
    assert browser.get(reverse("portal:details")).status_code == 302  # not signed in as Anna


def test_the_old_link_after_a_resend_is_refused(client, invited, employee, on_commit):
    _, old_token = invited
    with on_commit():
        invitation_resend(employee=employee)
    assert last_token() != old_token
    response = client.get(link_path(old_token), follow=True)
    assert response.status_code == 410
    assert response.context["state"] == "superseded"
    assert SESSION_KEY not in client.session


def test_a_revoked_link_is_refused(client, invited, employee):
    _, token = invited
    invitation_revoke(employee=employee)
    response = client.get(link_path(token), follow=True)
    assert response.status_code == 410
    assert response.context["state"] == "revoked"
    assert SESSION_KEY not in client.session
    assert client.get(ACTIVATE).status_code == 404


def test_a_mail_scanner_opening_the_link_three_times_and_heading_it_changes_nothing(
    client, browser, invited
):
    invitation, token = invited
    before = Invitation.objects.values().get(pk=invitation.pk)
    events = AuditEvent.objects.count()
    for _ in range(3):
        assert browser.get(link_path(token))["Location"] == ACTIVATE
    assert browser.head(link_path(token)).status_code in (200, 302)
    assert Invitation.objects.values().get(pk=invitation.pk) == before
    assert AuditEvent.objects.count() == events
    # The employee, after the scanner, still gets all the way through.
    client.get(link_path(token))
    assert activate(client)["Location"] == AFTER_ACTIVATION


# --- Dead links: refused on a page whose address holds no token -----------------------------------
# The refusal page used to render at /invite/<token>/, and its language switch posted
# next=/invite/<token>/: the token sat in the address bar, the history and the form.

DEAD_STATUSES = {
    "revoked": "revoked",
    "superseded": "superseded",
    "accepted": "used",
    "locked": "locked",
    "expired": "expired",
}


def follow_dead_link(client, path):
    """Open a link that does not work: one redirect, then the page that says why."""
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("invitations:link_state"))
    return response["Location"], client.get(response["Location"])


@pytest.mark.parametrize("status", DEAD_STATUSES, ids=list(DEAD_STATUSES))
def test_a_dead_link_is_refused_on_a_page_whose_address_holds_no_token(
    client, invited, employer, status
):
    invitation, token = invited
    Invitation.objects.filter(pk=invitation.pk).update(status=status)
    location, page = follow_dead_link(client, link_path(token))
    assert token not in location
    assert page.status_code == 410
    assert page.context["state"] == DEAD_STATUSES[status]
    html = page.content.decode()
    assert token not in html  # nor in the language switch's next=
    assert 'name="next" type="hidden" value="/invite/' not in html
    assert "no-store" in page["Cache-Control"]
    if status != "accepted":
        assert employer.contact_email in html  # whom to ask, as before


def test_a_link_that_expired_by_time_is_refused_without_the_token_in_the_address(client, invited):
    invitation, token = invited
    with time_machine.travel(invitation.expires_at + datetime.timedelta(seconds=1), tick=False):
        location, page = follow_dead_link(client, link_path(token))
    assert token not in location and token not in page.content.decode()
    assert (page.status_code, page.context["state"]) == (410, "expired")


@pytest.mark.parametrize(
    "tampering", ["truncated", "overlong 10 kB", "space appended", "newline appended"]
)
def test_a_link_mangled_by_a_mail_client_is_refused_without_echoing_what_is_left_of_it(
    client, invited, tampering
):
    _, token = invited
    location, page = follow_dead_link(client, link_path(TAMPERINGS[tampering](token)))
    assert token[:40] not in location and token[:40] not in page.content.decode()
    assert (page.status_code, page.context["state"]) == (404, "invalid")


def test_switching_language_on_a_refusal_page_keeps_the_reason_and_never_the_token(client, invited):
    _, token = invited
    Invitation.objects.update(status="revoked")
    location, _page = follow_dead_link(client, link_path(token))
    switched = client.post(reverse("set_language"), {"language": "en", "next": location})
    assert switched["Location"] == location
    page = client.get(location)
    assert page.context["state"] == "revoked"
    assert "This invitation was withdrawn" in page.content.decode()


def test_opening_a_dead_link_writes_nothing_not_even_a_session(client, invited):
    from django.contrib.sessions.models import Session

    invitation, token = invited
    Invitation.objects.filter(pk=invitation.pk).update(status="revoked")
    before = Invitation.objects.values().get(pk=invitation.pk)
    events, sessions = AuditEvent.objects.count(), Session.objects.count()
    for _ in range(3):
        follow_dead_link(client, link_path(token))
    assert client.head(link_path(token)).status_code == 302
    assert Invitation.objects.values().get(pk=invitation.pk) == before
    assert AuditEvent.objects.count() == events
    assert Session.objects.count() == sessions
    assert "sessionid" not in client.cookies


@pytest.mark.parametrize(
    "query",
    ["", "?s=", "?s=revoked", "?s=x:y:z", "?state=revoked&employer=1", "?s=" + "A" * 5000],
)
def test_a_made_up_refusal_address_shows_the_plain_not_valid_page(client, invited, query):
    page = client.get(reverse("invitations:link_state") + query)
    assert (page.status_code, page.context["state"]) == (404, "invalid")
    assert "Bakkerij" not in page.content.decode()


def test_a_refusal_address_cannot_be_forged_to_show_another_employers_contact(
    client, invited, other_employer
):
    """The reason and the employer travel signed: the same value with another employer's id in
    it, or one signed with another key, shows nothing of that employer."""
    from django.core import signing

    _, token = invited
    Invitation.objects.update(status="revoked")
    location, _page = follow_dead_link(client, link_path(token))
    value = unquote(location.split("s=", 1)[1])
    payload, signature = value.split(":", 1)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["employer"] = other_employer.pk
    altered = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    forgeries = [
        altered.decode().rstrip("=") + ":" + signature,
        signing.dumps(data, key="not-the-secret-key", salt="invitations.link_state"),
    ]
    for forged in forgeries:
        page = client.get(reverse("invitations:link_state"), {"s": forged})
        assert other_employer.name not in page.content.decode()
        assert (page.status_code, page.context["state"]) == (404, "invalid")


# --- Malformed tokens ---------------------------------------------------------------------------

TAMPERINGS = {
    "truncated": lambda t: t[:-1],
    "one character altered": lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    "case swapped": lambda t: t.swapcase(),
    "overlong 10 kB": lambda t: t + "A" * 10_000,
    "NUL inside": lambda t: t[:20] + "%00" + t[21:],
    "NUL appended": lambda t: t + "%00",
    "newline appended": lambda t: t + "%0A",
    "space appended": lambda t: t + "%20",
    "zero-width space appended": lambda t: t + "%E2%80%8B",
    "double percent-encoded": lambda t: "%2541" + t[1:],
    "non-ASCII letter": lambda t: t[:-1] + "%C3%A9",
    "with a query string glued on": lambda t: t + "%3Fx%3D1",
    "the stored hash instead of the token": lambda t: token_hash(t),
}


@pytest.mark.parametrize("tampering", TAMPERINGS, ids=list(TAMPERINGS))
def test_a_tampered_token_gets_the_plain_not_valid_page(client, invited, employee, tampering):
    _, token = invited
    response = client.get(link_path(TAMPERINGS[tampering](token)), follow=True)
    assert response.status_code == 404
    assert response.context["state"] == "invalid"
    page = response.content.decode()
    for personal in (employee.first_name, employee.last_name, employee.email, "Bakkerij"):
        assert personal not in page
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("path", ["/invite/abc%2Fdef/", "/invite/%2F/", "/invite//", "/invite/"])
def test_a_token_that_breaks_the_path_is_a_plain_404(client, invited, path):
    response = client.get(path)
    assert response.status_code == 404
    assert SESSION_KEY not in client.session


# --- Host header ----------------------------------------------------------------------------------


def test_a_forged_host_header_is_refused_when_hr_grants(manager_client, employee):
    url = reverse("hr:invitation_grant", args=[employee.pk])
    response = manager_client.post(url, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert not Invitation.objects.filter(employee=employee).exists()
    assert mail.outbox == []


def test_a_forwarded_host_does_not_change_the_link_in_the_mail(
    manager_client, employee, settings, on_commit
):
    url = reverse("hr:invitation_grant", args=[employee.pk])
    with on_commit():
        manager_client.post(url, HTTP_X_FORWARDED_HOST="evil.example", HTTP_HOST="testserver")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body + mail.outbox[0].alternatives[0][0]
    assert "evil.example" not in body
    assert f"{settings.SITE_URL}/invite/" in body


# --- Where the token must never turn up -----------------------------------------------------------


def test_the_token_is_not_in_any_later_page_nor_in_the_address_the_browser_shows(client, invited):
    _, token = invited
    first = client.get(link_path(token))
    assert first["Location"] == ACTIVATE
    assert first["Referrer-Policy"] == "same-origin"
    pages = [client.get(ACTIVATE)]
    pages.append(client.post(ACTIVATE, BIRTH_DATE, follow=True))
    pages.append(client.post(ACCOUNT, CREDENTIALS, follow=True))
    for response in pages:
        assert token not in response.content.decode()
        assert response["Referrer-Policy"] == "same-origin"
        for url, _status in response.redirect_chain if hasattr(response, "redirect_chain") else []:
            assert token not in url
    assert token not in str(dict(client.session))


def test_the_link_page_of_a_refused_token_sets_a_strict_referrer_policy(client, invited):
    _, token = invited
    Invitation.objects.update(status="revoked")
    redirect_response = client.get(link_path(token))
    # The redirect leaves the token URL; it is never cached, nor is the page it leads to.
    for response in (redirect_response, client.get(redirect_response["Location"])):
        assert response["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
        assert "no-store" in response["Cache-Control"]


def test_the_mail_task_message_carries_ids_only(manager_client, employee, on_commit):
    with mock.patch("invitations.tasks.send_invitation_mails.delay") as delay:
        with on_commit():
            manager_client.post(reverse("hr:invitation_grant", args=[employee.pk]))
        with on_commit():
            manager_client.post(reverse("hr:invitation_resend", args=[employee.pk]))
    assert delay.call_count == 2
    for call in delay.call_args_list:
        assert call.kwargs == {}
        (ids,) = call.args
        assert ids and all(type(i) is int for i in ids)
    # Nothing was sent, so no token exists anywhere yet.
    assert Invitation.objects.filter(token_hash__isnull=False).count() == 0


def test_a_database_dump_holds_no_working_link(invited):
    invitation, token = invited
    from django.db import connection

    with connection.cursor() as cursor:
        dump = []
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the database
            dump.extend(str(value) for row in cursor.fetchall() for value in row)
    assert not any(token in value for value in dump)
    assert Invitation.objects.get(pk=invitation.pk).token_hash == token_hash(token)


def test_the_stored_nonce_yields_the_link_only_with_the_server_key(invited, settings):
    invitation, token = invited
    nonce = Invitation.objects.get(pk=invitation.pk).token_nonce
    assert token_for(nonce) == token  # the same link on every attempt at this mail
    settings.SECRET_KEY = "what a thief with only the database would have to guess" * 2
    assert token_for(nonce) != token


def _redacted(record: logging.LogRecord) -> str:
    RedactSecrets().filter(record)
    return record.getMessage() + (record.exc_text or "")


def test_no_log_record_holds_a_token_once_redacted(client, browser, invited, caplog, on_commit):
    _, token = invited
    unknown = "Z" * 43
    with caplog.at_level(logging.INFO):
        browser.get(link_path(unknown), follow=True)  # not valid: 404
        client.get(link_path(token))  # valid
        client.post(ACTIVATE, BIRTH_DATE)
        with on_commit():
            client.post(ACCOUNT, CREDENTIALS)
        browser.get(link_path(token), follow=True)  # used by now: 410
    assert caplog.records, "the 404 and 410 are logged"
    for record in caplog.records:
        text = _redacted(record)
        assert token not in text and unknown not in text
        assert "1985" not in text and CREDENTIALS["password1"] not in text


class _Raw(logging.Handler):
    """Sees each record before any handler filter further up (root's console) touches it."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(logging.makeLogRecord(record.__dict__))


def test_an_unfiltered_not_found_line_holds_the_token_and_the_filter_removes_it(client, invited):
    _, token = invited
    Invitation.objects.update(status="revoked")
    raw = _Raw()
    logger = logging.getLogger("django.request")
    logger.addHandler(raw)
    try:
        # A link opened with the wrong method is still logged with its path (dead and unknown
        # links are redirected before any 4xx, so those lines no longer hold the token at all).
        client.post(link_path(token))  # 405 Method Not Allowed
        client.post(link_path(token[:-1]))  # 405 Method Not Allowed
    finally:
        logger.removeHandler(raw)
    assert len(raw.records) == 2
    # Django writes the path as it is: only the handler's filter keeps the token out of the log.
    assert token in raw.records[0].getMessage()
    assert token[:-1] in raw.records[1].getMessage()
    for record in raw.records:
        text = _redacted(record)
        assert "/invite/[redacted]/" in text and token[:-1] not in text


def test_with_debug_on_no_raw_token_reaches_the_console(client, invited, settings):
    _, token = invited
    settings.DEBUG = True
    Invitation.objects.update(status="revoked")
    console = io.StringIO()
    streams = []
    logger = logging.getLogger("django.request")
    while logger:  # every stream handler a django.request record reaches, pytest's left out
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and not type(
                handler
            ).__module__.startswith("_pytest"):
                streams.append((handler, handler.setStream(console)))
        logger = logger.parent if logger.propagate else None
    try:
        client.post(link_path(token))  # 405, logged with the path
    finally:
        for handler, stream in streams:
            handler.setStream(stream)
    written = console.getvalue()
    assert "/invite/[redacted]/" in written
    assert token not in written


def test_the_development_server_request_log_is_redacted(settings):
    handlers = logging.getLogger("django.server").handlers
    writing = [h for h in handlers if not type(h).__module__.startswith("_pytest")]
    assert writing
    for handler in writing:
        assert any(isinstance(f, RedactSecrets) for f in handler.filters), handler


@pytest.mark.parametrize(
    "line",
    [
        'GET /invite/{t}/ HTTP/1.1" 404',
        "Not Found: /invite/{t}/",
        "GET /invite/{t}?utm_source=mail",
        "https://portal.example.test/invite/{t}/",
        "POST /activate/ day=14&month=3&year=1985&password1=geheim",
    ],
)
def test_the_filter_redacts_secrets_in_any_log_line(line):
    token = "k" * 43
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, line.format(t=token), None, None)
    text = _redacted(record)
    assert token not in text
    assert "1985" not in text and "geheim" not in text
