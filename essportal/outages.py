"""An outage of something the web depends on (the broker), told in the log once when it starts
and once when it ends, not once per request that meets it.

With the broker down every grant, every mail and every forgotten-password request failed to
queue its task and said so, each in a line of its own: an outage of an hour under load buried
the log. The requests themselves go on (the outbox sweep sends invitation mails later, other
mails are sent in the web process), so the operator needs to know when the broker went away and
when it came back, nothing more. The cache has the same logic of its own, with a retry window
(`essportal/web/cache_guard.py`). The state is per process: each process tells its own outage.
"""

import logging
import threading

logger = logging.getLogger(__name__)


class Outage:
    def __init__(self, name: str, consequence: str):
        self.name = name
        self.consequence = consequence
        self._lock = threading.Lock()
        self._down = False

    @property
    def is_down(self) -> bool:
        return self._down

    def failed(self, exc: BaseException, operation: str) -> None:
        """A call failed: the first failure of an outage is a warning, the rest are not logged
        above DEBUG. No traceback: the exception's type says enough, and a traceback per
        request is what buried the log."""
        with self._lock:
            first, self._down = not self._down, True
        if first:
            logger.warning(
                "%s unreachable (%s while %s); %s, until it answers again",
                self.name,
                type(exc).__name__,
                operation,
                self.consequence,
            )
        else:
            logger.debug("%s still unreachable (%s)", self.name, operation)

    def answered(self) -> None:
        """A call succeeded: ends an outage, if there was one."""
        if not self._down:
            return
        with self._lock:
            ended, self._down = self._down, False
        if ended:
            logger.warning("%s reachable again", self.name)

    def reset(self) -> None:
        """Forget an outage (for tests)."""
        with self._lock:
            self._down = False


broker = Outage(
    "Broker",
    "tasks are not queued (invitation mails wait for the outbox sweep, other mails are sent "
    "by the web process, forgotten password and username requests are dropped)",
)


def task_delay(task, *args) -> bool:
    """`task.delay(*args)`; False when the broker could not take it (logged once per outage).
    The caller decides what happens instead."""
    try:
        task.delay(*args)
    except Exception as exc:  # noqa: BLE001 - whatever the broker's client raises when it is down
        broker.failed(exc, f"queueing {task.name}")
        return False
    broker.answered()
    return True
