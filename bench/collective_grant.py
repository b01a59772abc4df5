"""Benchmark: collective grant through the real path vs a naive loop and a bare floor, measured
against the performance targets in bench/README.md.

Run with `make bench` (or `python bench/collective_grant.py`; BENCH_QUICK=1 for 1,000 / 5,000).
It measures 1,000, 10,000 and 50,000 employees on SQLite (a temporary file) and on PostgreSQL (a
throw-away database of its own, BENCH_GRANT_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/essportal_bench_grant, so that it never meets the other
benchmarks' database), one process per database (Django is set up once per process). Three ways
of inviting employees:

- batch: grant_batch_start + grant_batch_run, the real path (planning, chunked bulk inserts,
  token minting, mail rendering, hand-over to the mail backend, per-mail sent mark, audit rows);
- floor: the same invitation rows inserted with one bulk_create per chunk, tokens minted and
  mails rendered by the application's own functions, handed over with one send_messages per
  chunk, and nothing around them (no batch items, no per-mail state, no audit rows);
- naive: invitation_grant for one employee at a time (the service an HR click uses; its mail is
  sent when it commits), on a sample, reported per invitation.

The mails go, by default (--mail serialize), to a backend that does the sending work of Django's
SMTP backend (the MIME message serialized to bytes) without a network, and keeps nothing: the
strictest comparison, as it leaves out what every way pays alike. --mail smtp sends them through
Django's SMTP backend to bench/smtp_sink.py on 127.0.0.1: the hand-over production makes to its
relay (a TCP connection per chunk, or per mail in the naive loop, and the SMTP dialogue per mail),
without a relay's own work; the sink shares the CPUs, so those figures are noisier. Each round
seeds fresh employees (not timed) and runs the three in a rotating order, so that machine noise
hits all alike. --mail locmem does Django's local-memory backend's work (each message built and
deep-copied), its outbox emptied after each call: the backend issue 17 measured with. --peer adds
django-invitations' own one-at-a-time create-and-send path (bench/peer_invitations.py, in a
virtualenv of its own, BENCH_PEER_PYTHON) on the same PostgreSQL server and mail backend.
Printed per database and size: median ms per invitation, the ratios of those
medians, SQL queries per invitation, and peak memory: by default the growth of the process's peak
RSS (VmHWM, reset before each timed run) over its RSS at the start of the run, median over the
runs; with --tracemalloc, the tracemalloc peak of one more, untimed run each (tracemalloc slows
this code about 5x, so that takes long). Nothing is asserted; the targets are naive/batch >= 8x,
batch/floor <= 1.5x, and queries and memory flat as N grows.
"""

import argparse
import contextlib
import cProfile
import ctypes
import gc
import json
import os
import pstats
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from common import QUICK, QueryCounter, bench_database, free_port, machine, setup_django
from grant_ways import INVITE, seed

DEFAULT_SIZES = "1000,5000" if QUICK else "1000,10000,50000"
DEFAULT_POSTGRESQL_URL = "postgres://postgres@127.0.0.1:5432/essportal_bench_grant"
MAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "serialize": "common.SerializingEmailBackend",
    "locmem": "common.LocmemEmailBackend",
}
WAYS = ("batch", "floor", "naive")
ROTATIONS = [WAYS[i:] + WAYS[:i] for i in range(len(WAYS))]
WARM_UP = {"batch": 500, "floor": 500, "naive": 20}  # a whole chunk; the naive loop has none


