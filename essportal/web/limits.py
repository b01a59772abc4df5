"""Refusing requests whose input the site cannot take, before any view sees it."""

from django.shortcuts import render


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
