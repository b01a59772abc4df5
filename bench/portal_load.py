"""Load test: the employee portal under gunicorn with 50 signed-in employees at once.

Run with `make bench` (or `python bench/portal_load.py`; BENCH_QUICK=1 for shorter scenarios).
Needs `wrk` (Debian: `apt-get install -y wrk`); it is a bench-only tool, not an app dependency.

It creates a throw-away PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/essportal_bench), seeds a few hundred employees, each with an
account (one password hash, computed once and reused), six payslips with lines and a session
made with SessionStore (each employee its own session cookie), collects the static files into a
temporary folder, and starts gunicorn on a free port of 127.0.0.1 with the production settings
(DEBUG off, Redis as the cache and so for reading sessions: BENCH_REDIS_URL, default
redis://127.0.0.1:6379/14, emptied first; gunicorn.conf.py: 3 workers x 2 threads) on
bench/portal_wsgi.py, which serves the application plus two do-nothing views for comparison:
/bench/bare/ without any middleware, and /bench/stack/ behind the whole middleware stack with the
employee's session (what every portal page pays before its own work).

Then, per scenario, wrk holds 50 connections (--connections) for a bounded time; a Lua script
rotates over the employees (cookie and their own payslip ids). In the page scenarios each
connection asks again the moment it has its answer: 50 requests are always in flight, which
measures throughput (what the server does flat out), not what 50 people clicking would see. The
last scenario, pay day, is that: 50 employees each open home, payslips, a payslip and its PDF in
turn, pausing 0.5-1.5 s between two pages (--think-ms, mean 1 s; bench/pay_day.py, as wrk's
latencies are invented when it pauses between requests). Printed per
scenario, as medians over the rounds: requests/s, median, p95 and p99 latency, errors
(connection errors and non-2xx answers) and throughput as a fraction of the two do-nothing
views'. Nothing is asserted. Targets: >= 50% of the bare throughput for HTML pages, no errors,
p95 < 100 ms.
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal

from common import (
    QUICK,
    ROOT,
    bench_database,
    free_port,
    machine,
    production_environment,
    setup_django,
)
from pay_day import run_pay_day

CONNECTIONS = 50
# Pay day: the mean pause of an employee between two pages. A real one reads a payslip for far
# longer; one second makes 50 employees ask for ~48 pages a second.
THINK_MS = 1000
BARE, STACK, PAY_DAY = "bare Django view", "minimal view, full stack", "pay day: 4 pages, pauses"
# Production runs with Redis as the cache, and so with the sessions read from it.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
LUA = r"""
local targets = TARGETS
local i = 0
request = function()
  i = i + 1
  local t = targets[(i % #targets) + 1]
  return wrk.format("GET", t[2], {["Cookie"] = "sessionid=" .. t[1]})
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %f, "errors": %d, "non2xx": %d, '
    .. '"p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration / 1e6, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def seed(employees: int) -> list[dict]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore

    from employees.mfa.stage import PASSWORD_ONLY_KEY
    from employees.models import Employee, Payslip, PayslipLine
    from employers.models import Employer, Provider
    from essportal.backends import PORTAL_BACKEND
    from essportal.models import User, username_key

    password = make_password("bench password 123")  # hashed once, reused
    provider = Provider.objects.create(name="Bench provider")
    employer = Employer.objects.create(provider=provider, name="Bench B.V.")
    users = User.objects.bulk_create(
        [
            # bulk_create skips save(), which fills in the key
            User(username=f"bench{i}", username_key=username_key(f"bench{i}"), password=password)
            for i in range(employees)
        ]
    )
    people = []
    for i, user in enumerate(users):
        person = Employee(
            employer=employer,
            number=f"{i:06d}",
            initials="J.",
            first_name="Jan",
            last_name=f"Werknemer{i}",
            birth_date=datetime.date(1980, 1, 1),
            email=f"bench{i}@example.test",
            start_date=datetime.date(2020, 1, 1),
            user=user,
        )
        person.refresh_search_text()
        people.append(person)
    Employee.objects.bulk_create(people)
    payslips = [
        Payslip(
            employee=person,
            year=2025,
            period=month,
            period_start=datetime.date(2025, month, 1),
            period_end=datetime.date(2025, month, 28),
            pay_date=datetime.date(2025, month, 25),
            publish_date=datetime.date(2025, month, 23),
            gross_wage=Decimal("3500.00"),
            net_pay=Decimal("2634.57"),
            wage_tax=Decimal("672.43"),
            fiscal_wage=Decimal("3307.50"),
            tax_table=Payslip.TaxTable.WHITE,
        )
        for person in people
        for month in range(7, 13)
    ]
    Payslip.objects.bulk_create(payslips)
    PayslipLine.objects.bulk_create(
        PayslipLine(
            payslip=payslip,
            sort_order=order,
            code=code,
            description=description,
            kind=kind,
            amount=Decimal(amount),
        )
        for payslip in payslips
        for order, (code, description, kind, amount) in enumerate(
            [
                ("1000", "Salaris", PayslipLine.Kind.EARNING, "3500.00"),
                ("4000", "Loonheffing", PayslipLine.Kind.DEDUCTION, "672.43"),
                ("5000", "Pensioenpremie", PayslipLine.Kind.DEDUCTION, "193.00"),
            ]
        )
    )
    latest = {p.employee_id: p.pk for p in payslips}  # the last one of each person wins
    sessions = []
    for person, user in zip(people, users, strict=True):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = PORTAL_BACKEND
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # Signed in with a password alone, which the employer allows (two-step sign-in is
        # optional): without this mark every page answers with the second step's redirect.
        store[PASSWORD_ONLY_KEY] = user.pk
        store.create()
        sessions.append({"cookie": store.session_key, "payslip": latest[person.pk]})
    return sessions


def wait_until_up(url: str, process, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - 127.0.0.1 only
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer")


def run_wrk(
    base: str, targets: list[tuple[str, str]], seconds: int, folder: str, connections: int
) -> dict:
    table = "{" + ",".join(f'{{"{c}","{p}"}}' for c, p in targets) + "}"
    script = os.path.join(folder, "rotate.lua")
    with open(script, "w") as handle:
        handle.write(LUA.replace("TARGETS", table))
    output = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            script,
            base,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("JSON "))
    result = json.loads(line[5:])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=5 if QUICK else 10)
    parser.add_argument("--rounds", type=int, default=1 if QUICK else 3)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument(
        "--think-ms",
        type=int,
        default=THINK_MS,
        help="pay day: mean pause of an employee between two pages (0 leaves the scenario out)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")

    with bench_database() as url, tempfile.TemporaryDirectory() as folder:
        static_root = os.path.join(folder, "static")
        setup_django(url, static_root=static_root, redis_url=REDIS_URL)
        from django.core.cache import cache
        from django.core.management import call_command

        cache.clear()

        call_command("collectstatic", interactive=False, verbosity=0)
        sessions = seed(args.employees)
        from django.db import connections

        connections.close_all()
        server, base, log = start_gunicorn(url, static_root, folder)
        try:
            results = measure(base, sessions, args, folder)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    report(results, args)


def start_gunicorn(url: str, static_root: str, folder: str):
    port = free_port()
    env = {
        **os.environ,
        **production_environment(url, REDIS_URL),
        "BENCH_STATIC_ROOT": static_root,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}",
    }
    log = open(os.path.join(folder, "gunicorn.log"), "w")  # noqa: SIM115 - closed by main
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "portal_wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/bench/bare/", server)
    return server, base, log


