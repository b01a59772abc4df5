"""Logs that never hold a secret: invitation tokens, reset links, passwords, birth dates.

RedactSecrets runs on every handler: whatever a library logs (Django's "Not Found: /invite/…",
gunicorn's access log), the token in a path is replaced before it is written. JsonFormatter gives
one JSON object per line for log shippers (LOG_FORMAT=json).
"""

import json
import logging
import re

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


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
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
