"""The Celery broker gives up on a Redis that does not answer, as the cache does."""

import socket
import threading
import time

import pytest

from essportal.celery import app
from invitations.tasks import send_invitation_mails


@pytest.fixture
def silent_broker():
    """A port that accepts connections and never answers: a hung (SIGSTOPped) Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    old_url, old_eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    app.conf.task_always_eager = False
    # The app caches its connection and producer pools; let them follow the new URL.
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield listener
    finally:
        listener.close()
        app.conf.broker_url, app.conf.task_always_eager = old_url, old_eager
        app._pool = None
        app.amqp._producer_pool = None


def test_queueing_a_task_on_a_broker_that_never_answers_fails_within_seconds(silent_broker):
    outcome = {}

    def queue():  # in a thread, so that a hang cannot hang the test run
        started = time.monotonic()
        try:
            send_invitation_mails.delay([1])
        except Exception as exc:  # noqa: BLE001 - which broker error does not matter
            outcome["error"] = exc
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=queue, daemon=True)
    thread.start()
    thread.join(15)
    hung = thread.is_alive()
    silent_broker.close()  # a hung caller gets its error now
    thread.join(15)
    assert not hung, "task.delay() waited on a broker that never answers"
    assert "error" in outcome
    # A read timeout of REDIS_TIMEOUT_SECONDS (1 s), one retry of the publish.
    assert outcome["seconds"] < 5, outcome["seconds"]


def test_the_broker_has_the_caches_timeouts_and_checks_its_connections(settings):
    options = app.conf.broker_transport_options
    assert options["socket_connect_timeout"] == settings.REDIS_CONNECT_TIMEOUT_SECONDS
    assert options["socket_timeout"] == settings.REDIS_TIMEOUT_SECONDS
    assert options["socket_keepalive"] is True
    assert 0 < options["health_check_interval"] <= 25  # kombu's default: 25
    assert app.conf.task_publish_retry_policy["max_retries"] == 1
