"""R16: default texts, provider and employer overrides field by field, placeholders not code."""

import itertools

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from employers.models import EmailText
from employers.texts import email_text_effective
from essportal.mail.kinds import KINDS, LANGUAGES
from essportal.mail.texts import text_problems
from tests.factories import EmployeeFactory

LEVELS = ["default", "provider", "employer"]


def edit_url(level, owner, kind="invitation", language="nl", action=None, field=None):
    if action == "restore":
        return reverse("hr:email_text_restore", args=[level, owner.pk, kind, language, field])
    name = f"hr:email_text_{action}" if action else "hr:email_text_edit"
    return reverse(name, args=[level, owner.pk, kind, language])


@pytest.mark.parametrize(
    "subject_level, body_level, language, kind",
    [
        (s, b, lang, kind)
        for s, b in itertools.product(LEVELS, LEVELS)
        for lang in LANGUAGES
        for kind in ("invitation", "payslip_published")
    ],
)
def test_each_field_resolves_employer_before_provider_before_default(
    employer, subject_level, body_level, language, kind
):
    def set_level(level, field, value):
        if level == "default":
            return
        owner = {"employer": employer} if level == "employer" else {"provider": employer.provider}
        text, _ = EmailText.objects.get_or_create(kind=kind, language=language, **owner)
        setattr(text, field, value)
        text.save()

    # Lower levels are filled too, so that the winner really had to beat them.
    for level in LEVELS[1 : LEVELS.index(subject_level) + 1]:
        set_level(level, "subject", f"{level} subject {{employer}}")
    body_tail = " {link}" if kind == "invitation" else ""
    for level in LEVELS[1 : LEVELS.index(body_level) + 1]:
        set_level(level, "body", f"{level} body{body_tail}")
    resolved = email_text_effective(employer=employer, kind=kind, language=language)
    assert resolved.sources == {"subject": subject_level, "body": body_level}
    if subject_level == "default":
        with translation.override(language):
            assert resolved.subject == str(KINDS[kind].subject)
    else:
        assert resolved.subject == f"{subject_level} subject {{employer}}"
    if body_level != "default":
        assert resolved.body == f"{body_level} body{body_tail}"


def test_another_providers_texts_never_apply(employer, other_employer):
    EmailText.objects.create(
        provider=other_employer.provider, kind="invitation", language="nl", subject="Vreemd"
    )
    assert email_text_effective(employer=employer, kind="invitation", language="nl").sources == {
        "subject": "default",
        "body": "default",
    }


def test_the_default_texts_exist_in_dutch_and_english_for_every_mail():
    for kind, language in itertools.product(KINDS.values(), LANGUAGES):
        with translation.override(language):
            subject, body = str(kind.subject), str(kind.body)
        assert subject and body
        assert not text_problems(kind, "subject", subject), (kind.key, language)
        assert not text_problems(kind, "body", body), (kind.key, language)
        if language == "nl":
            with translation.override("en"):
                english = str(kind.subject), str(kind.body)
            assert (subject, body) != english, f"{kind.key} is not translated into Dutch"


