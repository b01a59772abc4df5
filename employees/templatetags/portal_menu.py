"""`{% portal_menu nav leave_module %}`: the portal's menu, rendered once per process for each
language, highlighted item and leave module, instead of on every page.

The menu is nothing but links and their labels: it depends on the language, the item shown, the
employer's leave module and where the URLs are (URL configuration, script prefix), never on data.
Rendering it (six links, six labels) was a good part of what a page kept in the cache still cost
(bench/README.md, "Portal pages from the cache").
"""

import functools

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation

register = template.Library()


@functools.lru_cache(maxsize=256)
def _menu(language: str, prefix: str, urlconf: str | None, nav: str, leave_module: bool) -> str:
    return render_to_string(
        "employees/portal/_menu.html", {"nav": nav, "leave_module": leave_module}
    )


@register.simple_tag
def portal_menu(nav: str, leave_module: bool) -> str:
    # The language is part of the key: render_to_string translates in the active one.
    return _menu(
        translation.get_language() or "",
        get_script_prefix(),
        get_urlconf(),
        str(nav or ""),
        bool(leave_module),
    )
