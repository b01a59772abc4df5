"""Production readiness: deploy checks, security headers, health, logs without secrets."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from essportal.logging import RedactSecrets, redact

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    """manage.py in a clean environment: only what production would set."""
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "essportal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-real-production-secret-" + "k" * 40,
    "ALLOWED_HOSTS": "portal.example.nl",
    "SITE_URL": "https://portal.example.nl",
}


def test_check_deploy_reports_nothing_on_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "env",
    [
        {**PRODUCTION, "SECRET_KEY": ""},
        {**PRODUCTION, "SECRET_KEY": "too-short"},
        {**PRODUCTION, "SECRET_KEY": "django-insecure-" + "x" * 60},
        {**PRODUCTION, "ALLOWED_HOSTS": ""},
        {**PRODUCTION, "DEBUG": "maybe"},
    ],
)
def test_without_debug_it_refuses_to_start_without_real_settings(env):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured" in result.stderr
        or "Invalid" in result.stderr
        or ("ValueError" in result.stderr)
    )


def test_security_headers_are_set(client, db):
    response = client.get(reverse("portal:login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=False)
def test_hsts_is_sent_over_https(client, db):
    response = client.get(reverse("portal:login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_with_personal_data_are_not_cached(manager_client, employee):
    response = manager_client.get(reverse("hr:employee_detail", args=[employee.pk]))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "line, secret",
    [
        ("Not Found: /invite/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde/", "AbCdEf"),
        ('"GET /reset/MTI/c1x2y3-abcdef0123456789/ HTTP/1.1" 200', "c1x2y3"),
        ("POST data: password1=hunter2hunter2&password2=hunter2hunter2", "hunter2"),
        ("day=14&month=3&year=1985", "1985"),
    ],
)
def test_logs_never_hold_a_token_a_password_or_a_birth_date(line, secret):
    assert secret not in redact(line)
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, line, None, None)
    RedactSecrets().filter(record)
    assert secret not in record.getMessage()


def test_a_404_on_an_invitation_link_is_logged_without_the_token(client, db, caplog):
    token = "Q" * 43
    with caplog.at_level(logging.WARNING, logger="django.request"):
        # A well-formed link is redirected, never a 404: a path past it still is one.
        client.get(f"/invite/{token}/more/")
    assert caplog.records
    handler_filter = RedactSecrets()
    for record in caplog.records:
        handler_filter.filter(record)
        assert token not in record.getMessage()


def test_a_checkout_with_nothing_set_runs_on_the_embedded_defaults():
    result = run_manage("check")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("debug", [None, "true", "1"])
def test_gunicorn_refuses_to_serve_unless_debug_is_explicitly_off(debug):
    env = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    if debug is not None:
        env["DEBUG"] = debug
    result = subprocess.run(  # noqa: S603 - our own config file
        [sys.executable, "-c", "exec(open('gunicorn.conf.py').read())"],
        cwd=ROOT,
        env={**env, **PRODUCTION, "DEBUG": debug} if debug else env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DEBUG=false" in result.stderr


def test_gunicorn_serves_with_debug_off():
    env = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    result = subprocess.run(  # noqa: S603 - our own config file
        [sys.executable, "-c", "exec(open('gunicorn.conf.py').read())"],
        cwd=ROOT,
        env={**env, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_gunicorn_opens_no_control_socket_shared_with_other_sites():
    """gunicorn 27 puts its control socket at ~/.gunicorn/gunicorn.ctl for every gunicorn of the
    user; a second site (or a drill) on the host would take it over."""
    env = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    script = (
        "from gunicorn.config import Config\n"
        "cfg = Config()\n"
        "namespace = {}\n"
        "exec(open('gunicorn.conf.py').read(), namespace)\n"
        "cfg.set('control_socket_disable', namespace['control_socket_disable'])\n"
        "print(cfg.control_socket_disable)\n"
    )
    result = subprocess.run(  # noqa: S603 - our own config file
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")


@pytest.mark.parametrize(
    "redis_url, engine",
    [
        # Django's cached_db, falling back to the database while Redis cannot be reached.
        ("redis://127.0.0.1:6379/0", "essportal.web.sessions"),
        # A cache per process would keep a signed-out session alive in the other processes.
        ("", "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_are_read_from_redis_only_when_redis_is_the_shared_cache(redis_url, engine):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_ENGINE)",
        REDIS_URL=redis_url,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == engine


def test_the_redis_cache_gives_up_on_a_silent_redis_within_a_second():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default'].get('OPTIONS'))",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    options = result.stdout.strip().splitlines()[-1]
    assert options == "{'socket_connect_timeout': 0.5, 'socket_timeout': 1.0}"
