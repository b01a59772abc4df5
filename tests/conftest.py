"""Personas shared by every test: the world has two providers, each with employers and staff.

- provider_staff manages every employer of `provider`;
- employer_manager manages only `employer`; employer_viewer may only read it;
- outsider manages an employer of another provider and must see none of ours.
"""

import datetime
import time

import pytest
import time_machine

from employers.models import StaffMembership
from invitations.activation.link import SESSION_KEY
from invitations.services import invitation_grant
from tests.employees.factories import sign_in
from tests.factories import (
    DEFAULT_PASSWORD,
    EmployeeFactory,
    EmployerFactory,
    MembershipFactory,
    ProviderFactory,
)
from tests.invitations.helpers import last_token, link_path


@pytest.fixture
def provider(db):
    return ProviderFactory(name="Salarisbureau Noord")


@pytest.fixture
def employer(provider):
    return EmployerFactory(provider=provider, name="Bakkerij Jansen B.V.")


@pytest.fixture
def sister_employer(provider):
    """Another employer of the same provider."""
    return EmployerFactory(provider=provider, name="Garage Smit B.V.")


@pytest.fixture
def other_employer(db):
    """An employer of another provider: none of our staff may see it."""
    return EmployerFactory(name="Vreemde Zaak B.V.")


@pytest.fixture
def employee(employer):
    return EmployeeFactory(employer=employer, first_name="Anna", infix="", last_name="Bakker")


@pytest.fixture
def other_employee(other_employer):
    return EmployeeFactory(employer=other_employer)


@pytest.fixture
def provider_staff(provider):
    return MembershipFactory(provider=provider, role=StaffMembership.Role.MANAGER).user


@pytest.fixture
def employer_manager(employer):
    return MembershipFactory(employer=employer, role=StaffMembership.Role.MANAGER).user


@pytest.fixture
def employer_viewer(employer):
    return MembershipFactory(employer=employer, role=StaffMembership.Role.VIEWER).user


@pytest.fixture
def outsider(other_employer):
    return MembershipFactory(employer=other_employer, role=StaffMembership.Role.MANAGER).user


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


def signed_in(user):
    """A browser of its own, signed in as `user` with a second factor (HR pages need one):
    personas never share a session."""
    from django.test import Client

    from tests.mfa_helpers import force_login_verified

    return force_login_verified(Client(), user)


@pytest.fixture
def manager_client(employer_manager):
    return signed_in(employer_manager)


@pytest.fixture
def viewer_client(employer_viewer):
    return signed_in(employer_viewer)


@pytest.fixture
def provider_client(provider_staff):
    return signed_in(provider_staff)


@pytest.fixture
def outsider_client(outsider):
    return signed_in(outsider)


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker (in a thread of this process) consuming from Redis.

    Only in the integration leg (REDIS_URL set): elsewhere the test is skipped. The worker shares
    this process's Django settings, so it uses the test database and the locmem mail outbox.
    """
    if not settings.REDIS_URL:
        pytest.skip("needs Redis and a Celery worker: run `make test-integration`")
    from celery.contrib.testing.worker import start_worker

    from essportal.celery import app

    app.conf.task_always_eager = False
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # no messages left over from other runs
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield app
    finally:
        app.conf.task_always_eager = True


def wait_for(condition, timeout=20.0, interval=0.05):
    """Poll until condition() is truthy; fail the test on timeout."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; every test starts without any, and without an outage
    another test left behind."""
    from django.core.cache import cache

    from essportal import outages
    from essportal.web import cache_guard, generation_cache

    cache_guard.reset()
    outages.broker.reset()
    cache.clear()
    generation_cache.forget_pending()
    yield
    cache_guard.reset()
    outages.broker.reset()


@pytest.fixture
def unreachable_cache(settings):
    """Production's cache is Redis; here Redis is down (nothing listens on its port). Sessions are
    read through that cache as in production."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {
                "socket_connect_timeout": settings.REDIS_CONNECT_TIMEOUT_SECONDS,
                "socket_timeout": settings.REDIS_TIMEOUT_SECONDS,
            },
        }
    }
    settings.SESSION_ENGINE = "essportal.web.sessions"


@pytest.fixture
def hung_cache(settings):
    """Production's cache is Redis; here Redis is hung: it accepts connections and never answers.
    The server drops each connection after a few seconds, so a request without timeouts fails
    this test instead of hanging the run."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    stop = threading.Event()

    def accept_and_stay_silent():
        held = []
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append((conn, time.monotonic()))
            except TimeoutError:
                pass
            for conn, since in list(held):
                if time.monotonic() - since > 4:
                    conn.close()
                    held.remove((conn, since))
        for conn, _ in held:
            conn.close()

    thread = threading.Thread(target=accept_and_stay_silent, daemon=True)
    thread.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {
                "socket_connect_timeout": settings.REDIS_CONNECT_TIMEOUT_SECONDS,
                "socket_timeout": settings.REDIS_TIMEOUT_SECONDS,
            },
        }
    }
    settings.SESSION_ENGINE = "essportal.web.sessions"
    yield
    stop.set()
    thread.join(timeout=2)
    server.close()


@pytest.fixture
def large_request_bodies(settings):
    """Bodies up to 4 MB get past the request size limit (RequestBodyLimitMiddleware), for the
    tests of what a form itself does with input that large."""
    settings.REQUEST_BODY_MAX_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024


@pytest.fixture
def database_sessions(settings):
    """Sessions in the database only. With Redis (the integration leg) sessions are read from
    the cache, whose keys expire on Redis's own clock: time_machine cannot move it, so tests that
    travel past the idle timeout use this (the Redis expiry has a real-time test of its own)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


# --- Invitations and the portal ----------------------------------------------------------------


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the block schedules on commit (the invitation mail task, say)."""

    def _run():
        return django_capture_on_commit_callbacks(execute=True)

    return _run


@pytest.fixture
def grant(django_capture_on_commit_callbacks):
    """Grant access the way HR does, running the mail task that starts on commit."""

    def _grant(employee, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            return invitation_grant(employee=employee, actor=actor)

    return _grant


@pytest.fixture
def invited(employee, django_capture_on_commit_callbacks):
    """An employee whose invitation mail has gone out: returns (invitation, raw token)."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_grant(employee=employee)
    invitation.refresh_from_db()
    return invitation, last_token()


@pytest.fixture
def opened(client, invited):
    """The employee opened the link: the invitation is in the session."""
    invitation, token = invited
    client.get(link_path(token))
    assert client.session[SESSION_KEY] == invitation.pk
    return invitation


@pytest.fixture
def frozen_today():
    """The portal tests' "today": 10 April 2026, noon (use with pytest.mark.usefixtures)."""
    with time_machine.travel(datetime.datetime(2026, 4, 10, 12, 0), tick=False):
        yield


@pytest.fixture
def portal(client, employee):
    """The employee, signed in to the portal."""
    return sign_in(client, employee)
