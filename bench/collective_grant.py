"""Benchmark: collective grant through the real path vs a naive one-at-a-time loop.

Run with `make bench` (or `python bench/collective_grant.py --employees 10000`). It builds a fresh
SQLite database in a temporary folder (or uses DATABASE_URL if you set BENCH_DATABASE_URL), seeds
the employees in bulk, and prints medians over several runs:

- batch: grant_batch_start + grant_batch_run (planning, chunked bulk inserts, token minting,
  mail rendering, hand-over to the local-memory mail backend);
- naive: invitation_grant + invitations_send_mail for one employee at a time (the same services an
  HR click uses), measured on a sample and reported per invitation;
- SQL queries and peak Python memory (tracemalloc) of the batch path at N and N/10.

Figures are printed; nothing is asserted. The ratio is what counts on a noisy machine.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    # Production settings: DEBUG off (cached templates, no query log).
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("HTTPS", "false")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["REDIS_URL"] = ""
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essportal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def seed(employer_name: str, n: int):
    import datetime

    from employees.models import Employee
    from employers.models import Employer, Provider

    provider, _ = Provider.objects.get_or_create(name="Bench provider")
    employer = Employer.objects.create(provider=provider, name=employer_name)
    rows = []
    for i in range(n):
        e = Employee(
            employer=employer,
            number=str(100000 + i),
            first_name="Bench",
            last_name=f"Werknemer{i}",
            birth_date=datetime.date(1980, 1, 1) + datetime.timedelta(days=i % 9000),
            email=f"bench{i}@example.test",
            start_date=datetime.date(2020, 1, 1),
        )
        e.refresh_search_text()
        rows.append(e)
    Employee.objects.bulk_create(rows, batch_size=5000)
    return employer


def run_batch(employer):
    from django.core import mail
    from django.db import connection

    from invitations.collective import grant_batch_run, grant_batch_start

    mail.outbox = []
    counter = QueryCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        batch = grant_batch_run(batch_id=grant_batch_start(employer=employer).pk)
    elapsed = time.perf_counter() - start
    assert batch.invited == len(mail.outbox), (batch.invited, len(mail.outbox))
    return elapsed, counter.count, batch.invited


def run_naive(employer):
    from django.core import mail
    from django.db import connection, transaction

    from employees.models import Employee
    from invitations.outbox import invitations_send_mail
    from invitations.services import invitation_grant

    mail.outbox = []
    counter = QueryCounter()
    employees = list(Employee.objects.filter(employer=employer))
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        for employee in employees:
            with transaction.atomic():
                invitation = invitation_grant(employee=employee)
            invitations_send_mail(invitation_ids=[invitation.pk])
    elapsed = time.perf_counter() - start
    assert len(mail.outbox) == len(employees)
    return elapsed, counter.count, len(employees)


def peak_memory(employer) -> int:
    """Peak Python memory of the batch path. The dummy backend discards each mail after it is
    rendered and handed over; the local-memory one would keep every mail and grow with N."""
    from django.test.utils import override_settings

    from invitations.collective import grant_batch_run, grant_batch_start

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        tracemalloc.start()
        grant_batch_run(batch_id=grant_batch_start(employer=employer).pk)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--naive-sample", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        setup_django(database_url)
        from django.conf import settings
        from django.db import connection

        n = args.employees
        print(f"database: {connection.vendor}; chunk size {settings.COLLECTIVE_CHUNK_SIZE}")
        batch_times, naive_times = [], []
        batch_queries = naive_queries = 0
        for run in range(args.runs):
            # Alternate the two so that machine noise hits both alike.
            t, batch_queries, invited = run_batch(seed(f"Batch {run}", n))
            batch_times.append(t / invited)
            t, naive_queries, sent = run_naive(seed(f"Naive {run}", args.naive_sample))
            naive_times.append(t / sent)
        small_n = max(n // 10, 1)
        _, small_queries, _ = run_batch(seed("Small", small_n))
        mem_small = peak_memory(seed("Mem small", small_n))
        mem_large = peak_memory(seed("Mem large", n))

    batch_ms = statistics.median(batch_times) * 1000
    naive_ms = statistics.median(naive_times) * 1000
    print(f"batch  : {n} invitations, median {batch_ms:.3f} ms/invitation over {args.runs} runs")
    print(f"naive  : {args.naive_sample} invitations, median {naive_ms:.3f} ms/invitation")
    print(f"speed-up (naive / batch): {naive_ms / batch_ms:.1f}x  (target >= 8x)")
    print(
        f"queries: batch {batch_queries} for {n} ({batch_queries / n:.3f}/invitation), "
        f"{small_queries} for {small_n}; naive {naive_queries / args.naive_sample:.1f}/invitation"
    )
    print(
        f"peak memory (tracemalloc): {mem_small / 1e6:.1f} MB at {small_n}, "
        f"{mem_large / 1e6:.1f} MB at {n}"
    )


if __name__ == "__main__":
    main()
