"""The stack of a fault drill, as separate processes on private ports.

A PostgreSQL cluster of its own (initdb into a temporary folder), its own redis-server, the SMTP
relay of `smtp_relay.py`, gunicorn with `gunicorn.conf.py`, Celery worker(s) and beat, all with
the production settings (DEBUG off). Nothing here touches the shared servers: every port is
picked free at start. `Stack.close()` ends every process it started (their whole process groups)
and removes the temporary folder; use the stack as a context manager so that happens on failure
and Ctrl-C too.

A supervisor thread plays the part of `restart: unless-stopped` in docker-compose.yml: a process
started with `restart=True` that exits without the drill stopping it is started again, and the
restart is counted (`Stack.restarts`).
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SECRET_KEY = "drill-secret-key-" + "d" * 50  # a private stack on 127.0.0.1 only
PROVIDER_KEY = "drill-provider-key"  # bench/provider_stub.py's, with --provider


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_answers(port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(condition, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL's initdb not found (/usr/lib/postgresql/*/bin)")


class Proc:
    """One process of the stack, in a process group of its own (gunicorn and Celery fork)."""

    def __init__(self, name, argv, *, env, log_path, restart=False, user=None, stop_signal=None):
        self.name, self.argv, self.env, self.log_path = name, argv, env, log_path
        self.restart, self.user = restart, user
        self.stop_signal = stop_signal or signal.SIGTERM
        self.popen: subprocess.Popen | None = None
        self.wanted = False  # the drill wants it running (the supervisor restarts it)
        self.paused = False
        self.starts = 0

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.popen = subprocess.Popen(  # noqa: S603 - our own fixed commands
            self.argv,
            user=self.user,
            group=self.user,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self.wanted, self.paused = True, False
        self.starts += 1

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal_group(self, sig) -> None:
        if self.running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def kill(self) -> None:
        """SIGKILL the process alone (its children see their parent die), as a crash would."""
        self.wanted = False
        if self.running():
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(20)

    def pause(self) -> None:
        self.paused = True
        self.signal_group(signal.SIGSTOP)

    def resume(self) -> None:
        self.signal_group(signal.SIGCONT)
        self.paused = False

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the whole group, SIGKILL what is left after `timeout`."""
        self.wanted = False
        if self.popen is None:
            return
        if self.running():
            self.signal_group(signal.SIGCONT)
            self.popen.send_signal(self.stop_signal)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        # Children of the group (pool processes, gunicorn workers) may outlive their parent.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(10)