def measure(base: str, sessions: list[dict], args, folder: str) -> dict[str, list[dict]]:
    pages = {
        "home /": "/",
        "payslips /payslips/": "/payslips/",
        "payslip /payslips/<id>/": "/payslips/{payslip}/",
        "PDF /payslips/<id>/pdf/": "/payslips/{payslip}/pdf/",
    }
    scenarios = {
        BARE: [(s["cookie"], "/bench/bare/") for s in sessions],
        STACK: [(s["cookie"], "/bench/stack/") for s in sessions],
    }
    for name, page in pages.items():
        scenarios[name] = [(s["cookie"], page.format(**s)) for s in sessions]
    # Warm up every worker (imports, template cache, connections), then measure; the rounds
    # alternate the scenarios so that machine noise hits them alike.
    for targets in scenarios.values():
        run_wrk(base, targets, 2, folder, args.connections)
    results = {name: [] for name in scenarios}
    if args.think_ms:
        results[PAY_DAY] = []
    for _ in range(args.rounds):
        for name, targets in scenarios.items():
            results[name].append(run_wrk(base, targets, args.seconds, folder, args.connections))
        if args.think_ms:
            # Pay day: each employee opens the four pages in turn, pausing between them.
            results[PAY_DAY].append(
                run_pay_day(
                    base,
                    sessions[: args.connections],
                    list(pages.values()),
                    args.seconds,
                    args.think_ms,
                )
            )
    return results


def report(results: dict[str, list[dict]], args) -> None:
    print(f"machine: {machine()}")
    print(
        f"gunicorn (gunicorn.conf.py: {os.environ.get('GUNICORN_WORKERS', '3')} workers x "
        f"{os.environ.get('GUNICORN_THREADS', '2')} threads), {args.connections} connections, "
        f"{args.employees} employees with their own sessions, {args.rounds} x {args.seconds} s "
        "per scenario; medians over the rounds"
    )
    print(
        f"{'scenario':<30}{'req/s':>8}{'vs bare':>9}{'vs stack':>9}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'errors':>8}{'requests':>10}"
    )
    medians = {
        name: {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
        for name, rounds in results.items()
    }
    bare, stack = medians[BARE]["rps"], medians[STACK]["rps"]
    for name, r in medians.items():
        errors = sum(round_["errors"] for round_ in results[name])
        requests = sum(round_["requests"] for round_ in results[name])
        ratios = (
            f"{'-':>9}{'-':>9}"
            if name == PAY_DAY
            else f"{r['rps'] / bare:>8.0%} {r['rps'] / stack:>8.0%}"
        )
        print(
            f"{name:<30}{r['rps']:>8.0f}{ratios}{r['p50'] / 1000:>8.1f}"
            f"{r['p95'] / 1000:>8.1f}{r['p99'] / 1000:>8.1f}{errors:>8}{requests:>10}"
        )
    print("errors: connection errors, timeouts and non-2xx answers over all rounds")
    if args.think_ms:
        print(
            f"pay day: {args.connections} employees each opening home, payslips, payslip and PDF "
            f"in turn, {args.think_ms // 2}-{args.think_ms * 3 // 2} ms between two pages"
        )


if __name__ == "__main__":
    main()
