"""The operator's status: is the background work moving? For cron and monitoring, not for load
balancers (those ask `/healthz/ready`, which must not fail over a broker or worker problem).

`operations_report` runs every check and is the one function behind `manage.py
check_operations` and `/healthz/operations`. The infrastructure's own checks (broker, beat,
worker) are here; the apps add theirs with `@operations_check` from their `AppConfig.ready`,
because this package may not import them.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from essportal.celery import app
from essportal.models import Heartbeat

logger = logging.getLogger(__name__)

BEAT = "beat"
WORKER = "worker"


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    summary: str
    # Figures for monitoring (counts, ages in seconds); JSON-serialisable.
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OperationsReport:
    checked_at: datetime.datetime
    checks: list[CheckResult]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def needing_attention(self) -> list[str]:
        return [check.name for check in self.checks if not check.ok]

    def as_dict(self) -> dict:
        return {
            "status": "ok" if self.ok else "attention",
            "checked_at": self.checked_at.isoformat(),
            "checks": {
                check.name: {"ok": check.ok, "summary": check.summary, **check.details}
                for check in self.checks
            },
        }


Check = Callable[[datetime.datetime], CheckResult]
_app_checks: list[tuple[str, Check]] = []


def operations_check(name: str) -> Callable[[Check], Check]:
    """Register an app's check: a function of `now` that returns a CheckResult."""

    def register(check: Check) -> Check:
        if name not in dict(_app_checks):
            _app_checks.append((name, check))
        return check

    return register


def tasks_run_in_process() -> bool:
    """No broker, no worker, no beat: tasks run in the process that starts them."""
    return settings.CELERY_TASK_ALWAYS_EAGER


def broker_reachable() -> bool:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False
    return True


def heartbeat_record(*, name: str, now: datetime.datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now or timezone.now()})


def _check_broker(now) -> CheckResult:
    if tasks_run_in_process():
        return CheckResult("broker", True, _("Broker: none, tasks run in-process."))
    if broker_reachable():
        return CheckResult("broker", True, _("Broker: reachable."))
    return CheckResult(
        "broker", False, _("Broker: unreachable; invitation mail waits in the outbox.")
    )


def _check_heartbeat(name: str, now, what: str) -> CheckResult:
    if tasks_run_in_process():
        return CheckResult(
            name, True, _("%(what)s: not used, tasks run in-process.") % {"what": what}
        )
    at = Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()
    if at is None:
        return CheckResult(
            name, False, _("%(what)s: no heartbeat recorded yet.") % {"what": what}, {"age": None}
        )
    age = max(0, int((now - at).total_seconds()))
    ok = age <= settings.OPERATIONS_HEARTBEAT_MAX_AGE_SECONDS
    summary = (
        _("%(what)s: last heartbeat %(age)d seconds ago.")
        if ok
        else _("%(what)s: last heartbeat %(age)d seconds ago, too long.")
    ) % {"what": what, "age": age}
    return CheckResult(name, ok, summary, {"age": age})


def _check_beat(now) -> CheckResult:
    return _check_heartbeat(BEAT, now, _("Beat (queues the scheduled tasks)"))


def _check_worker(now) -> CheckResult:
    return _check_heartbeat(WORKER, now, _("Worker (ran the outbox sweep)"))


_OWN_CHECKS: list[tuple[str, Check]] = [
    ("broker", _check_broker),
    (BEAT, _check_beat),
    (WORKER, _check_worker),
]


def operations_report(*, now: datetime.datetime | None = None) -> OperationsReport:
    """Every check, each on its own: one that cannot run (the database is down, say) is reported
    as needing attention instead of hiding the others."""
    now = now or timezone.now()
    results = []
    for name, check in [*_OWN_CHECKS, *_app_checks]:
        try:
            results.append(check(now))
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            logger.warning("Operations check %s failed: %r", name, exc)
            summary = _("%(name)s: could not be checked (%(error)s).") % {
                "name": name,
                "error": type(exc).__name__,
            }
            results.append(CheckResult(name, False, summary))
    return OperationsReport(checked_at=now, checks=results)
