"""Every process writes the same timestamp: ISO 8601 with milliseconds and the UTC offset
(gunicorn wrote UTC with an offset, Django and Celery local time without one)."""

import datetime
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from essportal.logging import LOG_TIME_ZONE, JsonFormatter, PlainFormatter, logging_config

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-real-production-secret-" + "k" * 40,
    "ALLOWED_HOSTS": "portal.example.nl",
    "SITE_URL": "https://portal.example.nl",
}
ISO_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d [A-Z]+ \S+ ")


def record_at(moment: datetime.datetime, message="Cache reachable again") -> logging.LogRecord:
    record = logging.LogRecord("essportal.web", logging.WARNING, __file__, 1, message, None, None)
    record.created = moment.timestamp()
    record.msecs = 0  # what logging keeps separately; the formatter must not depend on it
    return record


WINTER = datetime.datetime(2026, 12, 2, 13, 5, 1, 123456, tzinfo=datetime.UTC)
SUMMER = datetime.datetime(2026, 7, 1, 12, 0, 0, 5000, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("moment", "stamp"),
    [(WINTER, "2026-12-02T14:05:01.123+01:00"), (SUMMER, "2026-07-01T14:00:00.005+02:00")],
)
def test_a_plain_line_starts_with_the_time_and_its_offset(moment, stamp):
    line = PlainFormatter().format(record_at(moment))
    assert line == f"{stamp} WARNING essportal.web Cache reachable again"


@pytest.mark.parametrize(
    ("moment", "stamp"),
    [(WINTER, "2026-12-02T14:05:01.123+01:00"), (SUMMER, "2026-07-01T14:00:00.005+02:00")],
)
def test_a_json_line_has_the_same_time(moment, stamp):
    entry = json.loads(JsonFormatter().format(record_at(moment)))
    assert entry["time"] == stamp
    to_the_millisecond = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    assert datetime.datetime.fromisoformat(entry["time"]) == to_the_millisecond


def test_the_time_is_the_same_whatever_zone_the_process_runs_in(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        assert (
            PlainFormatter().format(record_at(WINTER)).startswith("2026-12-02T14:05:01.123+01:00")
        )
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_django_logs_through_the_shared_configuration(log_format):
    assert LOG_TIME_ZONE == settings.TIME_ZONE
    config = logging_config(log_format=log_format, level="INFO", time_zone=settings.TIME_ZONE)
    formatter = config["formatters"]["default"]
    assert formatter["()"].endswith("JsonFormatter" if log_format == "json" else "PlainFormatter")
    assert (
        settings.LOGGING["formatters"]
        == logging_config(log_format=settings.LOG_FORMAT, level="INFO")["formatters"]
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra) -> dict:
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return {**base, **PRODUCTION, **extra}


def test_gunicorn_its_access_log_and_django_write_the_same_format(tmp_path):
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603 - our own server and config
        [str(gunicorn), "essportal.wsgi", "--config", "gunicorn.conf.py"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=clean_env(DJANGO_SETTINGS_MODULE="essportal.settings", MEDIA_ROOT=str(tmp_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz/live", headers={"Host": "portal.example.nl"}
                )
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    assert response.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    lines = [line for line in output.splitlines() if re.match(r"^\d{4}-", line)]
    assert any(" gunicorn.error Starting gunicorn" in line for line in lines), output
    assert any(" gunicorn.access " in line and "/healthz/live" in line for line in lines), output
    for line in lines:
        assert ISO_LINE.match(line), line


def test_celery_keeps_the_shared_format_instead_of_its_own():
    code = (
        "import django, logging; django.setup();"
        "from essportal.celery import app; app.log.setup(loglevel='INFO');"
        "logging.getLogger('celery.worker').warning('worker ready')"
    )
    result = subprocess.run(  # noqa: S603 - our own code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env(DJANGO_SETTINGS_MODULE="essportal.settings"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    line = [x for x in result.stderr.splitlines() if "worker ready" in x][-1]
    assert ISO_LINE.match(line), line
    assert line.endswith(" WARNING celery.worker worker ready")
