"""Broker drop drill (issue 14, item 4): Redis killed or hung while a collective grant runs.

    python ops/drills/broker_drop.py [--employees 300] [--mail-delay 0.03] [--outage 5] [--hang 30]

Everything runs on private ports and is removed afterwards: a PostgreSQL cluster of its own
(initdb into a temporary folder; or `--database-url` for an existing, empty database), a
redis-server, and a Celery worker as in docker-compose.yml (`--concurrency 2`, prefork). This
script plays the supervisor (`restart: unless-stopped`): a worker that exits is started again
and the exit code is reported. Mail goes to files through a backend that takes `--mail-delay`
seconds a message, so the grant's task (acks_late) is still running when the fault comes.

Two faults, each on a collective grant of its own:
- kill: Redis is SIGKILLed when a quarter of the mails are out and started again (empty) after
  `--outage` seconds;
- hang: Redis is SIGSTOPped as long for `--hang` seconds; meanwhile this process queues tasks as
  the web does (`task.delay()` and a single grant) and times them.

For each it prints the worker's exits, the mails (expected, sent, duplicates, lost), how long
after Redis came back the grant was done, and how long a grant made then took to be mailed (the
worker consumes again). Nothing here is part of the test run.
"""

import argparse
import contextlib
import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from ops.drills.stack import free_port, wait_until  # noqa: E402 - after the path is set
from ops.drills.stack import port_answers as answers  # noqa: E402


class SlowFileBackend(EmailBackend):
    """The worker's mail backend in the drill: a slow provider (DRILL_MAIL_DELAY s a mail)."""

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("DRILL_MAIL_DELAY", "0")) * len(email_messages))
        return super().send_messages(email_messages)


