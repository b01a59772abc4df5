"""Benchmark: a collective grant through an email provider's HTTP API (issue 17), batch sending
against one call per mail.

Run with `make bench` (or `python bench/provider_grant.py`; BENCH_QUICK=1 for 2,000 employees).
The mails go through django-anymail's Mandrill backend to bench/provider_stub.py on 127.0.0.1,
a process of its own that answers each call after --latency-ms (50 by default: real providers
take 20–200 ms) and keeps only counts. On PostgreSQL, in a throw-away database of its own
(BENCH_GRANT_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/essportal_bench_provider),
with the production settings. Two ways, each the real path (grant_batch_start + grant_batch_run):

- batch: MAIL_BATCH_SIZE unset, so the provider's limit (500): one call per chunk;
- per message: MAIL_BATCH_SIZE=0, one call per mail, one connection (the worker's), on a sample
  of --per-message employees (the whole grant would take ≥ latency × N), extrapolated to N.

Printed: wall seconds of the grant (seeding excluded), provider calls, mails per second, and
per message the sample's time scaled to N. Asserts only that every invitation was sent. Target
(issue 17): 10,000 invitations in ≤ 30 s with batch sending.
"""

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from common import QUICK, bench_database, free_port, machine, setup_django
from grant_ways import invite_batch, seed

DEFAULT_POSTGRESQL_URL = "postgres://postgres@127.0.0.1:5432/essportal_bench_provider"
API_KEY = "bench-key"


@contextlib.contextmanager
def provider_stub(latency_ms: float):
    """bench/provider_stub.py on a free port: yields the API URL and a function for its counts."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("provider_stub.py")),
            str(port),
            "--latency-ms",
            str(latency_ms),
            "--api-key",
            API_KEY,
            "--no-record",
        ]
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.05)

        def stats() -> dict:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/stub/stats") as answer:
                return json.load(answer)

        yield f"http://127.0.0.1:{port}/api/1.0/", stats
    finally:
        process.terminate()
        process.wait(timeout=10)


def grant(n: int, batch_size: int | None, stats) -> dict:
    from django.conf import settings

    from invitations.models import Invitation

    settings.MAIL_BATCH_SIZE = batch_size
    employer = seed(n)
    before = stats()
    start = time.perf_counter()
    invited = invite_batch(employer)
    seconds = time.perf_counter() - start
    after = stats()
    sent = Invitation.objects.filter(
        employee__employer=employer, mail_status=Invitation.MailStatus.SENT
    ).count()
    assert invited == sent == n, (invited, sent, n)
    return {
        "n": n,
        "seconds": seconds,
        "calls": after["calls"] - before["calls"],
        "accepted": after["accepted"] - before["accepted"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=2000 if QUICK else 10_000)
    parser.add_argument("--per-message", type=int, default=100 if QUICK else 300)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--runs", type=int, default=1, help="batch runs (the median is shown)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_GRANT_DATABASE_URL") or DEFAULT_POSTGRESQL_URL
    with bench_database(url), provider_stub(args.latency_ms) as (api_url, stats):
        setup_django(url)
        from django.conf import settings

        settings.EMAIL_BACKEND = "anymail.backends.mandrill.EmailBackend"
        settings.ANYMAIL = {"MANDRILL_API_KEY": API_KEY, "MANDRILL_API_URL": api_url}
        # Imports, compiled templates, the HTTP session's first connection: not in a figure.
        grant(500, None, stats)
        grant(20, 0, stats)
        runs = [grant(args.employees, None, stats) for _ in range(args.runs)]
        single = grant(args.per_message, 0, stats)
        report(args, runs, single)


def report(args, runs: list[dict], single: dict) -> None:
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        database = f"postgresql {cursor.fetchone()[0].split()[0]}"
    batch = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]  # the median run
    per_mail = single["seconds"] / single["n"]
    print(f"machine: {machine()}")
    print(
        f"grant through the provider stub (Mandrill API, {args.latency_ms:g} ms a call); "
        f"{database}; chunk size {settings.COLLECTIVE_CHUNK_SIZE}"
    )
    print(f"{'way':<12} {'mails':>7} {'calls':>6} {'wall s':>8} {'mails/s':>8} {'s for N':>8}")
    print(
        f"{'batch':<12} {batch['n']:>7,} {batch['calls']:>6} {batch['seconds']:>8.1f}"
        f" {batch['n'] / batch['seconds']:>8.0f} {batch['seconds']:>8.1f}"
    )
    print(
        f"{'per message':<12} {single['n']:>7,} {single['calls']:>6} {single['seconds']:>8.1f}"
        f" {1 / per_mail:>8.1f} {per_mail * batch['n']:>8.0f}"
    )
    if len(runs) > 1:
        print("batch runs, wall s: " + ", ".join(f"{run['seconds']:.1f}" for run in runs))
    print(
        f"s for N: wall seconds for {batch['n']:,} invitations (per message: the sample's time "
        f"per mail x {batch['n']:,}); target: batch <= 30 s for 10,000; "
        f"batch is {per_mail * batch['n'] / batch['seconds']:.0f}x faster"
    )


if __name__ == "__main__":
    main()
