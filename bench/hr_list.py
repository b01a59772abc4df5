"""Benchmark: the HR employee list at 100, 10,000 and 100,000 employees on PostgreSQL.

Run with `make bench` (or `python bench/hr_list.py`; BENCH_QUICK=1 for 100 / 1,000 / 10,000).
It creates a throw-away PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/essportal_bench), seeds one employer per size in the same
tables (so the small employer lives next to the big ones, as tenants do), and requests the real
view (`hr:employee_list`) through django.test.Client as a signed-in manager with the production
settings (DEBUG off, cached templates):

- first page (sorted by name);
- search by a common last name (~2% of the rows match) and by a rare one (1 row matches);
- the access-state filters `?access=invited` and `?access=no_access` (common states) and
  `?access=locked` (a rare one: 2.5% of the rows);
- the first page again with its tab counts just made stale (as after any grant or block): what
  the first look after a change costs. The other scenarios read the counts from the cache
  (Redis, BENCH_REDIS_URL, default redis://127.0.0.1:6379/14, emptied first) from round 1 on.

The employees are mixed: 5% without email, 30% with an account (some blocked), 10% with a live
invitation, 5% with an expired one, 2.5% locked, the rest without access; 1 in 8 has left.
Printed: the median time per size and scenario (rounds interleave sizes and scenarios so that
machine noise hits all alike), SQL queries per request, and the ratio time(largest)/time(100).
Nothing is asserted; the targets are: the same number of queries at every size (<= 8), and the
median at 100,000 <= 2x the median at 100.
"""

import argparse
import datetime
import os
import time

from common import QUICK, QueryCounter, bench_database, machine, median_ms, setup_django

SCENARIOS = {
    "first page": "",
    "search common name": "?q=meer",
    "search rare name": "?q=quispel",
    "access=invited": "?access=invited",
    "access=no_access": "?access=no_access",
    "access=locked": "?access=locked",
    "first page, recount": "",
}
RECOUNT = {"first page, recount"}  # the employer's tab counts are made stale before each request
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
BATCH = 5000


