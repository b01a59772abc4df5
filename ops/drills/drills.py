"""The drills: each one starts a grant on a stack of its own, does its damage, and measures.

The drill itself reads the database through the ORM in this process (set up with the stack's
settings), starts the collective grant through the HR service (`grant_batch_start`, as HR's
button does: the job runs on the worker) and reads the relay's record of mails.
"""

import datetime
import os
import signal
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ops.drills import measure
from ops.drills.stack import Stack, wait_until

HR_USERNAME = "hr-provider"  # seed_demo: HR manager of every employer of the provider
BENCHMARK = "Benchmark B.V."
EMPLOYEE_PASSWORD = "Drill-activation-pass-2026"  # noqa: S105 - a throw-away stack


def django_setup(stack: Stack) -> None:
    """The ORM in this process, on the stack's database and Redis."""
    import django
    from django.conf import settings

    if settings.configured:
        return  # under pytest: already set up, on the database the stack uses
    os.environ.update(stack.env(LOG_LEVEL="WARNING"))
    django.setup()


def db_retry(function, timeout: float = 90):
    """Run an ORM read, reconnecting while the database restarts."""
    from django.db import InterfaceError, OperationalError, connection

    deadline = time.monotonic() + timeout
    while True:
        try:
            return function()
        except (OperationalError, InterfaceError):
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@dataclass
class Options:
    employees: int | None = None  # the drill's own default (Drill.employees)
    timeout: float = 900  # the drill gives up waiting for the outbox after this
    settle: float = 15  # after the outbox is empty: late (duplicate) mails still arrive
    fault_at: float = 0.3  # share of the expected mails sent before the fault
    outage: float = 60  # seconds a server stays down, hung, or the relay refuses
    pause: float = 240  # seconds a paused worker stays paused (past the claim lease and a sweep)
    latency: float = 0.0  # seconds per mail at the relay
    # Mail through an email provider's API (bench/provider_stub.py, Mandrill, batch sending)
    # instead of the SMTP relay; `provider_latency` seconds a call.
    provider: bool = False
    provider_latency: float = 0.05
    activations: int = 50
    check_links: bool = True
    keep: bool = False
    database_url: str | None = None  # a database of the caller's instead of a private cluster
    quiet: bool = False


@dataclass
class Result:
    drill: str
    options: Options
    figures: measure.Figures | None = None
    expected: int = 0
    started_at: float = 0.0
    fault_at: float | None = None
    fault_cleared_at: float | None = None
    drained_at: float | None = None
    timed_out: bool = False
    restarts: list = field(default_factory=list)
    pages: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    operations: str = ""

    recovery_from: str = "the fault's end"

    @property
    def recovery_seconds(self) -> float | None:
        """From the fault's end (or its start, see recovery_from) to the last invitation's
        first mail."""
        if self.figures is None or self.figures.last_first_mail_at is None:
            return None
        cleared = self.fault_cleared_at or self.fault_at
        if self.recovery_from != "the fault's end":
            cleared = self.fault_at
        if cleared is None:
            return None
        return max(0.0, self.figures.last_first_mail_at - cleared)

    def report(self) -> str:
        o = self.options
        lines = [
            f"== drill {self.drill}: {o.employees} employees seeded, {self.expected} to invite, "
            f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        ]
        if self.figures:
            lines += ["  " + line for line in self.figures.lines()]
            if self.figures.last_first_mail_at:
                total = self.figures.last_first_mail_at - self.started_at
                lines.append(f"  grant start to last first mail:      {total:.0f} s")
        recovery = self.recovery_seconds
        lines.append(
            f"  recovery (from {self.recovery_from} to all mailed): "
            + (f"{recovery:.0f} s" if recovery is not None and not self.figures.lost else "—")
        )
        if self.timed_out:
            lines.append(f"  TIMED OUT after {o.timeout:.0f} s with the outbox not empty")
        if self.restarts:
            lines.append(f"  restarted by the supervisor: {[name for _t, name in self.restarts]}")
        for name, value in self.pages.items():
            lines.append(f"  page {name}: {value}")
        for name, value in self.extra.items():
            lines.append(f"  {name}: {value}")
        if self.operations:
            lines.append("  check_operations at the end:")
            lines += ["    " + line for line in self.operations.splitlines()]
        return "\n".join(lines)


