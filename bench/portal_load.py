"""Load test: the employee portal under gunicorn, at 10 and at 50 signed-in employees at once.

Run with `make bench` (or `python bench/portal_load.py`; BENCH_QUICK=1 for shorter scenarios).
Needs `wrk` (Debian: `apt-get install -y wrk`); it is a bench-only tool, not an app dependency.

It creates a throw-away PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/essportal_bench), seeds a few hundred employees
(bench/portal_seed.py: an account each, one password hash computed once and reused, six payslips
with lines, three annual statements, two leave balances and three leave requests, and a session
signed in with a password alone, as the employer allows), collects the static files into a
temporary folder, and starts gunicorn on a free port of 127.0.0.1 with the production settings
(DEBUG off, Redis as the cache and so for reading sessions: BENCH_REDIS_URL, default
redis://127.0.0.1:6379/14, emptied first; gunicorn.conf.py: 3 workers x 2 threads) on
bench/portal_wsgi.py, which serves the application plus two do-nothing views for comparison:
/bench/bare/ without any middleware, and /bench/stack/ behind the whole middleware stack with the
employee's session and user (what every portal page pays before its own work).

Then, per scenario and per number of connections (--connections, default 10,50), wrk holds that
many connections for a bounded time; a Lua script rotates over the employees (cookie and their
own payslip ids). Each connection asks again the moment it has its answer: that many requests are
always in flight, which measures throughput (what the server does flat out), not what people
clicking would see. The last scenario, pay day, is that: 50 employees (--pay-day-employees) each
open home, payslips, a payslip and its PDF in turn, pausing 0.5-1.5 s between two pages
(--think-ms, mean 1 s; bench/pay_day.py, as wrk's latencies are invented when it pauses between
requests). Printed per scenario, as medians over the rounds: requests/s, median, p95 and p99
latency, errors (connection errors and non-2xx answers: a page that redirects counts as one) and
throughput as a fraction of the two do-nothing views' (per round, then the median). With
--rendered, a second gunicorn with PORTAL_PAGE_CACHE_SECONDS=0 serves the same pages rendered
from the database on every request, measured in the same interleaved rounds. Nothing is
asserted. Targets: pages >= 60% of the stack view's throughput, no errors, p95 < 100 ms at 10
flat out and at 50 paced.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

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
from portal_seed import seed

CONNECTIONS = [10, 50]
# Pay day: the mean pause of an employee between two pages. A real one reads a payslip for far
# longer; one second makes 50 employees ask for ~48 pages a second.
THINK_MS = 1000
BARE, STACK, PAY_DAY = "bare Django view", "minimal view, full stack", "pay day: 4 pages, pauses"
RENDERED = "(rendered each time)"
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
    parser.add_argument(
        "--connections",
        type=lambda text: [int(part) for part in text.split(",")],
        default=CONNECTIONS,
        help="comma-separated numbers of connections held flat out (default 10,50)",
    )
    parser.add_argument(
        "--rendered",
        action="store_true",
        help="also measure each page rendered every time (PORTAL_PAGE_CACHE_SECONDS=0), on a "
        "second server, in the same interleaved rounds",
    )
    parser.add_argument("--pay-day-employees", type=int, default=50)
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
        servers = [start_gunicorn(url, static_root, folder)]
        if args.rendered:
            servers.append(start_gunicorn(url, static_root, folder, PORTAL_PAGE_CACHE_SECONDS="0"))
        try:
            rendered = servers[1][1] if args.rendered else None
            results = measure(servers[0][1], rendered, sessions, args, folder)
        finally:
            for server, _, log in servers:
                server.terminate()
                server.wait(timeout=30)
                log.close()
    report(results, args)


def start_gunicorn(url: str, static_root: str, folder: str, **settings: str):
    port = free_port()
    env = {
        **os.environ,
        **production_environment(url, REDIS_URL),
        **settings,
        "BENCH_STATIC_ROOT": static_root,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}",
    }
    log = open(os.path.join(folder, f"gunicorn-{port}.log"), "w")  # noqa: SIM115 - closed by main
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


PAGES = {
    "home /": "/",
    "payslips /payslips/": "/payslips/",
    "payslip /payslips/<id>/": "/payslips/{payslip}/",
    "PDF /payslips/<id>/pdf/": "/payslips/{payslip}/pdf/",
    "statements /statements/": "/statements/",
    "leave /leave/": "/leave/",
}
# The pages kept rendered in the cache (employees/portal/page_cache.py); --rendered also
# measures them without it.
KEPT_PAGES = [page for page in PAGES.values() if not page.endswith("/pdf/")]
# What pay day's employees open, in turn.
PAY_DAY_PAGES = ["/", "/payslips/", "/payslips/{payslip}/", "/payslips/{payslip}/pdf/"]


def measure(base: str, rendered: str | None, sessions: list[dict], args, folder: str) -> dict:
    """{(connections, scenario): [one result per round]}; pay day under (employees, PAY_DAY).
    `rendered`: with --rendered, the server that renders every page (no page cache)."""
    scenarios = {
        BARE: (base, [(s["cookie"], "/bench/bare/") for s in sessions]),
        STACK: (base, [(s["cookie"], "/bench/stack/") for s in sessions]),
    }
    for name, page in PAGES.items():
        targets = [(s["cookie"], page.format(**s)) for s in sessions]
        scenarios[name] = (base, targets)
        if rendered and page in KEPT_PAGES:
            scenarios[f"{name.split()[0]} {RENDERED}"] = (rendered, targets)
    # Warm up every worker (imports, template cache, connections), then measure; the rounds
    # alternate the scenarios (and the numbers of connections) so that machine noise hits them
    # alike.
    for server, targets in scenarios.values():
        run_wrk(server, targets, 2, folder, max(args.connections))
    results = {}
    for _ in range(args.rounds):
        for connections in args.connections:
            for name, (server, targets) in scenarios.items():
                outcome = run_wrk(server, targets, args.seconds, folder, connections)
                results.setdefault((connections, name), []).append(outcome)
        if args.think_ms:
            # Pay day: each employee opens the four pages in turn, pausing between them.
            employees = sessions[: args.pay_day_employees]
            outcome = run_pay_day(base, employees, PAY_DAY_PAGES, args.seconds, args.think_ms)
            results.setdefault((args.pay_day_employees, PAY_DAY), []).append(outcome)
    return results


def _ratio(results: dict, connections: int, name: str, reference: str) -> float:
    """The scenario's throughput over the reference's, taken round by round (the two ran minutes
    apart at most) and then the median: noise that hits one round hits both."""
    pairs = zip(results[(connections, name)], results[(connections, reference)], strict=True)
    return statistics.median(page["rps"] / other["rps"] for page, other in pairs)


def report(results: dict, args) -> None:
    print(f"machine: {machine()}")
    print(
        f"gunicorn (gunicorn.conf.py: {os.environ.get('GUNICORN_WORKERS', '3')} workers x "
        f"{os.environ.get('GUNICORN_THREADS', '2')} threads), {args.employees} employees with "
        f"their own sessions, {args.rounds} x {args.seconds} s per scenario; medians over the "
        "rounds"
    )
    medians = {
        key: {field: statistics.median(r[field] for r in rounds) for field in rounds[0]}
        for key, rounds in results.items()
    }
    for connections in sorted({*args.connections, args.pay_day_employees}):
        rows = [(name, r) for (c, name), r in medians.items() if c == connections]
        if not rows or (connections, BARE) not in medians:
            rows = [(name, r) for name, r in rows if name == PAY_DAY]
            if not rows:
                continue
        print(f"\n{connections} connections")
        print(
            f"{'scenario':<30}{'req/s':>8}{'vs bare':>9}{'vs stack':>9}{'p50 ms':>8}"
            f"{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}{'requests':>10}"
        )
        for name, r in rows:
            errors = sum(round_["errors"] for round_ in results[(connections, name)])
            requests = sum(round_["requests"] for round_ in results[(connections, name)])
            ratios = (
                f"{_ratio(results, connections, name, BARE):>8.0%} "
                f"{_ratio(results, connections, name, STACK):>8.0%}"
                if (connections, BARE) in results and name != PAY_DAY
                else f"{'-':>9}{'-':>9}"
            )
            print(
                f"{name:<30}{r['rps']:>8.0f}{ratios}{r['p50'] / 1000:>8.1f}"
                f"{r['p95'] / 1000:>8.1f}{r['p99'] / 1000:>8.1f}{errors:>8}{requests:>10}"
            )
    print("errors: connection errors, timeouts and non-2xx answers over all rounds")
    if args.think_ms:
        print(
            f"pay day: {args.pay_day_employees} employees each opening home, payslips, payslip "
            f"and PDF in turn, {args.think_ms // 2}-{args.think_ms * 3 // 2} ms between two pages"
        )


if __name__ == "__main__":
    main()