def seed(n: int, password_hash: str):
    from django.utils import timezone

    from employees.models import Employee
    from employers.hr.demo import PEOPLE
    from employers.models import Employer, Provider, StaffMembership
    from essportal.models import User, username_key
    from invitations.models import Invitation

    provider, _ = Provider.objects.get_or_create(name="Bench provider")
    employer = Employer.objects.create(provider=provider, name=f"Bench {n}")
    manager = User.objects.create(username=f"hr-{n}", password=password_hash)
    StaffMembership.objects.create(
        user=manager, employer=employer, role=StaffMembership.Role.MANAGER
    )
    now = timezone.now()
    for start in range(0, n, BATCH):
        indexes = range(start, min(n, start + BATCH))
        users = {
            i: User(
                username=f"e{n}-{i}",
                username_key=username_key(f"e{n}-{i}"),  # bulk_create skips save()
                password=password_hash,
                is_active=i % 100 != 1,
            )
            for i in indexes
            if 1 <= i % 20 <= 6
        }
        User.objects.bulk_create(users.values())
        employees = []
        for i in indexes:
            first_name, _infix, _last = PEOPLE[i % len(PEOPLE)]
            _first, infix, last_name = PEOPLE[(i // len(PEOPLE) * 7 + i) % len(PEOPLE)]
            if i == n // 2:
                infix, last_name = "", "Quispel-Zwanenburg"
            birth = datetime.date(1950 + i % 55, 1 + i % 12, 1 + i % 28)
            started = datetime.date(max(birth.year + 18, 1990 + i % 35), 1 + i % 12, 1)
            employee = Employee(
                employer=employer,
                number=f"{i:07d}",
                initials=f"{first_name[0]}.",
                first_name=first_name,
                infix=infix,
                last_name=last_name,
                birth_date=birth,
                email="" if i % 20 == 0 else f"p{i}.{n}@example.test",
                start_date=started,
                end_date=datetime.date(started.year + 1, 6, 30) if i % 8 == 0 else None,
                user=users.get(i),
            )
            employee.refresh_search_text()  # bulk_create skips save(), which does this
            employees.append(employee)
        Employee.objects.bulk_create(employees)
        invitations = []
        for i, employee in zip(indexes, employees, strict=True):
            r = i % 20
            if r in (7, 8, 9) or (r == 10 and i % 40 == 10):
                status = Invitation.Status.LOCKED if r == 10 else Invitation.Status.PENDING
                sent = now - datetime.timedelta(days=6 if r == 9 else 1)
                invitations.append(
                    Invitation(
                        employee=employee,
                        status=status,
                        sent_at=sent,
                        expires_at=sent + datetime.timedelta(days=4),
                        mail_status=Invitation.MailStatus.SENT,
                        created_at=sent,
                    )
                )
            elif r == 11:  # an old, used-up invitation: history the filters must skip
                invitations.append(
                    Invitation(
                        employee=employee,
                        status=Invitation.Status.SUPERSEDED,
                        mail_status=Invitation.MailStatus.SENT,
                        created_at=now - datetime.timedelta(days=30),
                    )
                )
        Invitation.objects.bulk_create(invitations)
    return employer, manager


def measure(client, url: str) -> tuple[float, int, int]:
    from django.db import connection

    counter = QueryCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    # Rows shown: one link per employee (response.context needs the test instrumentation).
    return elapsed, counter.count, response.content.count(b'<td><a href="/hr/employees/')


def explain(employer, query: str) -> str:
    from django.http import QueryDict

    from invitations.selectors import EmployeeFilters, employee_list_for_employer

    params = QueryDict(query.lstrip("?"))
    filters = EmployeeFilters(q=params.get("q", ""), access=params.get("access", ""))
    qs = employee_list_for_employer(employer, filters)[:26]
    return qs.explain(analyze=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_sizes = "100,1000,10000" if QUICK else "100,10000,100000"
    parser.add_argument("--sizes", default=default_sizes)
    parser.add_argument("--rounds", type=int, default=5 if QUICK else 9)
    parser.add_argument("--explain", action="store_true", help="print the query plans at the end")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    with bench_database() as url:
        setup_django(url, redis_url=REDIS_URL)
        from django.contrib.auth.hashers import make_password
        from django.core.cache import cache

        from employees.access_cache import employer_access_changed

        cache.clear()
        from django.db import connection
        from django.test import Client

        started = time.perf_counter()
        password_hash = make_password("bench password 123")  # hashed once, reused
        tenants = {n: seed(n, password_hash) for n in sizes}
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        seeded = time.perf_counter() - started
        print(f"machine: {machine()}")
        print(
            f"database: {connection.vendor} {connection.pg_version}; seeded {sum(sizes)} "
            f"employees in {seeded:.0f} s; {args.rounds} rounds"
        )

        from tests.mfa_helpers import force_login_verified

        clients = {}
        for n, (_employer, manager) in tenants.items():
            # HR signs in in two steps: a session verified with the manager's authenticator.
            clients[n] = force_login_verified(Client(), manager)
        times = {(n, s): [] for n in sizes for s in SCENARIOS}
        queries, rows = {}, {}
        # The recount runs after the others: a change makes every cached count of the employer
        # stale, so interleaved with them it would make them all recount too.
        cached = [s for s in SCENARIOS if s not in RECOUNT]
        phases = [cached] * (args.rounds + 1) + [sorted(RECOUNT)] * (args.rounds + 1)
        for phase, scenarios in enumerate(phases):
            round_ = phase % (args.rounds + 1)  # round 0 of each phase warms up, is discarded
            for scenario in scenarios:
                query = SCENARIOS[scenario]
                for n in sizes:
                    employer = tenants[n][0]
                    url = f"/hr/employers/{employer.pk}/employees/{query}"
                    if scenario in RECOUNT:
                        employer_access_changed(employer.pk)  # no transaction: at once
                    elapsed, count, shown = measure(clients[n], url)
                    if round_:
                        times[n, scenario].append(elapsed)
                    queries[n, scenario], rows[n, scenario] = count, shown

        small, large = sizes[0], sizes[-1]
        header = f"{'scenario':<20}" + "".join(f"{f'{n:,} (ms)':>14}" for n in sizes)
        print(header + f"{'queries':>12}{'ratio':>8}")
        for scenario in SCENARIOS:
            medians = [median_ms(times[n, scenario]) for n in sizes]
            counts = "/".join(str(queries[n, scenario]) for n in sizes)
            ratio = medians[-1] / medians[0]
            print(
                f"{scenario:<20}"
                + "".join(f"{m:>14.1f}" for m in medians)
                + f"{counts:>12}{ratio:>7.2f}x"
            )
        print(f"rows shown at {large:,}: " + ", ".join(f"{s} {rows[large, s]}" for s in SCENARIOS))
        print(
            f"ratio = median({large:,}) / median({small:,}); target <= 2x; "
            "queries per request at each size, target: equal and <= 8"
        )
        if args.explain:
            for scenario, query in SCENARIOS.items():
                print(f"\n--- {scenario} at {large:,}\n{explain(tenants[large][0], query)}")


if __name__ == "__main__":
    main()
