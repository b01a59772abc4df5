"""Faults, with PostgreSQL, a Redis of our own and real Celery workers (integration leg).

Each test starts its own redis-server on a free port, so that stopping it disturbs nothing else.
"""

import datetime
import email
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from employees.models import Employee
from invitations.models import GrantBatch, Invitation
from invitations.outbox import MAX_MAIL_ATTEMPTS
from invitations.services import grant_batch_start, invitation_grant
from invitations.tasks import sweep_invitation_outbox
from tests.conftest import wait_for
from tests.factories import EmployeeFactory
from tests.faults.worker import worker_env
from tests.mail_backends import FailingBackend

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - a fixed local command
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: self._answers(), timeout=10)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self):
        if self.process:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def private_redis(settings):
    if connection.vendor != "postgresql" or not shutil.which("redis-server"):
        pytest.skip("needs PostgreSQL and redis-server (make test-integration)")
    from essportal.celery import app

    redis = PrivateRedis()
    redis.start()
    old_url = app.conf.broker_url
    app.conf.broker_url = redis.url
    # The app caches its connection and producer pools; let them follow the new URL.
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.task_always_eager = False
    try:
        yield redis
    finally:
        redis.stop()
        app.conf.broker_url = old_url
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.task_always_eager = True


def in_thread_worker():
    from celery.contrib.testing.worker import start_worker

    from essportal.celery import app

    return start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING")


def test_redis_stopped_while_hr_grants_delays_the_mail_and_sends_it_once(private_redis):
    employee = EmployeeFactory()
    private_redis.stop()
    started = time.monotonic()
    invitation = invitation_grant(employee=employee)  # commits; queueing the task fails
    assert time.monotonic() - started < 15, "a broker outage must not hang the request"
    invitation.refresh_from_db()
    assert invitation.mail_status == "queued" and not mail.outbox

    private_redis.start()
    with in_thread_worker():
        # As if the grace period had passed: the sweep (Celery beat) picks the row up.
        Invitation.objects.update(mail_next_attempt_at=timezone.now())
        sweep_invitation_outbox.delay()
        wait_for(lambda: len(mail.outbox) == 1)
        sweep_invitation_outbox.delay()
        sweep_invitation_outbox.delay()
        time.sleep(1.5)
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.mail_status == "sent"


@pytest.fixture
def provider_down(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"
    FailingBackend.error = ConnectionRefusedError("provider unavailable")
    yield FailingBackend
    FailingBackend.error = OSError("connection refused")


def test_a_failing_provider_is_retried_with_backoff_then_recovers(private_redis, provider_down):
    employee = EmployeeFactory()
    with in_thread_worker():
        invitation = invitation_grant(employee=employee)
        # The attempt is counted when the row is claimed (`sending`); the failure puts it back in
        # the outbox a moment later, so wait for both.
        wait_for(
            lambda: Invitation.objects.filter(
                pk=invitation.pk, mail_attempts=1, mail_status="queued"
            ).exists()
        )
        invitation.refresh_from_db()
        assert invitation.mail_next_attempt_at > timezone.now()  # backing off
        provider_down.error = None  # the provider is back
        Invitation.objects.update(mail_next_attempt_at=timezone.now())
        sweep_invitation_outbox.delay()
        wait_for(lambda: Invitation.objects.get(pk=invitation.pk).mail_status == "sent")
    assert len(mail.outbox) == 1


def test_a_provider_down_for_good_ends_in_failed_which_hr_sees(
    private_redis, provider_down, manager_client, employer
):
    employee = EmployeeFactory(employer=employer)
    with in_thread_worker():
        invitation = invitation_grant(employee=employee)
        for attempt in range(1, MAX_MAIL_ATTEMPTS):
            # Wait until the failed attempt is recorded (back in the outbox, backing off)...
            wait_for(
                lambda a=attempt: Invitation.objects.filter(
                    pk=invitation.pk, mail_attempts=a, mail_status="queued"
                ).exists()
            )
            # ...then let the backoff pass and the sweep try again.
            Invitation.objects.filter(pk=invitation.pk).update(mail_next_attempt_at=timezone.now())
            sweep_invitation_outbox.delay()
        wait_for(lambda: Invitation.objects.get(pk=invitation.pk).mail_status == "failed")
    page = manager_client.get(reverse("hr:employee_detail", args=[employee.pk]))
    assert b"badge-failed" in page.content


def start_worker_process(redis_url: str, mail_dir: Path) -> subprocess.Popen:
    env = worker_env(
        redis_url,
        mail_dir,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        COLLECTIVE_CHUNK_SIZE="100",
    )
    return subprocess.Popen(  # noqa: S603 - our own worker
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "essportal",
            "worker",
            "--pool",
            "solo",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def mails_in(folder: Path) -> list[email.message.Message]:
    messages = []
    for path in folder.glob("*.log"):
        for chunk in path.read_text(encoding="utf-8").split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip()))
    return messages


def test_a_worker_killed_mid_collective_grant_finishes_after_a_restart_without_doubles(
    private_redis, tmp_path, employer
):
    n = 2000
    rows = []
    for i in range(n):
        employee = Employee(
            employer=employer,
            number=str(50000 + i),
            first_name="Fout",
            last_name=f"Test{i}",
            birth_date=datetime.date(1980, 1, 1),
            email=f"fault{i}@example.test",
            start_date=datetime.date(2020, 1, 1),
        )
        employee.refresh_search_text()
        rows.append(employee)
    Employee.objects.bulk_create(rows, batch_size=1000)

    worker = start_worker_process(private_redis.url, tmp_path)
    try:
        batch = grant_batch_start(employer=employer)
        wait_for(lambda: GrantBatch.objects.get(pk=batch.pk).invited >= 600, timeout=120)
        worker.kill()  # SIGKILL, in the middle of the job
        worker.wait(10)
        batch.refresh_from_db()
        assert batch.status == "running" and batch.invited < n

        worker = start_worker_process(private_redis.url, tmp_path)
        # Time passes: the batch counts as stalled and a row left "sending" as stuck.
        GrantBatch.objects.update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
        Invitation.objects.filter(mail_status="sending").update(mail_next_attempt_at=timezone.now())
        sweep_invitation_outbox.delay()
        wait_for(lambda: GrantBatch.objects.get(pk=batch.pk).status == "done", timeout=180)
        wait_for(lambda: not Invitation.objects.exclude(mail_status="sent").exists(), timeout=60)
    finally:
        worker.kill()
        worker.wait(10)

    open_per_employee = Invitation.objects.filter(status="pending").values("employee").distinct()
    assert Invitation.objects.filter(status="pending").count() == n
    assert open_per_employee.count() == n
    assert GrantBatch.objects.get(pk=batch.pk).invited == n
    messages = mails_in(tmp_path)
    recipients = [m["To"] for m in messages]
    assert set(recipients) == {f"fault{i}@example.test" for i in range(n)}
    # Each hand-over is recorded at once: at most the one mail in flight at the kill is resent.
    assert n <= len(messages) <= n + 1, len(messages)
