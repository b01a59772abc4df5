"""{% link %} gives the URL {% url %} gives, from a shape resolved once
(essportal.templatetags.links)."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from essportal.templatetags.links import link_to
from tests.performance.test_query_budgets import url_names, url_parameters


def portal_links():
    for name in sorted(url_names("portal")):
        parameters = url_parameters("portal", name)
        if not parameters:
            yield name, None
        elif len(parameters) == 1 and parameters[0].endswith("_id"):
            yield name, parameters[0]


@pytest.mark.parametrize("name, parameter", list(portal_links()))
def test_every_portal_link_is_the_url_django_reverses(name, parameter):
    for object_id in (1, 42, 1234567):
        expected = (
            reverse(f"portal:{name}")
            if parameter is None
            else reverse(f"portal:{name}", kwargs={parameter: object_id})
        )
        assert link_to(f"portal:{name}", None if parameter is None else object_id) == expected


def test_a_link_follows_the_script_prefix_of_a_site_served_below_a_path():
    try:
        set_script_prefix("/ess/")
        assert link_to("portal:payslip", 7) == reverse("portal:payslip", args=[7])
        assert link_to("portal:payslip", 7).startswith("/ess/")
    finally:
        set_script_prefix("/")
    assert not link_to("portal:payslip", 7).startswith("/ess/")


def test_an_id_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError):
        link_to("portal:payslip", "7/../../admin")


def test_a_name_with_other_arguments_is_refused():
    with pytest.raises(NoReverseMatch):
        link_to("portal:password_reset_confirm", 7)


def test_the_template_tag_writes_the_link():
    rendered = Template("{% load links %}<a href=\"{% link 'portal:payslip' 5 %}\">").render(
        Context()
    )
    assert rendered == f'<a href="{reverse("portal:payslip", args=[5])}">'
