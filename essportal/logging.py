"""Logs that never hold a secret, in one format for every process.

RedactSecrets runs on every handler: whatever a library logs (Django's "Not Found: /invite/…",
gunicorn's access log), the token in a path is replaced before it is written. JsonFormatter gives
one JSON object per line for log shippers (LOG_FORMAT=json).

Every process (gunicorn's master and workers, Django's commands, the Celery worker and beat) is
configured from `logging_config`, so their lines carry the same timestamp: ISO 8601 with
milliseconds and the UTC offset, in the portal's time zone (2026-12-02T14:05:01.123+01:00).
gunicorn wrote UTC with an offset and Django and Celery local time without one; lines from two
processes could not be put in order, and twice a year an hour of them was ambiguous.
"""

import datetime
import json
import logging
import re
from zoneinfo import ZoneInfo

# settings.TIME_ZONE; named here too because gunicorn's master configures its logging before
# Django's settings are loaded (gunicorn.conf.py), and tests keep the two the same.
LOG_TIME_ZONE = "Europe/Amsterdam"
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

REDACTIONS = [
    # /invite/<token>/ and /reset/<uid>/<token>/ — the secrets in our URLs.
    (re.compile(r"(/invite/)[^/\s\"'?]+"), r"\1[redacted]"),
    (re.compile(r"(/reset/)[^/\s\"'?]+/[^/\s\"'?]+"), r"\1[redacted]"),
    # Form fields that should never be logged, in query strings or dumped POST data.
    (
        re.compile(r"((?:password\d?|old_password|day|month|year|birth_date)=)[^&\s\"']*", re.I),
        r"\1[redacted]",
    ),
]


def redact(text: str) -> str:
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class PlainFormatter(logging.Formatter):
    """One line per record, its time as ISO 8601 with milliseconds and the UTC offset."""

    def __init__(self, fmt: str = PLAIN_FORMAT, *, time_zone: str = LOG_TIME_ZONE):
        super().__init__(fmt)
        self.zone = ZoneInfo(time_zone)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.datetime.fromtimestamp(record.created, self.zone)
        return moment.isoformat(timespec="milliseconds")


class JsonFormatter(PlainFormatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def logging_config(*, log_format: str, level: str, time_zone: str = LOG_TIME_ZONE) -> dict:
    """The logging configuration of every process (settings.LOGGING, gunicorn.conf.py, and
    through Django's settings the Celery worker and beat)."""
    formatter = {"()": "essportal.logging.PlainFormatter", "time_zone": time_zone}
    if log_format == "json":
        formatter["()"] = "essportal.logging.JsonFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "essportal.logging.RedactSecrets"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # axes logs every successful login at INFO; failures still reach WARNING.
            "axes": {"level": "WARNING"},
            # Django's own loggers (404s name the path, and so the token) get our redacted
            # handler instead of Django's default console handler.
            "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # The development server's request log goes through the redaction too.
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # One line per task run is noise at INFO; failures are logged at WARNING and above.
            "celery.app.trace": {"level": "WARNING"},
            # gunicorn's own lines and its access log, in the same format (its level follows
            # gunicorn's --log-level, set before this configuration is applied).
            "gunicorn.error": {"handlers": ["console"], "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