def test_the_invitation_goes_out_with_the_employers_subject_and_the_providers_body(employer, grant):
    EmailText.objects.create(
        provider=employer.provider,
        kind="invitation",
        language="nl",
        body="Hallo {first_name}, klik op {link} voor {valid_until_date}.",
    )
    EmailText.objects.create(
        employer=employer, kind="invitation", language="nl", subject="Welkom bij {employer}"
    )
    employee = EmployeeFactory(employer=employer, first_name="Mila")
    grant(employee)
    message = mail.outbox[0]
    assert message.subject == f"Welkom bij {employer.name}"
    assert message.body.startswith("Hallo Mila, klik op https://portal.example.test/invite/")
    assert "Mila" in message.alternatives[0][0]


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("subject", "Hallo\nBcc: victim@example.com", "one line"),
        ("subject", "Hallo\r\nX-Evil: 1", "one line"),
        ("subject", "x" * 201, "at most 200"),
        ("body", "{{ settings.SECRET_KEY }} {link}", "Unknown placeholder"),
        ("body", "{% load static %}{% debug %} {link}", "Unknown placeholder"),
        ("body", "Hallo {voornaam} {link}", "{voornaam}"),
        ("body", "Hallo {first_name}", "{link}"),
        ("body", "Hallo { {link}", "only around a placeholder"),
        ("body", "Hallo {username} {link}", "{username}"),  # not a placeholder of this mail
    ],
)
def test_bad_texts_are_refused_at_saving_with_a_reason(
    manager_client, employer, field, value, fragment
):
    response = manager_client.post(
        edit_url("employer", employer), {field: value}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert fragment in errors
    assert not EmailText.objects.exists()


def test_template_syntax_stored_anyway_stays_inert_and_is_skipped_at_sending(employer, grant):
    EmailText.objects.create(
        employer=employer,
        kind="invitation",
        language="nl",
        subject="Hack\nBcc: x@example.com",
        body="{{ settings.SECRET_KEY }} {% debug %} {link}",
    )
    grant(EmployeeFactory(employer=employer))
    message = mail.outbox[0]
    assert "\n" not in message.subject and "Bcc" not in message.subject
    assert "SECRET_KEY" not in message.body  # the invalid body fell back to the default
    assert "https://portal.example.test/invite/" in message.body


def test_values_are_escaped_in_the_html_version(employer, grant):
    employer.name = 'Bakker & Zn <script>alert("x")</script>'
    employer.save()
    EmailText.objects.create(
        employer=employer, kind="invitation", language="nl", body="<b>{employer}</b> {link}"
    )
    grant(EmployeeFactory(employer=employer, first_name="<img src=x>"))
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "<b>" not in html and "<img src=x>" not in html
    assert "&lt;b&gt;Bakker &amp; Zn &lt;script&gt;" in html


def test_hr_saves_an_override_field_by_field_and_restores_the_default(manager_client, employer):
    url = edit_url("employer", employer)
    response = manager_client.post(url, {"subject": "Welkom {first_name}", "body": ""})
    assert response.status_code == 302
    text = EmailText.objects.get(employer=employer)
    assert (text.subject, text.body) == ("Welkom {first_name}", "")
    page = manager_client.get(url)
    assert page.context["effective"].sources == {"subject": "employer", "body": "default"}
    manager_client.post(edit_url("employer", employer, action="restore", field="subject"))
    assert not EmailText.objects.exists()


def test_the_preview_of_a_draft_shows_the_draft_without_saving(manager_client, employer):
    response = manager_client.post(
        edit_url("employer", employer, action="preview"),
        {"subject": "Proef voor {first_name}", "body": "Klik {link}"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Proef voor Anna" in html  # the subject, above the mail
    assert 'href="https://portal.example.nl/invite/voorbeeld/"' in html
    assert "Klik" in html and "<body" in html
    assert not EmailText.objects.exists()


def test_send_me_a_test_mail(manager_client, employer, employer_manager):
    manager_client.post(edit_url("employer", employer, action="test"))
    assert mail.outbox[0].to == [employer_manager.email]
    assert mail.outbox[0].subject.startswith("[Test]")


def test_the_sender_names_the_employer_and_replies_go_to_hr(employer, grant):
    employer.reply_to_email = "salaris@bakkerij.nl"
    employer.save()
    grant(EmployeeFactory(employer=employer))
    message = mail.outbox[0]
    assert message.from_email.startswith(f'"{employer.name} via ESS Portal"') or (
        message.from_email.startswith(f"{employer.name} via ESS Portal")
    )
    assert message.from_email.endswith("<noreply@localhost>")
    assert message.reply_to == ["salaris@bakkerij.nl"]


def test_a_line_break_in_an_employer_name_cannot_add_a_header(employer, grant):
    employer.name = "Acme\r\nBcc: victim@example.com"
    employer.save()
    grant(EmployeeFactory(employer=employer))
    message = mail.outbox[0].message()
    assert message["Bcc"] is None
    assert "\n" not in message["From"] and "\r" not in message["From"]


def test_mails_go_out_in_the_employees_preferred_language(employer, grant):
    EmailText.objects.create(employer=employer, kind="invitation", language="en", subject="EN")
    EmailText.objects.create(employer=employer, kind="invitation", language="nl", subject="NL")
    grant(EmployeeFactory(employer=employer, language="en"))
    grant(EmployeeFactory(employer=employer, language="nl"))
    assert [m.subject for m in mail.outbox] == ["EN", "NL"]


def test_provider_staff_edit_the_provider_level(provider_client, provider):
    url = edit_url("provider", provider)
    assert provider_client.post(url, {"subject": "Van het kantoor"}).status_code == 302
    assert EmailText.objects.get(provider=provider).subject == "Van het kantoor"


def test_employer_staff_cannot_edit_the_provider_level(manager_client, provider):
    assert manager_client.get(edit_url("provider", provider)).status_code == 404
    assert manager_client.post(edit_url("provider", provider), {"subject": "x"}).status_code == 404


def test_another_employers_texts_are_404(manager_client, other_employer):
    assert manager_client.get(edit_url("employer", other_employer)).status_code == 404
    assert (
        manager_client.post(edit_url("employer", other_employer), {"subject": "x"}).status_code
        == 404
    )
    for action in ("preview", "test"):
        assert (
            manager_client.post(edit_url("employer", other_employer, action=action)).status_code
            == 404
        )
    assert not EmailText.objects.exists()


def test_the_read_only_role_can_read_but_not_save(viewer_client, employer):
    assert viewer_client.get(edit_url("employer", employer)).status_code == 200
    assert viewer_client.post(edit_url("employer", employer), {"subject": "x"}).status_code == 403


@pytest.mark.parametrize("kind, language", [("nonsense", "nl"), ("invitation", "fr")])
def test_unknown_kinds_and_languages_are_404(manager_client, employer, kind, language):
    assert manager_client.get(edit_url("employer", employer, kind, language)).status_code == 404


def test_the_overview_lists_every_mail_once_with_its_sources_per_language(manager_client, employer):
    EmailText.objects.create(employer=employer, kind="invitation", language="nl", subject="S")
    rows = manager_client.get(reverse("hr:email_texts", args=["employer", employer.pk])).context[
        "rows"
    ]
    assert [r["kind"].key for r in rows] == list(KINDS)
    first = next(r for r in rows if r["kind"].key == "invitation")
    sources = {cell["language"]: cell["resolved"].sources for cell in first["languages"]}
    assert sources == {
        "nl": {"subject": "employer", "body": "default"},
        "en": {"subject": "default", "body": "default"},
    }


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 30), (11, 92, 173)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = png_bytes()


def test_hr_sets_a_logo_that_the_html_mail_carries_inline(manager_client, employer, grant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = manager_client.post(
        reverse("hr:email_sender", args=[employer.pk]),
        {"reply_to_email": "HR@Bakkerij.nl", "logo": logo},
    )
    assert response.status_code == 302
    employer.refresh_from_db()
    assert employer.logo and employer.reply_to_email == "hr@bakkerij.nl"
    grant(EmployeeFactory(employer=employer))
    message = mail.outbox[0].message()
    assert message.get_content_type() == "multipart/related"
    images = [part for part in message.walk() if part.get_content_maintype() == "image"]
    assert len(images) == 1 and images[0]["Content-ID"] == "<employer-logo>"
    assert 'src="cid:employer-logo"' in mail.outbox[0].alternatives[0][0]


@pytest.mark.parametrize(
    "name, content",
    [("logo.png", b"not an image"), ("logo.svg", b"<svg/>"), ("big.png", PNG + b"\0" * 210_000)],
)
def test_a_bad_logo_is_refused(manager_client, employer, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    manager_client.post(
        reverse("hr:email_sender", args=[employer.pk]),
        {"reply_to_email": "", "logo": SimpleUploadedFile(name, content)},
    )
    employer.refresh_from_db()
    assert not employer.logo


def test_the_sender_settings_of_another_employer_are_404(manager_client, other_employer):
    url = reverse("hr:email_sender", args=[other_employer.pk])
    assert manager_client.post(url, {"reply_to_email": "x@example.test"}).status_code == 404