class PrivatePostgres:
    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, free_port(), None
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        initdb = found[-1] if found else Path(shutil.which("initdb") or "initdb")
        self.bin = initdb.parent
        self.user = "postgres" if os.geteuid() == 0 else None  # initdb refuses root

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/essportal"

    def start(self) -> None:
        data, sock = self.folder / "pg", self.folder / "pgsock"
        data.mkdir()
        sock.mkdir()
        if self.user:
            shutil.chown(self.folder, self.user)
            shutil.chown(data, self.user)
            shutil.chown(sock, self.user)
        run_as = {"user": self.user, "group": self.user} if self.user else {}
        subprocess.run(  # noqa: S603 - a fixed local command
            [str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"],
            check=True,
            stdout=subprocess.DEVNULL,
            **run_as,
        )
        self.process = subprocess.Popen(  # noqa: S603
            [str(self.bin / "postgres"), "-D", str(data), "-p", str(self.port)]
            + ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={sock}"]
            + ["-c", "fsync=off"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **run_as,
        )
        wait_until(lambda: answers(self.port), 60, "PostgreSQL")
        time.sleep(1)
        subprocess.run(  # noqa: S603
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
            + ["-U", "postgres", "essportal"],
            check=True,
        )

    def stop(self) -> None:
        if self.process:
            self.process.send_signal(signal.SIGINT)  # fast shutdown
            self.process.wait(60)


class PrivateRedis:
    def __init__(self):
        self.port, self.process = free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
            + ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_until(lambda: answers(self.port), 10, "Redis")

    def kill(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait(10)
            self.process = None


class SupervisedWorker:
    """`celery -A essportal worker --concurrency 2`, restarted whenever it exits on its own."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log
        self.exits: list[int] = []
        self.process = None
        self.wanted = False
        self._thread = threading.Thread(target=self._supervise, daemon=True)

    def start(self) -> None:
        self.wanted = True
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own worker
                [sys.executable, "-m", "celery", "-A", "essportal", "worker"]
                + ["--loglevel", "WARNING", "--concurrency", "2"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def _supervise(self) -> None:
        while self.wanted:
            code = self.process.poll()
            if code is not None and self.wanted:
                self.exits.append(code)
                time.sleep(1)
                self._spawn()
            time.sleep(0.2)

    def stop(self) -> None:
        self.wanted = False
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()


def timed(function, limit: float) -> str:
    """Run function in a thread; its duration, or that it was still waiting after `limit`."""
    outcome = {}

    def run():
        started = time.monotonic()
        try:
            function()
            outcome["result"] = "returned"
        except Exception as exc:  # noqa: BLE001 - any broker error is a figure here
            outcome["result"] = type(exc).__name__
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        return f"still waiting after {limit:.0f} s"
    return f"{outcome['seconds']:.2f} s ({outcome['result']})"


def seed_employer(name: str, count: int):
    from employees.models import Employee
    from employers.models import Employer, Provider

    provider, _ = Provider.objects.get_or_create(name="Drill provider")
    employer = Employer.objects.create(provider=provider, name=name)
    rows = []
    for i in range(count):
        employee = Employee(
            employer=employer,
            number=str(10000 + i),
            first_name="Drill",
            last_name=f"{name} {i}",
            birth_date=datetime.date(1980, 1, 1),
            email=f"{name.lower()}{i}@example.test",
            start_date=datetime.date(2020, 1, 1),
        )
        employee.refresh_search_text()
        rows.append(employee)
    Employee.objects.bulk_create(rows)
    return employer


def mails_to(folder: Path, prefix: str) -> list[str]:
    recipients = []
    for path in folder.glob("*.log"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("To: ") and line[4:].startswith(prefix):
                recipients.append(line[4:].strip())
    return recipients


def run_fault(name, args, redis, worker, mail_dir) -> dict:
    from invitations.models import GrantBatch, Invitation
    from invitations.services import grant_batch_start, invitation_grant
    from invitations.tasks import send_invitation_mails

    employer = seed_employer(name.capitalize(), args.employees)
    prefix = name.lower()
    exits_before = len(worker.exits)
    batch = grant_batch_start(employer=employer)
    wait_until(lambda: len(mails_to(mail_dir, prefix)) >= args.employees // 4, 120, "first mails")
    figures = {"fault": name}
    if name == "kill":
        redis.kill()
        time.sleep(args.outage)
        redis.start()
    else:
        redis.process.send_signal(signal.SIGSTOP)
        stopped = time.monotonic()
        time.sleep(1)
        figures["task.delay() while hung"] = timed(lambda: send_invitation_mails.delay([]), 60)
        probe_employee = seed_employer("Hungprobe", 1).employees.get()
        figures["grant (web) while hung"] = timed(
            lambda: invitation_grant(employee=probe_employee), 60
        )
        time.sleep(max(0.0, stopped + args.hang - time.monotonic()))
        redis.process.send_signal(signal.SIGCONT)
    back = time.monotonic()

    def done():
        batch.refresh_from_db()
        pending = Invitation.objects.filter(batch=batch).exclude(mail_status="sent").exists()
        return batch.status == GrantBatch.Status.DONE and not pending

    try:
        wait_until(done, args.timeout, "finished grant")
        figures["grant done after Redis back"] = f"{time.monotonic() - back:.1f} s"
    except TimeoutError:
        figures["grant done after Redis back"] = f"not within {args.timeout:.0f} s"
    probe = seed_employer(f"Probe{name}", 1).employees.get()
    probe_start = time.monotonic()
    invitation_grant(employee=probe)
    try:
        wait_until(lambda: mails_to(mail_dir, probe.email), 120, "probe mail")
        figures["new grant mailed after"] = f"{time.monotonic() - probe_start:.1f} s"
    except TimeoutError:
        figures["new grant mailed after"] = "not within 120 s (worker not consuming)"
    recipients = mails_to(mail_dir, prefix)
    figures["worker exits (codes)"] = worker.exits[exits_before:] or "none"
    figures["mails expected"] = args.employees
    figures["mails sent"] = len(set(recipients))
    figures["duplicates"] = len(recipients) - len(set(recipients))
    figures["lost"] = args.employees - len(set(recipients))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=300)
    parser.add_argument("--mail-delay", type=float, default=0.03)
    parser.add_argument("--outage", type=float, default=5.0, help="seconds Redis stays killed")
    parser.add_argument("--hang", type=float, default=30.0, help="seconds Redis stays stopped")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--database-url", help="an existing empty database instead of a cluster")
    parser.add_argument("--only", choices=["kill", "hang"])
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="broker-drop-"))
    postgres = None if args.database_url else PrivatePostgres(folder)
    redis = PrivateRedis()
    worker = None
    try:
        if postgres:
            postgres.start()
        redis.start()
        mail_dir = folder / "mail"
        mail_dir.mkdir()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "essportal.settings",
            "DEBUG": "false",
            "SECRET_KEY": "broker-drop-drill-" + "k" * 50,
            "ALLOWED_HOSTS": "localhost",
            "HTTPS": "false",
            "SITE_URL": "https://portal.example.test",
            "DATABASE_URL": args.database_url or postgres.url,
            "REDIS_URL": redis.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "broker_drop.SlowFileBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "DRILL_MAIL_DELAY": str(args.mail_delay),
            "COLLECTIVE_CHUNK_SIZE": "50",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]),
        }
        os.environ.update(env)
        sys.path[:0] = [str(ROOT), str(HERE)]
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        worker = SupervisedWorker(env, folder / "worker.log")
        worker.start()
        time.sleep(5)  # the worker connects
        results = [
            run_fault(name, args, redis, worker, mail_dir)
            for name in ("kill", "hang")
            if args.only in (None, name)
        ]
        for figures in results:
            print(f"\n== Redis {figures.pop('fault')} ==")
            for key, value in figures.items():
                print(f"  {key:32} {value}")
        log = (folder / "worker.log").read_text(errors="replace")
        print(f"\nworker log: {log.count('Unrecoverable error')} 'Unrecoverable error', ", end="")
        print(f"{log.count('Connection to broker lost')} 'Connection to broker lost'")
        return 0
    finally:
        if worker:
            worker.stop()
        redis.kill()
        if postgres:
            with contextlib.suppress(Exception):
                postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
