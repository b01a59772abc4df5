"""Forgotten password and username: neither a mail cannon aimed at one inbox nor an oracle that
tells which addresses have an account."""

import time
from unittest import mock

import pytest
import time_machine
from celery.app.task import Task
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from kombu.exceptions import OperationalError

from employees.accounts.recovery import account_recovery_send
from tests.conftest import wait_for
from tests.factories import EmployeeFactory, UserFactory

ANNA = "anna@bakkerij-jansen.test"
NOBODY = "nobody@bakkerij-jansen.test"
FLOWS = ["forgot_password", "forgot_username"]
# Every spelling the form accepts that reaches Anna's inbox; "K" is the Kelvin sign, which
# lower-cases to an ASCII "k".
SPELLINGS = [ANNA, ANNA.upper(), f"  {ANNA}  ", "anna@ba\u212a\u212aerij-jansen.test"]
HOUR = 3600


@pytest.fixture
def anna(account):
    account.employee.email = ANNA
    account.employee.save(update_fields=["email"])
    return account.employee


@pytest.fixture
def cap(settings):
    settings.ACCOUNT_MAILS_PER_RECIPIENT_PER_HOUR = 3
    return 3


def ask(client, flow, email, ip="198.51.100.7"):
    return client.post(reverse(f"portal:{flow}"), {"email": email}, REMOTE_ADDR=ip)


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_many_client_addresses_cannot_push_more_than_the_cap_to_one_recipient(
    client, anna, cap, on_commit
):
    with on_commit():
        for n in range(20):
            for flow in FLOWS:
                for spelling in SPELLINGS:
                    ask(client, flow, spelling, ip=f"203.0.113.{n}")
    assert len(mails_to(ANNA)) == cap


def test_the_cap_holds_until_the_last_second_of_the_hour_and_resets_after(
    client, anna, cap, on_commit
):
    start = (int(time.time()) // HOUR + 1) * HOUR  # the first second of an hour
    with time_machine.travel(start, tick=False), on_commit():
        for n in range(cap + 1):
            ask(client, "forgot_password", ANNA, ip=f"203.0.113.{n}")
    assert len(mails_to(ANNA)) == cap
    with time_machine.travel(start + HOUR - 1, tick=False), on_commit():
        ask(client, "forgot_username", ANNA, ip="203.0.113.99")
    assert len(mails_to(ANNA)) == cap
    with time_machine.travel(start + HOUR, tick=False), on_commit():
        ask(client, "forgot_username", ANNA, ip="203.0.113.99")
    assert len(mails_to(ANNA)) == cap + 1


def test_a_plus_address_is_another_recipient_with_a_cap_of_its_own(
    client, anna, cap, sister_employer, on_commit
):
    plus = "anna+werk@bakkerij-jansen.test"
    EmployeeFactory(employer=sister_employer, email=plus, user=UserFactory(username="anna.werk"))
    with on_commit():
        for n in range(cap + 2):
            ask(client, "forgot_password", ANNA, ip=f"203.0.113.{n}")
        ask(client, "forgot_password", plus, ip="203.0.113.99")
    assert len(mails_to(ANNA)) == cap
    assert len(mails_to(plus)) == 1


def answer(flow, email, ip="198.51.100.7"):
    """What a new browser is told: status, where it is sent, and the message it will show."""
    response = ask(Client(), flow, email, ip)
    return (
        response.status_code,
        response.get("Location"),
        [str(m) for m in get_messages(response.wsgi_request)],
    )


@pytest.mark.parametrize("flow", FLOWS)
def test_the_page_is_identical_for_known_and_unknown_addresses(client, anna, cap, flow, on_commit):
    with on_commit():
        known = answer(flow, ANNA)
        unknown = answer(flow, NOBODY)
        for _ in range(cap):
            ask(client, flow, ANNA, ip="203.0.113.50")
        silenced = answer(flow, ANNA, ip="203.0.113.51")
    assert known == unknown == silenced
    assert known[1] == reverse("portal:login")


@pytest.mark.parametrize("flow", FLOWS)
def test_known_and_unknown_addresses_make_the_request_do_the_same_work(
    client, anna, flow, on_commit
):
    """The request enqueues one task with the typed address, normalised, and does nothing
    else: no lookup, no mail. Whether the address is known is found out in the worker."""
    work = {}
    for address in (ANNA, NOBODY):
        with (
            mock.patch.object(Task, "apply_async", autospec=True) as enqueue,
            CaptureQueriesContext(connection) as queries,
            on_commit(),
        ):
            ask(client, flow, f" {address.upper()} ")
        work[address] = (
            [(call.args[0].name, call.args[1]) for call in enqueue.call_args_list],
            len(queries),
        )
    kind = {"forgot_password": "password_reset", "forgot_username": "username_reminder"}[flow]
    task = "employees.tasks.send_account_recovery_mail"
    assert work[ANNA] == ([(task, (kind, ANNA))], 0)
    assert work[NOBODY] == ([(task, (kind, NOBODY))], 0)
    assert not mail.outbox


@pytest.mark.parametrize("flow", FLOWS)
def test_with_redis_down_the_pages_still_answer_with_the_neutral_page(
    client, anna, flow, unreachable_cache, on_commit
):
    with on_commit():
        response = ask(client, flow, ANNA)
    assert response.status_code == 302 and response["Location"] == reverse("portal:login")
    assert not mail.outbox


@pytest.mark.parametrize("flow", FLOWS)
def test_with_the_broker_down_nothing_is_sent_from_the_request(client, anna, flow, on_commit):
    """Sending in the web process instead would make a known address answer slower again."""
    with (
        mock.patch.object(Task, "apply_async", side_effect=OperationalError("broker down")),
        on_commit(),
    ):
        response = ask(client, flow, ANNA)
    assert response["Location"] == reverse("portal:login")
    assert not mail.outbox


def test_a_recipient_cap_the_worker_cannot_count_sends_nothing(
    client, anna, on_commit, unreachable_cache
):
    with on_commit():
        assert account_recovery_send(kind="password_reset", email=ANNA) == 0
    assert not mail.outbox


@pytest.mark.integration
def test_a_real_worker_finds_the_account_and_stops_at_the_cap(celery_worker, client, anna, cap):
    for n in range(cap + 2):
        ask(client, "forgot_password", ANNA, ip=f"203.0.113.{n}")
    wait_for(lambda: len(mails_to(ANNA)) == cap)
    time.sleep(1)  # the worker has had time for the requests beyond the cap
    assert len(mails_to(ANNA)) == cap
