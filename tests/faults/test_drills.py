"""Two fault drills, small, in the integration leg (ops/drills/: the framework and the full drills).

The processes are real and separate (gunicorn, a Celery worker, redis-server, an SMTP relay) on
private ports; they share this test run's PostgreSQL database. Each test is bounded to about a
minute.
"""

import datetime
import shutil
import signal
import time

import pytest
from django.db import connection
from django.utils import timezone

from employees.models import Employee
from invitations.models import GrantBatch, Invitation
from invitations.services import grant_batch_start
from invitations.tasks import sweep_invitation_outbox
from ops.drills import measure
from ops.drills.stack import Stack, wait_until
from tests.factories import DEFAULT_PASSWORD, MembershipFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    database = connection.settings_dict
    return (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


@pytest.fixture
def stack():
    """Redis and the SMTP relay of a stack of our own, on this run's test database."""
    if connection.vendor != "postgresql" or not shutil.which("redis-server"):
        pytest.skip("needs PostgreSQL and redis-server (make test-integration)")
    # Small chunks: a grant of a few hundred still has a middle to be killed in. A short claim
    # lease: the mails a killed worker held are free again after 10 s, not 90.
    env = {"COLLECTIVE_CHUNK_SIZE": "50", "MAIL_CLAIM_LEASE_SECONDS": "10"}
    with Stack(database_url=database_url(), quiet=True, extra_env=env) as stack:
        stack.start_redis()
        stack.start_relay()
        stack.prepare_application(migrate=False)
        yield stack


@pytest.fixture
def broker(stack):
    """This process queues its tasks on the stack's Redis (as the web would)."""
    from essportal.celery import app

    old_url = app.conf.broker_url
    app.conf.broker_url = stack.redis_url
    # The app caches its connection and producer pools; let them follow the new URL.
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.task_always_eager = False
    try:
        yield app
    finally:
        app.conf.broker_url = old_url
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.task_always_eager = True


def seed_employees(employer, n: int) -> None:
    rows = []
    for i in range(n):
        employee = Employee(
            employer=employer,
            number=str(70000 + i),
            first_name="Drill",
            last_name=f"Test{i}",
            birth_date=datetime.date(1980, 1, 1 + i % 28),
            email=f"drill{i}@example.test",
            start_date=datetime.date(2020, 1, 1),
        )
        employee.refresh_search_text()
        rows.append(employee)
    Employee.objects.bulk_create(rows)


def worker_ready(stack: Stack, name: str = "worker") -> bool:
    log = stack.logs / f"{name}.log"
    return log.exists() and log.read_bytes().count(b"ready.") >= stack.procs[name].starts


def test_a_worker_killed_mid_grant_is_restarted_and_every_invitation_is_mailed_once_with_a_working_link(  # noqa: E501
    stack, broker, employer
):
    n = 300
    seed_employees(employer, n)
    stack.start_web()
    worker = stack.start_worker(concurrency=1)
    stack.supervise()  # restart: unless-stopped
    wait_until(lambda: worker_ready(stack), 30, "the worker")

    batch = grant_batch_start(employer=employer)
    wait_until(lambda: len(measure.accepted(stack.relay_dir)) >= n // 3, 30, "a third mailed")
    worker.signal_group(signal.SIGKILL)  # the worker and its pool, as a crash would
    killed_at = time.monotonic()
    assert len(measure.accepted(stack.relay_dir)) < n, "the kill came too late to mean anything"
    wait_until(lambda: worker.starts == 2 and worker_ready(stack), 30, "the restarted worker")
    # The grant's task died with the worker; the sweep resumes a grant that has been quiet for
    # two minutes (BATCH_STALLED_AFTER). Those two minutes pass here at once.
    GrantBatch.objects.filter(pk=batch.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )

    def everything_mailed() -> bool:
        sweep_invitation_outbox.delay()  # Celery beat's every-minute tick, faster
        waiting = Invitation.objects.filter(batch=batch, mail_status__in=["queued", "sending"])
        done = GrantBatch.objects.filter(pk=batch.pk, status="done").exists()
        return done and not waiting.exists()

    wait_until(everything_mailed, 60, "every invitation mailed after the restart", interval=2)
    recovered = time.monotonic() - killed_at
    time.sleep(2)  # a late second mail would arrive now

    states = dict(Invitation.objects.filter(batch=batch).values_list("pk", "mail_status"))
    figures = measure.figures(stack.relay_dir, states)
    assert len(states) == n and set(states.values()) == {"sent"}
    assert figures.lost == 0
    # At most the one mail in flight at the kill goes out again, and then with the same link.
    assert figures.duplicates <= 1, figures.lines()
    links = measure.check_links(stack.relay_dir, stack.site_url)
    assert links == {"working (200)": figures.mails_sent}, links
    assert stack.restarts and stack.restarts[0][1] == "worker"
    assert recovered < 60


@pytest.fixture
def hr_user(employer):
    return MembershipFactory(employer=employer).user


@pytest.mark.parametrize("outage", ["killed", "hung"])
def test_with_redis_down_hr_pages_sign_in_and_readiness_answer_200_quickly(
    stack, employer, hr_user, outage
):
    stack.start_web()
    hr = measure.Browser(stack.site_url)
    assert hr.sign_in_hr(hr_user.username, DEFAULT_PASSWORD)
    pages = ["/hr/", f"/hr/employers/{employer.pk}/employees/", "/healthz/ready"]
    for path in pages:
        assert hr.get(path).status_code == 200

    redis = stack.procs["redis"]
    if outage == "killed":
        redis.kill()
    else:
        redis.pause()  # SIGSTOP: connections open, nothing answers
    try:
        # Twice over: the first request meets the outage, the next ones know of it.
        for _round in range(2):
            for path in pages:
                started = time.monotonic()
                response = hr.get(path, timeout=20)
                took = time.monotonic() - started
                assert response.status_code == 200, (path, response.status_code)
                assert took < 3, (path, took)
        # Signing in afresh works too (sessions go to the database).
        again = measure.Browser(stack.site_url)
        assert again.sign_in_hr(hr_user.username, DEFAULT_PASSWORD)
        assert again.get(pages[1], timeout=20).status_code == 200
    finally:
        if outage == "hung":
            redis.resume()
