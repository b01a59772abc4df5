"""Refusing requests whose input the site cannot take, before any view sees it."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation


def content_length(request) -> int:
    """The length the request announces. Django reads nothing of a body without a valid one."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _takes_uploads(request) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in settings.UPLOAD_VIEWS


class RequestBodyLimitMiddleware:
    """A request body over REQUEST_BODY_MAX_BYTES (UPLOAD_BODY_MAX_BYTES for the views in
    UPLOAD_VIEWS) is answered 413 from its Content-Length, before anything reads it.

    First in MIDDLEWARE: the CSRF check reads the form data of every POST, and Django would
    write an upload's file parts to disk, whoever sent them and whatever the URL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = content_length(request)
        if length > settings.REQUEST_BODY_MAX_BYTES:
            limit = (
                settings.UPLOAD_BODY_MAX_BYTES
                if _takes_uploads(request)
                else settings.REQUEST_BODY_MAX_BYTES
            )
            if length > limit:
                return self.refuse(request, limit)
        return self.get_response(request)

    @staticmethod
    def refuse(request, limit: int) -> HttpResponse:
        # No other middleware has run: the language comes from the request directly, and the
        # page needs nothing from the session or the user.
        with translation.override(translation.get_language_from_request(request)):
            content = render_to_string("413.html", {"limit": limit})
        response = HttpResponse(content, status=413)
        response.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


class QueryStringGuardMiddleware:
    """A NUL character in a query parameter is a 400.

    No browser sends one unless someone typed %00 into the address; PostgreSQL refuses NUL in
    text, so a search or filter that passed it on would end in a 500 (on the admin's filters
    too). Form fields refuse it themselves (Django's CharField)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if "\0" in key or any("\0" in value for value in values):
                return render(request, "400.html", status=400)
        return self.get_response(request)