class Stack:
    """Build with `with Stack(...) as stack:`, then start what the drill needs."""

    def __init__(
        self,
        *,
        database_url: str | None = None,
        keep: bool = False,
        quiet: bool = False,
        extra_env: dict[str, str] | None = None,
        provider_latency: float | None = None,
    ):
        self.dir = Path(tempfile.mkdtemp(prefix="essportal-drill-"))
        # The postgres user reaches its data folder inside; nothing secret lives here.
        os.chmod(self.dir, 0o755)  # noqa: S103
        self.logs = self.dir / "logs"
        self.logs.mkdir()
        self.relay_dir = self.dir / "relay"
        self.relay_dir.mkdir()
        self.keep, self.quiet = keep, quiet
        self.extra_env = extra_env or {}
        # Seconds a call: mail goes through anymail's Mandrill backend to bench/provider_stub.py
        # (batch sending) instead of SMTP to the relay. None: the SMTP relay.
        self.provider_latency = provider_latency
        self.procs: dict[str, Proc] = {}
        self.restarts: list[tuple[float, str]] = []
        self.events: list[tuple[float, str]] = []
        self.pg_port = free_port()
        self.redis_port = free_port()
        self.smtp_port = free_port()
        self.web_port = free_port()
        self.pg_data = self.dir / "pgdata"
        self.external_database = database_url
        self.database_url = (
            database_url or f"postgres://postgres@127.0.0.1:{self.pg_port}/essportal"
        )
        self._supervising = threading.Event()
        self.closed = False
        self._lock = threading.Lock()
        self.started_at = time.monotonic()

    # --- bookkeeping

    def note(self, text: str) -> None:
        elapsed = time.monotonic() - self.started_at
        self.events.append((time.time(), text))
        if not self.quiet:
            print(f"[{elapsed:7.1f} s] {text}", flush=True)

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def env(self, **extra: str) -> dict[str, str]:
        """The production settings for every application process of this stack."""
        env = {
            key: value
            for key, value in os.environ.items()
            # Nothing of the caller's own stack leaks in.
            if not key.startswith(("DJANGO_", "CELERY_", "EMAIL_", "REDIS_", "DATABASE_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="essportal.settings",
            DEBUG="false",
            SECRET_KEY=SECRET_KEY,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            HTTPS="false",
            SITE_URL=self.site_url,
            # Passkeys are not drilled; their check refuses an http origin other than localhost.
            WEBAUTHN_ALLOWED_ORIGINS=f"http://localhost:{self.web_port}",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            CELERY_TASK_ALWAYS_EAGER="false",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.smtp_port),
            EMAIL_TIMEOUT="20",
            DEFAULT_FROM_EMAIL="ESS Portal <noreply@drill.example>",
            MEDIA_ROOT=str(self.dir / "media"),
            GUNICORN_BIND=f"127.0.0.1:{self.web_port}",
            GUNICORN_WORKERS="2",
            GUNICORN_THREADS="4",
            LOG_FORMAT="json",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        if self.provider_latency is not None:
            env.update(
                EMAIL_BACKEND="anymail.backends.mandrill.EmailBackend",
                ANYMAIL_MANDRILL_API_KEY=PROVIDER_KEY,
                ANYMAIL_MANDRILL_API_URL=f"http://127.0.0.1:{self.smtp_port}/api/1.0/",
            )
        env.update(self.extra_env)
        env.update(extra)
        return env

    def _add(self, name, argv, *, restart=False, user=None, env=None, stop_signal=None) -> Proc:
        proc = Proc(
            name,
            argv,
            env=env or self.env(),
            log_path=self.logs / f"{name}.log",
            restart=restart,
            user=user,
            stop_signal=stop_signal,
        )
        self.procs[name] = proc
        proc.start()
        return proc

    # --- PostgreSQL

    def start_postgres(self) -> None:
        bin_dir = _postgres_bin()
        as_user = "postgres" if os.geteuid() == 0 else None  # initdb refuses to run as root
        self.pg_data.mkdir()
        sock = self.dir / "pgsock"
        sock.mkdir()
        if as_user:
            shutil.chown(self.pg_data, as_user)
            shutil.chown(sock, as_user)
        subprocess.run(  # noqa: S603
            [
                str(bin_dir / "initdb"),
                "-D",
                str(self.pg_data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            user=as_user,
            group=as_user,
        )
        self._pg_argv = [
            str(bin_dir / "postgres"),
            "-D",
            str(self.pg_data),
            "-p",
            str(self.pg_port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={sock}",
            # A throw-away cluster: no fsync (a drill kills processes, not the machine).
            "-c",
            "fsync=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
        ]
        self._pg_user = as_user
        # SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every session to end).
        self._add(
            "postgres", self._pg_argv, user=as_user, env=dict(os.environ), stop_signal=signal.SIGINT
        )
        wait_until(lambda: self._pg_ready(), 60, "PostgreSQL")
        subprocess.run(  # noqa: S603
            [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.pg_port)]
            + ["-U", "postgres", "essportal"],
            check=True,
        )

    def _pg_ready(self) -> bool:
        result = subprocess.run(  # noqa: S603
            [str(_postgres_bin() / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.pg_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return result.returncode == 0

    def restart_postgres(self, down_seconds: float = 0.0) -> float:
        """A fast shutdown (SIGINT: sessions are ended), then a start; returns the seconds the
        server did not answer."""
        proc = self.procs["postgres"]
        started = time.monotonic()
        proc.wanted = False
        proc.popen.send_signal(signal.SIGINT)  # fast shutdown, as `pg_ctl restart -m fast`
        proc.popen.wait(60)
        time.sleep(down_seconds)
        proc.start()
        wait_until(lambda: self._pg_ready(), 60, "PostgreSQL after restart")
        return time.monotonic() - started

    # --- Redis

    def start_redis(self) -> None:
        self._add(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            env=dict(os.environ),
        )
        wait_until(lambda: port_answers(self.redis_port), 20, "Redis")

    # --- SMTP relay

    def start_relay(self) -> None:
        self._add(
            "smtp",
            [PYTHON, str(Path(__file__).with_name("smtp_relay.py"))]
            + ["--port", str(self.smtp_port), "--dir", str(self.relay_dir)],
            env=dict(os.environ),
        )
        wait_until(lambda: port_answers(self.smtp_port), 20, "the SMTP relay")

    def start_provider(self) -> None:
        """bench/provider_stub.py on the relay's port, writing to the relay's folder."""
        stub = Path(__file__).resolve().parents[2] / "bench" / "provider_stub.py"
        self._add(
            "provider",
            [PYTHON, str(stub), str(self.smtp_port), "--dir", str(self.relay_dir)]
            + ["--api-key", PROVIDER_KEY, "--latency-ms", str(self.provider_latency * 1000)],
            env=dict(os.environ),
        )
        wait_until(lambda: port_answers(self.smtp_port), 20, "the provider stub")

    def relay_control(self, **values) -> None:
        """Set the relay's faults (smtp_relay.py); written whole, then moved into place."""
        path = self.relay_dir / "control.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(values), encoding="utf-8")
        tmp.replace(path)

    # --- the application

    def manage(self, *args: str, timeout: float = 600, check=True) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env(LOG_LEVEL="WARNING"),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
        )

    def prepare_application(self, *, migrate=True) -> None:
        if migrate:
            self.manage("migrate", "--no-input")
        # DEBUG off serves static files by their manifest (whitenoise); a few seconds when
        # nothing changed. Two drills (or a drill and the tests) of one checkout may collect at
        # the same moment and trip over each other's files: then again.
        for attempt in range(3):
            done = self.manage("collectstatic", "--no-input", check=False)
            if done.returncode == 0:
                break
            time.sleep(2 + attempt * 3)
        else:
            raise RuntimeError(f"collectstatic failed:\n{done.stderr[-2000:]}")

    def start_web(self) -> Proc:
        proc = self._add(
            "web",
            # Without a control socket: gunicorn's default one (~/.gunicorn/gunicorn.ctl) is
            # shared by every gunicorn of the user, other drills' and benchmarks' included.
            [PYTHON, "-m", "gunicorn", "essportal.wsgi", "--config", "gunicorn.conf.py"]
            + ["--no-control-socket"],
            restart=True,
        )
        wait_until(lambda: port_answers(self.web_port), 60, "gunicorn")
        return proc

    def start_worker(self, name="worker", *, concurrency=2, pool="prefork", restart=True) -> Proc:
        return self._add(
            name,
            [PYTHON, "-m", "celery", "-A", "essportal", "worker", "--loglevel", "INFO"]
            + ["--concurrency", str(concurrency), "--pool", pool, "-n", f"{name}@%h"],
            restart=restart,
        )

    def start_beat(self) -> Proc:
        return self._add(
            "beat",
            [PYTHON, "-m", "celery", "-A", "essportal", "beat", "--loglevel", "INFO"]
            + ["--schedule", str(self.dir / "celerybeat-schedule")],
            restart=True,
        )

    def worker_children(self, name="worker") -> list[int]:
        """The pool processes of a prefork worker."""
        parent = self.procs[name].pid
        children = Path(f"/proc/{parent}/task/{parent}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    # --- the supervisor (restart: unless-stopped)

    def supervise(self) -> None:
        self._supervising.set()
        threading.Thread(target=self._supervise, daemon=True).start()

    def _supervise(self) -> None:
        while self._supervising.is_set():
            with self._lock:
                for proc in list(self.procs.values()):
                    if proc.restart and proc.wanted and proc.popen.poll() is not None:
                        code = proc.popen.returncode
                        self.note(f"{proc.name} exited ({code}); the supervisor starts it again")
                        self.restarts.append((time.time(), proc.name))
                        time.sleep(1)
                        proc.start()
            time.sleep(0.5)

    # --- the end

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._supervising.clear()
        with self._lock:
            # Application processes first, the servers they talk to last.
            order = sorted(
                self.procs.values(), key=lambda p: p.name in ("postgres", "redis", "smtp")
            )
            for proc in order:
                try:
                    proc.stop()
                except Exception as exc:  # noqa: BLE001 - go on stopping the others
                    print(f"could not stop {proc.name}: {exc!r}", file=sys.stderr)
        if self.keep:
            print(f"kept: {self.dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
