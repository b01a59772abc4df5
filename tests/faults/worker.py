"""The environment of a real Celery worker process started by a fault test: production settings
(DEBUG off) on the suite's own PostgreSQL test database and the test's private Redis."""

import os

from django.db import connection


def worker_env(redis_url: str, mail_dir, **overrides: str) -> dict[str, str]:
    database = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "essportal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "fault-test-" + "x" * 50,
        "ALLOWED_HOSTS": "localhost",
        "HTTPS": "false",
        "SITE_URL": "https://portal.example.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_FILE_PATH": str(mail_dir),
        "LOG_LEVEL": "WARNING",
        **overrides,
    }