def default_runs(size: int) -> int:
    # The default run (two databases, three sizes) takes ~7 minutes on 2 CPUs, more than half of
    # it at 50,000. With two runs the rotation lets the batch and the floor each go first once.
    if size <= 1_000:
        return 3
    return 2 if size <= 10_000 else 1


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _start_peak_rss() -> int | None:
    """Give freed memory back to the system and restart the peak (Linux); the RSS now, or None
    where that cannot be done."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        Path("/proc/self/clear_refs").write_text("5")  # 5: reset VmHWM to the current RSS
        return _status_kib("VmRSS")
    except (OSError, LookupError):
        return None


def timed(way: str, n: int) -> dict:
    """Seconds and queries per invitation, and growth of the peak RSS (bytes), of a fresh run."""
    from django.db import connection

    employer = seed(n)
    rss_before = _start_peak_rss()
    counter = QueryCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        invited = INVITE[way](employer)
    elapsed = time.perf_counter() - start
    peak = None if rss_before is None else (_status_kib("VmHWM") - rss_before) * 1024
    from invitations.models import Invitation

    mails = Invitation.objects.filter(
        employee__employer=employer, mail_status=Invitation.MailStatus.SENT
    ).count()
    assert invited == mails == n, (way, invited, mails, n)
    return {"seconds": elapsed / n, "queries": counter.count / n, "peak": peak}


def tracemalloc_peak(way: str, n: int) -> int:
    employer = seed(n)
    gc.collect()
    tracemalloc.start()
    INVITE[way](employer)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def profile(way: str, n: int) -> None:
    employer = seed(n)
    gc.collect()
    profiler = cProfile.Profile()
    profiler.runcall(INVITE[way], employer)
    print(f"--- {way}, {n:,} invitations: top functions by own time", file=sys.stderr)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(25)


def measure(args) -> dict:
    from django.conf import settings
    from django.db import connection

    sizes = []
    for n in args.sizes:
        runs = args.runs or default_runs(n)
        samples = {way: [] for way in WAYS}
        for run in range(runs):
            for way in ROTATIONS[run % len(ROTATIONS)]:
                samples[way].append(timed(way, args.naive_sample if way == "naive" else n))
        size = {
            "n": n,
            "runs": runs,
            "ms": {
                way: statistics.median(s["seconds"] for s in samples[way]) * 1000 for way in WAYS
            },
            # Constant from run to run; the last run's.
            "queries": {way: samples[way][-1]["queries"] for way in WAYS},
        }
        if args.tracemalloc:
            size["peak"] = {way: tracemalloc_peak(way, n) for way in ("batch", "floor")}
        else:
            peaks = {way: [s["peak"] for s in samples[way]] for way in ("batch", "floor")}
            size["peak"] = {
                way: None if None in p else statistics.median(p) for way, p in peaks.items()
            }
        sizes.append(size)
    return {
        "database": database_version(connection),
        "chunk_size": settings.COLLECTIVE_CHUNK_SIZE,
        "sizes": sizes,
    }


def database_version(connection) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"sqlite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"postgresql {cursor.fetchone()[0].split()[0]}"


def worker(args) -> None:
    """One database, in this process: prints the figures as JSON (or a profile)."""
    with tempfile.TemporaryDirectory() as folder:
        if args.database == "sqlite":
            run_on(f"sqlite:///{folder}/bench.sqlite3", args)
        else:
            url = os.environ.get("BENCH_GRANT_DATABASE_URL") or DEFAULT_POSTGRESQL_URL
            with bench_database(url):
                run_on(url, args)


def run_on(database_url: str, args) -> None:
    setup_django(database_url)
    from django.conf import settings

    settings.EMAIL_BACKEND = MAIL_BACKENDS[args.mail]
    if args.mail == "smtp":
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", int(os.environ["BENCH_SMTP_PORT"])
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    # Imports, compiled templates and cached texts happen once per process: not in a figure.
    for way in WAYS:
        timed(way, WARM_UP[way])
    if args.profile:
        for way in ("batch", "floor"):
            profile(way, args.sizes[-1])
        return
    print(json.dumps(measure(args)))


def megabytes(value: int | None) -> str:
    return "-" if value is None else f"{value / 1e6:.1f}"


def print_rows(figures: dict) -> None:
    for size in figures["sizes"]:
        ms, queries, peak = size["ms"], size["queries"], size["peak"]
        print(
            f"{figures['database']:<17} {size['n']:>7,} {size['runs']:>4}"
            f" {ms['batch']:>7.3f} {ms['floor']:>7.3f} {ms['naive']:>7.3f}"
            f" {ms['naive'] / ms['batch']:>7.1f}x {ms['naive'] / ms['floor']:>7.1f}x"
            f" {ms['batch'] / ms['floor']:>6.2f}x"
            f" {queries['batch']:>7.3f} {queries['floor']:>7.3f} {queries['naive']:>7.1f}"
            f" {megabytes(peak['batch']):>6} {megabytes(peak['floor']):>6}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated employee counts")
    parser.add_argument(
        "--runs", type=int, help="runs per size (default: 3; 2 above 1,000; 1 above 10,000)"
    )
    parser.add_argument("--naive-sample", type=int, default=300)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="peak memory by tracemalloc (slow)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile batch and floor instead")
    parser.add_argument("--mail", choices=sorted(MAIL_BACKENDS), default="serialize")
    parser.add_argument(
        "--peer",
        action="store_true",
        help="also django-invitations' path (bench/peer_invitations.py, BENCH_PEER_PYTHON)",
    )
    parser.add_argument("--peer-sample", type=int, default=1000)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.sizes.split(",")]
    if args.worker:
        worker(args)
        return

    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    # The worker's --database comes last, so it wins over the one given here.
    commands = [
        [sys.executable, __file__, *sys.argv[1:], "--worker", "--database", database]
        for database in databases
    ]
    with smtp_sink() if args.mail == "smtp" else contextlib.nullcontext():
        figures = run_workers(commands, args)
    if args.peer and figures.get("postgresql"):
        run_peer(figures["postgresql"], args)


def run_peer(ours: dict, args) -> None:
    """django-invitations' own path (bench/peer_invitations.py) on the same PostgreSQL server,
    in the bench's own virtualenv (BENCH_PEER_PYTHON), after our rows, against them."""
    python = os.environ.get("BENCH_PEER_PYTHON", "/tmp/bench-venv/bin/python")
    command = [python, str(Path(__file__).with_name("peer_invitations.py"))]
    command += ["--sizes", str(args.peer_sample), "--runs", "3"]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    peer = json.loads(output.splitlines()[-1])["sizes"][0]
    print(
        f"peer: django-invitations' Invitation.create + send_invitation, one at a time, "
        f"{peer['n']:,} invitations x {peer['runs']} runs: {peer['ms']:.3f} ms per invitation"
    )
    print(f"{'size':>7} {'batch':>7} {'floor':>7} {'peer':>7} {'batch/f':>8} {'peer/b':>7}")
    for size in ours["sizes"]:
        ms = size["ms"]
        print(
            f"{size['n']:>7,} {ms['batch']:>7.3f} {ms['floor']:>7.3f} {peer['ms']:>7.3f}"
            f" {ms['batch'] / ms['floor']:>7.2f}x {peer['ms'] / ms['batch']:>6.1f}x"
        )


