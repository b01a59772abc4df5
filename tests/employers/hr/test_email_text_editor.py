"""HR's email-text editor (R16, issue 16): prefilled with the text sent now, only what differs is
stored, mails of modules the employer lacks are not offered, and the preview is a page of its own
with a CSP that lets the mail's inline styles through and nothing else."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from employers.models import EmailText
from essportal.mail.kinds import KINDS, PLACEHOLDERS

PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
LEAVE_KINDS = ["leave_approved", "leave_rejected"]


def url(level, owner, kind="invitation", language="nl", action=None):
    name = f"hr:email_text_{action}" if action else "hr:email_text_edit"
    return reverse(name, args=[level, owner.pk, kind, language])


def browser_form(response) -> dict:
    """The form as a browser posts it back: the shown values, with CRLF line breaks."""
    form = response.context["form"]
    return {name: form[name].value().replace("\n", "\r\n") for name in ("subject", "body")}


# --- Prefilled with the text sent now ---------------------------------------------------------


def test_the_editor_is_prefilled_with_the_standard_text(manager_client, employer):
    form = manager_client.get(url("employer", employer, language="en")).context["form"]
    with translation.override("en"):
        expected = str(KINDS["invitation"].subject), str(KINDS["invitation"].body)
    assert (form["subject"].value(), form["body"].value()) == expected


def test_the_editor_is_prefilled_field_by_field_with_what_is_sent_now(manager_client, employer):
    EmailText.objects.create(
        provider=employer.provider, kind="invitation", language="nl", body="Kantoor {link}"
    )
    EmailText.objects.create(
        employer=employer, kind="invitation", language="nl", subject="Eigen {employer}"
    )
    response = manager_client.get(url("employer", employer))
    form = response.context["form"]
    assert (form["subject"].value(), form["body"].value()) == ("Eigen {employer}", "Kantoor {link}")
    assert "Kantoor {link}</textarea>" in response.content.decode()


def test_saving_the_prefilled_text_unchanged_creates_no_override(manager_client, employer):
    EmailText.objects.create(
        provider=employer.provider, kind="invitation", language="nl", body="Kantoor {link}"
    )
    page = manager_client.get(url("employer", employer))
    response = manager_client.post(url("employer", employer), browser_form(page))
    assert response.status_code == 302
    assert not EmailText.objects.filter(employer=employer).exists()


def test_saving_one_changed_field_stores_that_field_only(manager_client, employer):
    data = browser_form(manager_client.get(url("employer", employer)))
    data["subject"] = "Welkom bij {employer}"
    manager_client.post(url("employer", employer), data)
    text = EmailText.objects.get(employer=employer)
    assert (text.subject, text.body) == ("Welkom bij {employer}", "")
    # The body keeps following the standard text; restoring the subject removes the override.
    manager_client.post(
        reverse(
            "hr:email_text_restore", args=["employer", employer.pk, "invitation", "nl", "subject"]
        )
    )
    assert not EmailText.objects.exists()


def test_an_own_override_saved_unchanged_stays(manager_client, employer):
    EmailText.objects.create(employer=employer, kind="invitation", language="nl", subject="Eigen")
    page = manager_client.get(url("employer", employer))
    manager_client.post(url("employer", employer), browser_form(page))
    assert EmailText.objects.get(employer=employer).subject == "Eigen"


# --- Mails of a module the employer does not use ---------------------------------------------


def test_an_employer_without_the_leave_module_is_not_offered_the_leave_mails(
    manager_client, employer
):
    employer.leave_module = False
    employer.save()
    rows = manager_client.get(reverse("hr:email_texts", args=["employer", employer.pk])).context[
        "rows"
    ]
    keys = [row["kind"].key for row in rows]
    assert "invitation" in keys and not set(LEAVE_KINDS) & set(keys)
    for kind in LEAVE_KINDS:
        assert manager_client.get(url("employer", employer, kind)).status_code == 404
        assert (
            manager_client.get(url("employer", employer, kind, action="preview")).status_code == 404
        )
        for action in ("preview", "test"):
            response = manager_client.post(url("employer", employer, kind, action=action))
            assert response.status_code == 404
    assert (
        manager_client.post(
            url("employer", employer, "leave_approved"), {"subject": "x"}
        ).status_code
        == 404
    )
    assert not EmailText.objects.exists()


def test_every_module_a_mail_belongs_to_is_a_switch_on_the_employer():
    from employers.models import Employer
    from employers.texts import MODULE_SWITCHES

    modules = {kind.module for kind in KINDS.values() if kind.module}
    assert modules == {"leave"}
    for module in modules:
        assert Employer._meta.get_field(MODULE_SWITCHES[module]).get_internal_type() == (
            "BooleanField"
        )


def test_an_employer_with_the_leave_module_is_offered_the_leave_mails(manager_client, employer):
    assert employer.leave_module
    assert manager_client.get(url("employer", employer, "leave_approved")).status_code == 200


def test_the_provider_level_offers_every_mail(provider_client, provider, employer):
    employer.leave_module = False
    employer.save()
    rows = provider_client.get(reverse("hr:email_texts", args=["provider", provider.pk])).context[
        "rows"
    ]
    assert [row["kind"].key for row in rows] == list(KINDS)
    assert provider_client.get(url("provider", provider, "leave_rejected")).status_code == 200


# --- The edit page -----------------------------------------------------------------------------


def test_the_languages_are_tabs_with_the_current_one_marked(manager_client, employer):
    html = manager_client.get(url("employer", employer, language="en")).content.decode()
    nl, en = url("employer", employer, language="nl"), url("employer", employer, language="en")
    assert re.search(rf'<a href="{en}" lang="en" aria-current="page">', html)
    assert re.search(rf'<a href="{nl}" lang="nl">', html)


def test_the_placeholders_are_buttons_with_their_meaning_in_the_page_language(
    manager_client, employer
):
    response = manager_client.get(url("employer", employer), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    for name in KINDS["invitation"].placeholders:
        assert f'data-placeholder="{{{name}}}"' in html
        with translation.override("en"):
            assert str(PLACEHOLDERS[name].description).replace("'", "&#x27;") in html
    assert 'data-placeholder="{link}" data-body-only' in html


def test_the_editor_shows_the_preview_in_a_sandboxed_frame(manager_client, employer):
    html = manager_client.get(url("employer", employer)).content.decode()
    preview = url("employer", employer, action="preview")
    assert re.search(rf'<iframe name="mail-preview" [^>]*sandbox src="{preview}"', html)
    assert re.search(rf'formaction="{preview}" formtarget="mail-preview"', html)
    assert "allow-scripts" not in html and "allow-same-origin" not in html


def test_the_read_only_role_can_preview_but_is_offered_no_save(viewer_client, employer):
    html = viewer_client.get(url("employer", employer)).content.decode()
    assert 'id="show-preview"' in html
    assert "email_text_restore" not in html and "/restore/" not in html and "/test/" not in html
    response = viewer_client.post(url("employer", employer, action="preview"), {"subject": "Hoi"})
    assert response.status_code == 200
    assert viewer_client.post(url("employer", employer), {"subject": "x"}).status_code == 403
    assert not EmailText.objects.exists()


# --- The preview -------------------------------------------------------------------------------


def test_the_preview_has_its_own_csp_and_may_be_framed_by_the_portal_only(manager_client, employer):
    for response in (
        manager_client.get(url("employer", employer, action="preview")),
        manager_client.post(url("employer", employer, action="preview"), {"subject": "Hoi"}),
        manager_client.post(url("employer", employer, action="preview"), {"subject": "{oops}"}),
    ):
        assert response.status_code == 200
        assert response["Content-Security-Policy"] == PREVIEW_CSP
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert "no-store" in response["Cache-Control"]


def test_every_other_page_keeps_the_strict_csp(manager_client, employer):
    response = manager_client.get(url("employer", employer))
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert "default-src 'self'" in csp  # which lets the editor frame its own preview
    assert response["X-Frame-Options"] == "DENY"


def test_the_preview_shows_the_saved_text_with_a_sample_employee(manager_client, employer):
    EmailText.objects.create(
        employer=employer, kind="invitation", language="nl", subject="Dag {first_name}"
    )
    html = manager_client.get(url("employer", employer, action="preview")).content.decode()
    assert "<strong>Dag Anna</strong>" in html
    assert employer.name in html
    assert 'style="' in html  # the mail's own inline styles, as sent
    assert "cid:" not in html


def test_the_preview_of_a_draft_shows_the_draft_and_saves_nothing(manager_client, employer):
    response = manager_client.post(
        url("employer", employer, action="preview"),
        {"subject": "Concept", "body": "Hallo {first_name},\r\n\r\nNieuw: {link}"},
    )
    html = response.content.decode()
    assert "<strong>Concept</strong>" in html and "Hallo Anna," in html
    assert not EmailText.objects.exists()


def test_a_draft_with_a_problem_shows_the_problem_instead_of_the_mail(manager_client, employer):
    response = manager_client.post(
        url("employer", employer, action="preview"),
        {"subject": "Hoi", "body": "Geen link"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "{link}" in " ".join(response.context["form"].errors["body"])
    assert "{link}" in response.content.decode()
    assert not EmailText.objects.exists()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 30), (11, 92, 173)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_preview_shows_the_logo_as_a_data_url(manager_client, employer):
    employer.logo.save("preview-logo.png", ContentFile(png()))
    html = manager_client.get(url("employer", employer, action="preview")).content.decode()
    assert '<img src="data:image/png;base64,' in html


def test_the_preview_of_another_employer_is_404(manager_client, other_employer):
    assert manager_client.get(url("employer", other_employer, action="preview")).status_code == 404
    response = manager_client.post(
        url("employer", other_employer, action="preview"), {"subject": "Hoi"}
    )
    assert response.status_code == 404


def test_the_preview_of_the_provider_level_is_for_the_providers_staff_only(
    manager_client, provider_client, provider
):
    assert manager_client.get(url("provider", provider, action="preview")).status_code == 404
    response = provider_client.get(url("provider", provider, action="preview"))
    assert response.status_code == 200 and response["Content-Security-Policy"] == PREVIEW_CSP


@pytest.mark.parametrize("method", ["put", "delete"])
def test_the_preview_takes_only_get_and_post(manager_client, employer, method):
    assert (
        getattr(manager_client, method)(url("employer", employer, action="preview")).status_code
        == 405
    )
