"""The broker drops or hangs under a running grant (integration leg, a Redis of our own).

With kombu 5.7.0 a worker whose Redis connection breaks while an acks_late task runs cannot
reconnect: restoring the unacknowledged message after kombu has detached the transport raises
AttributeError, and the worker exits with status 1 once its running tasks are done. No released
version fixes it; the supervisor (`restart: unless-stopped`) starts the worker again. These tests
hold that chain together: the exit is non-zero, and a restarted worker finishes the work once.
"""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection

from employees.models import Employee
from invitations.models import GrantBatch, Invitation
from invitations.services import grant_batch_start, invitation_grant
from invitations.tasks import send_invitation_mails
from tests.conftest import wait_for
from tests.factories import EmployeeFactory
from tests.faults.test_faults import ROOT, mails_in
from tests.faults.worker import worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def start_worker(redis_url: str, mail_dir) -> subprocess.Popen:
    """A worker as docker-compose.yml runs it (prefork, two processes), mailing slowly to files,
    in a process group of its own so that the pool goes with it."""
    env = worker_env(
        redis_url,
        mail_dir,
        EMAIL_BACKEND="tests.mail_backends.SlowFileBackend",
        SLOW_MAIL_SECONDS="0.05",
        COLLECTIVE_CHUNK_SIZE="20",
    )
    return subprocess.Popen(  # noqa: S603 - our own worker
        [sys.executable, "-m", "celery", "-A", "essportal", "worker"]
        + ["--concurrency", "2", "-l", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def end(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)


def test_redis_dying_under_a_running_grant_ends_in_every_mail_sent_once(
    private_redis, tmp_path, employer
):
    n = 120  # 0.05 s a mail: the grant's task runs for about 6 s
    rows = []
    for i in range(n):
        employee = Employee(
            employer=employer,
            number=str(70000 + i),
            first_name="Broker",
            last_name=f"Drop{i}",
            birth_date=datetime.date(1980, 1, 1),
            email=f"drop{i}@example.test",
            start_date=datetime.date(2020, 1, 1),
        )
        employee.refresh_search_text()
        rows.append(employee)
    Employee.objects.bulk_create(rows)
    exits = []
    worker = start_worker(private_redis.url, tmp_path)
    try:
        batch = grant_batch_start(employer=employer)
        wait_for(lambda: len(mails_in(tmp_path)) >= 20, timeout=60)
        private_redis.stop()  # SIGKILL: the queue and the unacknowledged message are gone
        time.sleep(2)
        private_redis.start()

        def supervised(condition):
            def check() -> bool:
                nonlocal worker
                if worker.poll() is not None:  # the supervisor's part
                    exits.append(worker.returncode)
                    worker = start_worker(private_redis.url, tmp_path)
                return condition()

            return check

        def finished() -> bool:
            batch.refresh_from_db()
            unsent = Invitation.objects.filter(batch=batch).exclude(mail_status="sent")
            return batch.status == GrantBatch.Status.DONE and not unsent.exists()

        wait_for(supervised(finished), timeout=60, interval=0.2)
        # The worker consumes again: a grant made now is mailed by it.
        newcomer = EmployeeFactory(employer=employer, email="newcomer@example.test")
        invitation_grant(employee=newcomer)
        wait_for(
            supervised(lambda: newcomer.email in [m["To"] for m in mails_in(tmp_path)]),
            timeout=45,
            interval=0.2,
        )
    finally:
        end(worker)

    # A worker that went away said so: `restart: on-failure` and monitoring see the status.
    assert all(code != 0 for code in exits), exits
    recipients = [m["To"] for m in mails_in(tmp_path) if m["To"] != "newcomer@example.test"]
    assert sorted(recipients) == sorted(f"drop{i}@example.test" for i in range(n))


def test_a_grant_while_redis_hangs_returns_within_seconds_and_its_mail_waits(private_redis):
    employee = EmployeeFactory()
    send_invitation_mails.delay([])  # a pooled broker connection, as a web process has
    outcome = {}

    def grant():  # the request, in a thread so that a hang cannot hang the test run
        started = time.monotonic()
        try:
            outcome["invitation"] = invitation_grant(employee=employee)
        finally:
            outcome["seconds"] = time.monotonic() - started
            connection.close()

    private_redis.process.send_signal(signal.SIGSTOP)
    thread = threading.Thread(target=grant, daemon=True)
    try:
        thread.start()
        thread.join(15)
        hung = thread.is_alive()
    finally:
        private_redis.process.send_signal(signal.SIGCONT)
        thread.join(30)
    assert not hung, "queueing a task on a hung Redis held the request"
    # Connect 0.5 s and read 1 s (REDIS_*_TIMEOUT_SECONDS), one retry.
    assert outcome["seconds"] < 5, outcome["seconds"]
    outcome["invitation"].refresh_from_db()
    assert outcome["invitation"].mail_status == "queued"  # the outbox sweep sends it later
