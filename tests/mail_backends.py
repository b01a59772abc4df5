"""A mail backend for tests that fails on demand, as a mail provider does during an outage."""

from django.core.mail.backends.locmem import EmailBackend


class FailingBackend(EmailBackend):
    """Raises `error` for every message while it is set; delivers to mail.outbox otherwise.
    Class attributes, because Django builds a new backend for each connection."""

    error: Exception | None = OSError("connection refused")

    def send_messages(self, messages):
        if FailingBackend.error is not None:
            raise FailingBackend.error
        return super().send_messages(messages)