@contextlib.contextmanager
def smtp_sink():
    """bench/smtp_sink.py on a free port of 127.0.0.1, for the workers (BENCH_SMTP_PORT)."""
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("smtp_sink.py")), str(port)]
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.05)
        os.environ["BENCH_SMTP_PORT"] = str(port)
        yield
    finally:
        sink.terminate()
        sink.wait(timeout=10)


def run_workers(commands: list[list[str]], args) -> dict:
    """Each database's figures, printed; returned by database ("sqlite", "postgresql")."""
    if args.profile:
        for command in commands:
            subprocess.run(command, check=True)
        return {}
    results = {}
    memory = "tracemalloc peak" if args.tracemalloc else "growth of peak RSS"
    print(f"machine: {machine()}")
    print(
        f"collective grant: median ms per invitation; mail: {args.mail}; "
        f"naive on {args.naive_sample} employees; "
        f"q = SQL queries per invitation; memory = {memory}, MB"
    )
    print(
        f"{'database':<17} {'size':>7} {'runs':>4} {'batch':>7} {'floor':>7} {'naive':>7}"
        f" {'naive/b':>8} {'naive/f':>8} {'batch/f':>7}"
        f" {'q batch':>7} {'q floor':>7} {'q naive':>7} {'mem b':>6} {'mem f':>6}",
        flush=True,
    )
    for command in commands:
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
        figures = json.loads(output.splitlines()[-1])
        results[figures["database"].split()[0]] = figures
        print_rows(figures)
        sys.stdout.flush()
    print(
        f"chunk size {figures['chunk_size']}; targets: naive/batch >= 8x, batch/floor <= 1.5x, "
        "queries and memory flat as size grows; naive/f: the floor's own lead, the most any "
        "real path could reach"
    )
    return results


if __name__ == "__main__":
    main()