class Drill:
    """One run: the stack, the grant, the fault (`fault()`, per drill), the measurements."""

    name = ""
    summary = ""
    workers = 1  # started before the grant
    worker_concurrency = 2
    check_pages = False  # time HR and portal pages during the fault

    employees = 2000

    def __init__(self, options: Options):
        self.o = options
        if self.o.employees is None:
            self.o.employees = self.employees
        self.result = Result(drill=self.name, options=options)
        self.page_times = measure.PageTimes()

    # --- the run

    def run(self) -> Result:
        self.stack = Stack(
            database_url=self.o.database_url,
            keep=self.o.keep,
            quiet=self.o.quiet,
            provider_latency=self.o.provider_latency if self.o.provider else None,
        )
        with self.stack:
            self.start_stack()
            self.before_grant()
            self.start_grant()
            self.fault()
            self.wait_for_outbox()
            self.take_measurements()
        return self.result

    def start_stack(self) -> None:
        s = self.stack
        if not self.o.database_url:
            s.start_postgres()
            s.note(f"PostgreSQL on port {s.pg_port} ({s.dir})")
        s.start_redis()
        if self.o.provider:
            s.start_provider()
            s.note(f"Redis on {s.redis_port}, provider stub (Mandrill API) on {s.smtp_port}")
        else:
            s.start_relay()
            s.note(f"Redis on {s.redis_port}, SMTP relay on {s.smtp_port}")
        s.prepare_application(migrate=not self.o.database_url)
        django_setup(s)
        self.seed()
        s.start_web()
        s.note(f"gunicorn on {s.site_url}")
        for index in range(self.workers):
            s.start_worker(
                "worker" if index == 0 else f"worker{index + 1}",
                concurrency=self.worker_concurrency,
            )
        s.start_beat()
        s.supervise()
        self.wait_for_worker()

    def seed(self) -> None:
        started = time.monotonic()
        self.stack.manage("seed_demo", "--employees", str(self.o.employees), "--force")
        took = time.monotonic() - started
        self.stack.note(f"seeded {self.o.employees} employees in {took:.0f} s")

    def wait_for_worker(self, name: str = "worker") -> None:
        log = self.stack.logs / f"{name}.log"
        wait_until(lambda: log.exists() and b"ready." in log.read_bytes(), 120, f"{name} ready")

    def before_grant(self) -> None:
        pass

    def employer(self):
        from employers.models import Employer

        return Employer.objects.get(name=BENCHMARK)

    def start_grant(self) -> None:
        from invitations.collective import grant_preview
        from invitations.services import grant_batch_start

        employer = self.employer()
        self.result.expected = grant_preview(employer=employer).to_invite
        self.result.started_at = time.time()
        self.batch_id = grant_batch_start(employer=employer).pk
        self.batch_ids = [self.batch_id]
        self.stack.note(f"collective grant started: {self.result.expected} to invite")

    def fault(self) -> None:
        pass

    # --- helpers for the faults

    def mails_accepted(self) -> int:
        return len(measure.accepted(self.stack.relay_dir))

    def wait_for_share(self, share: float | None = None) -> None:
        """Wait until this share of the expected mails has been accepted by the relay."""
        target = max(1, int(self.result.expected * (self.o.fault_at if share is None else share)))
        wait_until(
            lambda: self.mails_accepted() >= target,
            self.o.timeout,
            f"{target} mails before the fault",
            interval=0.05,
        )

    def fault_now(self, text: str) -> None:
        self.result.fault_at = time.time()
        self.stack.note(f"FAULT: {text} (after {self.mails_accepted()} mails)")

    def fault_over(self, text: str) -> None:
        self.result.fault_cleared_at = time.time()
        self.stack.note(f"fault over: {text}")

    # --- the end

    def outbox_states(self) -> dict[int, str]:
        from invitations.models import Invitation

        return db_retry(
            lambda: dict(
                Invitation.objects.filter(batch_id__in=self.batch_ids).values_list(
                    "pk", "mail_status"
                )
            )
        )

    def outbox_open(self) -> bool:
        from invitations.models import GrantBatch, Invitation

        def read():
            running = GrantBatch.objects.filter(pk__in=self.batch_ids).exclude(status="done")
            waiting = Invitation.objects.filter(
                batch_id__in=self.batch_ids, mail_status__in=["queued", "sending"]
            )
            return running.exists() or waiting.exists()

        return db_retry(read)

    def wait_for_outbox(self) -> None:
        deadline = self.result.started_at + self.o.timeout
        last_note = 0.0
        while time.time() < deadline:
            if not self.outbox_open():
                self.result.drained_at = time.time()
                self.stack.note(f"outbox empty; {self.o.settle:.0f} s for late mails")
                time.sleep(self.o.settle)
                return
            if time.time() - last_note > 30:
                last_note = time.time()
                states = self.outbox_states()
                counts = dict(Counter(states.values()))
                self.stack.note(f"waiting: {self.mails_accepted()} mails, outbox {counts}")
            time.sleep(1)
        self.result.timed_out = True
        self.stack.note("timed out waiting for the outbox")

    def take_measurements(self) -> None:
        s = self.stack
        self.resume_everything()
        self.result.figures = measure.figures(s.relay_dir, self.outbox_states())
        if self.o.check_links:
            started = time.monotonic()
            self.result.figures.links = measure.check_links(s.relay_dir, s.site_url)
            s.note(f"links checked in {time.monotonic() - started:.0f} s")
        self.result.restarts = list(s.restarts)
        self.result.pages = self.page_times.summary()
        done = s.manage("check_operations", check=False, timeout=60)
        self.result.operations = (done.stdout + done.stderr).strip() + f"\n(exit {done.returncode})"

    def resume_everything(self) -> None:
        for proc in self.stack.procs.values():
            if proc.paused:
                proc.resume()

    # --- pages during an outage

    def sign_in_hr(self) -> measure.Browser:
        from employers.hr.demo import DEMO_PASSWORD

        browser = measure.Browser(self.stack.site_url)
        if not browser.sign_in_hr(HR_USERNAME, DEMO_PASSWORD):
            raise RuntimeError("HR sign-in failed")
        return browser

    def hr_pages(self) -> dict[str, str]:
        from employees.models import Employee

        employer = self.employer()
        employee = Employee.objects.filter(employer=employer).order_by("pk").first()
        return {
            "HR home": "/hr/",
            "HR employee list": f"/hr/employers/{employer.pk}/employees/",
            "HR employee search": f"/hr/employers/{employer.pk}/employees/?q=Jan",
            "HR employee": f"/hr/employees/{employee.pk}/",
        }

    def activate_one_employee(self) -> measure.Browser | None:
        """An employee signed in to the portal, activated from the first recorded mail."""
        from invitations.models import Invitation

        wait_until(lambda: self.mails_accepted() > 0, 120, "a first mail")
        entry = measure.accepted(self.stack.relay_dir)[0]
        mail = self.stack.relay_dir / "mail" / entry["file"]
        link = measure.link_in_mail(mail, self.stack.site_url)
        invitation = Invitation.objects.select_related("employee").get(pk=entry["invitation"])
        browser = measure.Browser(self.stack.site_url)
        outcome = browser.activate(
            link, invitation.employee.birth_date, f"drill{invitation.pk}", EMPLOYEE_PASSWORD
        )
        self.result.extra["portal employee"] = (
            f"{outcome} (invitation {invitation.pk}: its link is used, 410, from here on)"
        )
        return browser if outcome == "activated" else None

    def time_pages(self, label: str, hr, portal, pages: dict[str, str]) -> None:
        for name, path in pages.items():
            self.page_times.take(hr, f"{label} {name}", path, timeout=30)
        if portal is not None:
            self.page_times.take(portal, f"{label} portal home", "/", timeout=30)
            self.page_times.take(portal, f"{label} portal payslips", "/payslips/", timeout=30)
        anonymous = measure.Browser(self.stack.site_url)
        self.page_times.take(anonymous, f"{label} /healthz/ready", "/healthz/ready", timeout=30)

    def pages_during(self, seconds: float, hr, portal, pages) -> None:
        """Time the pages every few seconds for `seconds`, and sign in afresh half-way."""
        end = time.monotonic() + seconds
        signed_in = False
        while time.monotonic() < end:
            self.time_pages("during", hr, portal, pages)
            if not signed_in and time.monotonic() > end - seconds / 2:
                signed_in = True
                started = time.monotonic()
                try:
                    self.sign_in_hr()
                    status = 200
                except Exception as exc:  # noqa: BLE001 - a figure, not a failure
                    status = type(exc).__name__
                self.page_times.add("during HR sign-in", status, time.monotonic() - started)
            time.sleep(max(0.0, min(3.0, end - time.monotonic())))


