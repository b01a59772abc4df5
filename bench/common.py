"""Helpers shared by the benchmarks in this folder (not part of the application).

- a throw-away PostgreSQL database (created, and dropped at the end);
- a mail backend that does the sending work of SMTP without a network, and keeps nothing;
- Django set up with the production settings (DEBUG off) on that database;
- a query counter for `connection.execute_wrapper`;
- medians and percentiles.
"""

import os
import socket
import statistics
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

from databases import drop_database, recreate_database
from django.core.mail.backends.base import BaseEmailBackend

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Whitenoise warns about the missing STATIC_ROOT of in-process benchmarks.
warnings.filterwarnings("ignore", message="No directory at")

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/essportal_bench"
QUICK = os.environ.get("BENCH_QUICK", "").lower() in {"1", "true", "yes"}


@contextmanager
def bench_database(url: str = ""):
    """Yield the URL of a fresh, empty PostgreSQL database; drop it afterwards (unless
    BENCH_KEEP_DATABASE=1, to look at query plans with psql). Without `url`, the shared bench
    database (BENCH_DATABASE_URL); a benchmark that may run beside the others passes its own."""
    url = url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    recreate_database(url)
    try:
        yield url
    finally:
        from django.db import connections

        connections.close_all()
        if os.environ.get("BENCH_KEEP_DATABASE") != "1":
            drop_database(url)


class SerializingEmailBackend(BaseEmailBackend):
    """A mail backend for benchmarks: does the sending work of Django's SMTP backend (the whole
    MIME message, serialized to bytes) without a network, and keeps only a count, so that memory
    stays flat in the number of mails. (The local-memory backend deep-copies every message and
    keeps it: a cost and a growth no real backend has.)"""

    sent = 0

    def send_messages(self, email_messages) -> int:
        count = 0
        for message in email_messages:
            message.message().as_bytes(linesep="\r\n")
            count += 1
        SerializingEmailBackend.sent += count
        return count


class LocmemEmailBackend(BaseEmailBackend):
    """Django's local-memory backend's work (each message built, with header validation, and
    deep-copied into `mail.outbox`), with the outbox emptied after each call so that memory
    stays flat in the number of mails: issue 17 measured the grant against this backend."""

    def send_messages(self, email_messages) -> int:
        from django.core import mail
        from django.core.mail.backends.locmem import EmailBackend

        count = EmailBackend().send_messages(email_messages)
        mail.outbox.clear()
        return count


def production_environment(database_url: str, redis_url: str = "") -> dict[str, str]:
    """The environment of a production process (DEBUG off) on the bench database; with
    `redis_url`, Redis is the cache (and so holds the sessions), as in production."""
    return {
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "HTTPS": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "essportal.settings",
    }


def setup_django(
    database_url: str, *, migrate: bool = True, static_root: str = "", redis_url: str = ""
) -> None:
    """Django with the production settings on `database_url`. With `static_root`, static files
    use the production (manifest) storage there; without, a plain one that needs no
    collectstatic."""
    os.environ.update(production_environment(database_url, redis_url))
    from django.conf import settings

    if static_root:
        settings.STATIC_ROOT = static_root
    else:
        # The manifest storage needs `collectstatic`; in-process benchmarks render templates
        # without it (as the test suite does). The gunicorn benchmark collects static files.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


class QueryCounter:
    """For `connection.execute_wrapper`. Counts only: keeping the statements would add to the
    memory that collective_grant.py measures."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    """A TCP port of 127.0.0.1 that is free now (for a server the benchmark starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    return f"{os.cpu_count()} CPUs ({model}), {mem_kb / 1024 / 1024:.1f} GiB RAM"
