"""`{% link %}`: `{% url %}` for the links a page repeats, resolved once instead of every time.

Django's `reverse()` walks the URL resolver on every call, and a portal page has about twenty:
the menu, and one or two per row of a list. A link's shape depends only on its URL pattern, the
URL configuration and the script prefix, so it is resolved once per process for each of those,
and a row's id is put into it. Only names without arguments, or with one integer id, qualify;
anything else keeps `{% url %}`.
"""

import functools

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

# An id no table reaches; it marks where a row's id goes in the resolved URL.
_MARK = "9" * 18


@functools.lru_cache(maxsize=512)
def _shape(name: str, with_id: bool, prefix: str, urlconf: str | None) -> tuple[str, str]:
    if not with_id:
        return reverse(name, urlconf=urlconf), ""
    url = reverse(name, args=[int(_MARK)], urlconf=urlconf)
    head, mark, tail = url.partition(_MARK)
    if not mark or _MARK in tail:
        raise ValueError(f"{name} does not take exactly one integer id")
    return head, tail


def link_to(name: str, object_id: int | None = None) -> str:
    """The URL `reverse(name)` or `reverse(name, args=[object_id])` gives, from a cached shape."""
    head, tail = _shape(name, object_id is not None, get_script_prefix(), get_urlconf())
    if object_id is None:
        return head
    return f"{head}{int(object_id)}{tail}"


@register.simple_tag
def link(name: str, object_id: int | None = None) -> str:
    return link_to(name, object_id)
