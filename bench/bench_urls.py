"""URLs for bench/portal_wsgi.py: the application's own, plus a minimal view that goes through
the whole middleware stack (session, sign-in, security headers), as every portal page does."""

from django.http import HttpResponse
from django.urls import path

from essportal.urls import urlpatterns as application_urlpatterns


def stack_only(request):
    request.user.is_authenticated  # noqa: B018 - load the signed-in user, as a portal page does
    return HttpResponse("<!doctype html><title>bare</title><p>ok</p>")


urlpatterns = [path("bench/stack/", stack_only), *application_urlpatterns]