# --- the drills


class WorkerKill(Drill):
    name = "worker-kill"
    summary = "the worker (all its processes) SIGKILLed mid-grant; the supervisor restarts it"
    employees = 12000  # about 10,200 to invite: the grant of 10,000

    def fault(self):
        self.wait_for_share()
        worker = self.stack.procs["worker"]
        worker.signal_group(signal.SIGKILL)  # the container dies: main process and pool
        self.fault_now("worker SIGKILLed")
        # The supervisor (restart: unless-stopped) sees it gone and starts it again.
        wait_until(lambda: worker.starts > 1 and worker.running(), 60, "the worker's restart")
        self.fault_over("worker restarted by the supervisor")


class PoolChildKill(Drill):
    name = "pool-child-kill"
    summary = "the busiest prefork pool process SIGKILLed mid-grant (the worker stays)"

    def fault(self):
        self.wait_for_share()
        children = self.stack.worker_children()
        busiest = max(children, key=_cpu_ticks)
        os.kill(busiest, signal.SIGKILL)
        self.fault_now(f"pool process {busiest} SIGKILLed (of {children})")
        self.fault_over("the worker replaces its pool process itself")


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


class RedisOutage(Drill):
    """Redis killed (or hung) mid-grant for `outage` seconds; pages timed meanwhile."""

    name = "redis-kill"
    summary = "Redis SIGKILLed mid-grant, started again (empty) after --outage s"
    check_pages = True

    def before_grant(self):
        self.hr = self.sign_in_hr()
        self.pages = self.hr_pages()

    def fault(self):
        self.portal = self.activate_one_employee()
        for _ in range(3):
            self.time_pages("before", self.hr, self.portal, self.pages)
        self.wait_for_share()
        self.break_redis()
        self.grant_during_outage()
        self.pages_during(self.o.outage, self.hr, self.portal, self.pages)
        self.mend_redis()
        for _ in range(2):
            self.time_pages("after", self.hr, self.portal, self.pages)

    def grant_during_outage(self):
        """HR starts a second collective grant (another employer of the demo data) while the
        broker is out: it must commit at once, and its mail must follow once Redis is back."""
        from employers.models import Employer
        from invitations.collective import grant_preview
        from invitations.services import grant_batch_start

        other = Employer.objects.exclude(name=BENCHMARK).order_by("pk").first()
        expected = grant_preview(employer=other).to_invite
        outcome = {}

        def start():
            started = time.monotonic()
            try:
                outcome["batch"] = grant_batch_start(employer=other).pk
            except Exception as exc:  # noqa: BLE001 - a figure, not a failure
                outcome["error"] = repr(exc)
            outcome["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=start, daemon=True)
        thread.start()
        thread.join(30)
        if "batch" in outcome:
            self.batch_ids.append(outcome["batch"])
            self.result.expected += expected
        self.result.extra["grant started during the outage"] = (
            f"{other.name}, {expected} to invite: "
            + (
                f"committed in {outcome['seconds']:.1f} s"
                if "batch" in outcome
                else f"{outcome.get('error', 'still waiting after 30 s')}"
            )
        )

    def break_redis(self):
        self.stack.procs["redis"].kill()
        self.fault_now("Redis SIGKILLed")

    def mend_redis(self):
        self.stack.start_redis()
        self.fault_over("Redis started again (empty: no persistence)")


class RedisHang(RedisOutage):
    name = "redis-hang"
    summary = "Redis paused (SIGSTOP) mid-grant for --outage s, then continued"

    def break_redis(self):
        self.stack.procs["redis"].pause()
        self.fault_now("Redis SIGSTOPped (hung)")

    def mend_redis(self):
        self.stack.procs["redis"].resume()
        self.fault_over("Redis continued (SIGCONT)")


class PostgresRestart(Drill):
    name = "postgres-restart"
    summary = "PostgreSQL fast restart mid-grant (down --outage s, default 5)"

    def fault(self):
        self.wait_for_share()
        self.fault_now("PostgreSQL fast shutdown")
        down = self.stack.restart_postgres(down_seconds=min(self.o.outage, 5.0))
        self.fault_over(f"PostgreSQL answers again after {down:.1f} s")


class SmtpGreylist(Drill):
    name = "smtp-greylist"
    summary = "the relay answers 451 at RCPT TO for the first --outage s of the grant"

    def before_grant(self):
        self.stack.relay_control(rcpt_451_until=time.time() + self.o.outage, latency=self.o.latency)
        self.result.fault_at = time.time()

    def fault(self):
        time.sleep(max(0.0, self.result.fault_at + self.o.outage - time.time()))
        self.fault_over("the relay accepts again")


class SmtpData451(Drill):
    name = "smtp-451-data"
    summary = "the relay answers 451 after DATA for the first --outage s of the grant"

    def before_grant(self):
        self.stack.relay_control(data_451_until=time.time() + self.o.outage, latency=self.o.latency)
        self.result.fault_at = time.time()

    def fault(self):
        time.sleep(max(0.0, self.result.fault_at + self.o.outage - time.time()))
        self.fault_over("the relay accepts again")


class WorkerPause(Drill):
    name = "worker-pause"
    summary = (
        "the worker running the grant paused (SIGSTOP) for --pause s while a second worker "
        "takes over, then continued"
    )
    worker_concurrency = 1

    def before_grant(self):
        if self.o.latency:
            self.stack.relay_control(latency=self.o.latency)

    def fault(self):
        s = self.stack
        # The second worker takes over while the first is paused: recovery counts from the pause.
        self.result.recovery_from = "the pause"
        self.wait_for_share()
        s.procs["worker"].pause()
        self.fault_now(f"worker SIGSTOPped for {self.o.pause:.0f} s")
        s.start_worker("worker2", concurrency=1)
        self.wait_for_worker("worker2")
        s.note("a second worker took the queue")
        time.sleep(max(0.0, self.result.fault_at + self.o.pause - time.time()))
        s.procs["worker"].resume()
        self.fault_over("the first worker continued (SIGCONT)")


class Activations(Drill):
    name = "activations"
    employees = 300
    summary = "--activations employees open their links and activate at the same time, one address"

    def fault(self):
        self.wait_for_outbox()
        from invitations.models import Invitation

        entries = measure.accepted(self.stack.relay_dir)[: self.o.activations]
        site = self.stack.site_url
        invitations = Invitation.objects.select_related("employee").in_bulk(
            [int(entry["invitation"]) for entry in entries]
        )
        work = [
            (
                measure.link_in_mail(self.stack.relay_dir / "mail" / entry["file"], site),
                invitations[int(entry["invitation"])],
            )
            for entry in entries
        ]
        barrier = threading.Barrier(len(work))

        def activate(item):
            link, invitation = item
            browser = measure.Browser(site)
            barrier.wait(60)  # all at once
            started = time.monotonic()
            outcome = browser.activate(
                link, invitation.employee.birth_date, f"drill{invitation.pk}", EMPLOYEE_PASSWORD
            )
            return outcome, time.monotonic() - started

        if self.o.check_links:
            # Before the activations: afterwards their links are used (410) by design.
            self.result.extra["links before activating"] = measure.check_links(
                self.stack.relay_dir, site
            )
            self.o.check_links = False
        self.fault_now(f"{len(work)} activations at once from 127.0.0.1")
        with ThreadPoolExecutor(len(work)) as pool:
            outcomes = list(pool.map(activate, work))
        self.fault_over("activations done")
        counts = {}
        for outcome, _seconds in outcomes:
            counts[outcome] = counts.get(outcome, 0) + 1
        times = sorted(seconds for _outcome, seconds in outcomes)
        self.result.extra["activations"] = counts
        self.result.extra["refused (429)"] = counts.get("refused (429)", 0)
        self.result.extra["activation time"] = (
            f"median {statistics.median(times):.1f} s, max {times[-1]:.1f} s"
        )


DRILLS = {
    drill.name: drill
    for drill in (
        WorkerKill,
        PoolChildKill,
        RedisOutage,
        RedisHang,
        PostgresRestart,
        SmtpGreylist,
        SmtpData451,
        WorkerPause,
        Activations,
    )
}
