"""Benchmark: django-invitations' own create-and-send path, one invitation at a time (issue 17).

The most used Django app for invitations, as its README shows it used in a view:
`Invitation.create(email, inviter=user)` then `invitation.send_invitation(request)` (its own
template rendered, the mail sent, the row saved as sent), each statement committed on its own
(Django's autocommit, as in a view). Printed: median ms per invitation over the runs, as JSON.

Its app is also called `invitations`, so it cannot share a process with the portal: this script
imports nothing from the project and runs in a virtualenv of its own, made for the bench only
(django-invitations is not a dependency of the portal):

    python3 -m venv /tmp/bench-venv
    /tmp/bench-venv/bin/pip install Django==5.2.19 psycopg==3.3.9 psycopg-binary==3.3.9 \
        django-invitations
    /tmp/bench-venv/bin/python bench/peer_invitations.py --sizes 1000

Same PostgreSQL server as collective_grant.py, in a throw-away database of its own
(BENCH_PEER_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/essportal_bench_peer), and
the same mail backend as its `--mail locmem` (Django's local-memory backend, emptied after each
call). collective_grant.py --peer runs it after its own workers and prints its ratios.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from databases import drop_database, recreate_database
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

# Make sure the portal's own `invitations` package (in the project's root) can never be the one
# imported.
_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT]

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/essportal_bench_peer"


def _configure(url: str) -> None:
    from django.conf import settings

    parts = urlsplit(url)
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only-" + "x" * 60,
        ALLOWED_HOSTS=["testserver"],
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sites",
            "invitations",
        ],
        SITE_ID=1,
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": parts.path.lstrip("/"),
                "USER": parts.username or "",
                "PASSWORD": parts.password or "",
                "HOST": parts.hostname or "",
                "PORT": parts.port or "",
            }
        },
        TEMPLATES=[
            {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
        ],
        ROOT_URLCONF=__name__,
        EMAIL_BACKEND=f"{__name__}.LocmemEmailBackend",
        DEFAULT_FROM_EMAIL="portal@example.test",
    )


class LocmemEmailBackend(EmailBackend):
    """Django's local-memory backend, emptied after each call: memory stays flat."""

    def send_messages(self, messages):
        count = super().send_messages(messages)
        mail.outbox.clear()
        return count


def __getattr__(name):
    """ROOT_URLCONF is this module: its URLs are built once Django is set up."""
    if name == "urlpatterns":
        from django.urls import include, path

        return [path("invitations/", include("invitations.urls"))]
    raise AttributeError(name)


def run(n: int, first: int, user, request) -> float:
    """Seconds per invitation for `n` invitations, one at a time, as a view sends them."""
    from invitations.models import Invitation

    start = time.perf_counter()
    for i in range(first, first + n):
        invitation = Invitation.create(f"peer{i}@example.test", inviter=user)
        invitation.send_invitation(request)
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000", help="comma-separated invitation counts")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("BENCH_PEER_DATABASE_URL") or DEFAULT_URL
    recreate_database(url)
    try:
        _configure(url)
        import django

        django.setup()
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.db import connections
        from django.test import RequestFactory

        import invitations

        assert "site-packages" in invitations.__file__, invitations.__file__
        call_command("migrate", verbosity=0)
        user = User.objects.create_user("hr", "hr@example.test", "x")
        request = RequestFactory().post("/invitations/send-invite/")
        request.user = user
        first = 0
        run(50, first, user, request)  # imports, compiled templates, the site cached
        first += 50
        sizes = []
        for n in (int(size) for size in args.sizes.split(",")):
            samples = []
            for _ in range(args.runs):
                samples.append(run(n, first, user, request))
                first += n
            sizes.append({"n": n, "runs": args.runs, "ms": statistics.median(samples) * 1000})
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
        print(json.dumps({"database": f"postgresql {version}", "sizes": sizes}))
        connections.close_all()
    finally:
        drop_database(url)


if __name__ == "__main__":
    main()
