"""Personas shared by every test: the world has two providers, each with employers and staff.

- provider_staff manages every employer of `provider`;
- employer_manager manages only `employer`; employer_viewer may only read it;
- outsider manages an employer of another provider and must see none of ours.
"""

import pytest

from employers.models import StaffMembership
from tests.factories import (
    DEFAULT_PASSWORD,
    EmployeeFactory,
    EmployerFactory,
    MembershipFactory,
    ProviderFactory,
)


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
    """A browser of its own, signed in as `user`: personas never share a session."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


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
    """Throttle counters live in the cache; every test starts without any."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def database_sessions(settings):
    """Sessions in the database only. With Redis (the integration leg) sessions are read from
    the cache, whose keys expire on Redis's own clock: time_machine cannot move it, so tests that
    travel past the idle timeout use this (the Redis expiry has a real-time test of its own)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
