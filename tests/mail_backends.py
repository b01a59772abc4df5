"""Mail backends for tests: one that fails on demand, as a mail provider does during an outage,
and a slow one."""

import os
import time

from django.core.mail.backends import filebased
from django.core.mail.backends.locmem import EmailBackend


class FailingBackend(EmailBackend):
    """Raises `error` for every message while it is set; delivers to mail.outbox otherwise.
    Class attributes, because Django builds a new backend for each connection."""

    error: Exception | None = OSError("connection refused")

    def send_messages(self, messages):
        if FailingBackend.error is not None:
            raise FailingBackend.error
        return super().send_messages(messages)


class SlowFileBackend(filebased.EmailBackend):
    """Writes mail to files (EMAIL_FILE_PATH), SLOW_MAIL_SECONDS a message: a task that sends
    keeps running long enough for a fault to hit it (tests that start a worker process)."""

    def send_messages(self, messages):
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0")) * len(messages))
        return super().send_messages(messages)
