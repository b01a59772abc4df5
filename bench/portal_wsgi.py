"""WSGI entry point for bench/portal_load.py: the real application, plus one bare Django view.

`/bench/bare/` is answered here by a minimal Django view (a WSGIRequest in, an HttpResponse out:
no middleware, no session, no database), so that the load test can compare the portal's pages
with what the same server and Python process do for an almost empty Django response. The
application itself gets no extra URL. BENCH_STATIC_ROOT points whitenoise at the static files
that portal_load.py collected (the manifest storage needs them, as in production).
"""

import os

from django.conf import settings

if os.environ.get("BENCH_STATIC_ROOT"):
    settings.STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
# The application's URLs plus /bench/stack/: a minimal view behind the full middleware stack.
settings.ROOT_URLCONF = "bench_urls"

from django.core.handlers.wsgi import WSGIRequest  # noqa: E402
from django.http import HttpResponse  # noqa: E402

from essportal.wsgi import application as django_application  # noqa: E402

BARE_PATH = "/bench/bare/"


def bare_view(request):
    return HttpResponse("<!doctype html><title>bare</title><p>ok</p>")


def application(environ, start_response):
    if environ.get("PATH_INFO") == BARE_PATH:
        response = bare_view(WSGIRequest(environ))
        start_response(f"{response.status_code} {response.reason_phrase}", [*response.items()])
        return response
    return django_application(environ, start_response)
