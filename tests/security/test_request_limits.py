"""Request bodies are bounded before anything reads them; gunicorn bounds the request head."""

import io
import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.essportal.test_production import PRODUCTION, ROOT, run_manage
from tests.mfa_helpers import force_login_verified

MB = 1024 * 1024


def browser() -> Client:
    # A crash must show as the 500 the browser would get.
    return Client(raise_request_exception=False)


def announced(client, path, *, length: int, body: bytes = b"x" * 100, **headers):
    """A POST whose Content-Length announces `length` bytes while only `body` follows, as an
    attacker's client starts a 200 MB upload. The test's input stream refuses to be read past
    what is there, so a server that starts reading the announced body fails."""
    return client.post(
        path,
        data=body,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(length),
        **headers,
    )


@pytest.mark.parametrize("path", ["/login/", "/hr/login/", "/forgot-password/", "/nowhere/"])
def test_a_200_megabyte_post_without_signing_in_is_refused_before_it_is_read(db, path):
    response = announced(browser(), path, length=200 * MB)
    assert response.status_code == 413
    assert "413.html" in [template.name for template in response.templates]


def test_the_refusal_says_what_the_limit_is_in_the_browsers_language(db, settings):
    settings.REQUEST_BODY_MAX_BYTES = MB
    response = announced(browser(), "/login/", length=MB + 1, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    text = response.content.decode()
    assert "too large" in text and "1.0\xa0MB" in text


def test_a_body_just_over_the_limit_is_refused_and_one_at_the_limit_is_read(db, settings):
    settings.REQUEST_BODY_MAX_BYTES = 2000
    client = browser()
    over = client.post("/login/", {"username": "anna", "password": "p" * 2000})
    assert over.status_code == 413
    under = client.post("/login/", {"username": "anna", "password": "p" * 500})
    assert under.status_code == 200
    assert "form" in under.context


def test_a_get_announcing_a_body_is_refused_too(db):
    client = browser()
    response = client.get("/login/", CONTENT_LENGTH=str(200 * MB))
    assert response.status_code == 413


def logo_of(size: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="PNG")
    data = buffer.getvalue()
    return SimpleUploadedFile("logo.png", data + b"\0" * (size - len(data)), "image/png")


def test_a_logo_over_the_general_limit_reaches_the_form_and_gets_its_message(
    employer_manager, employer, settings
):
    settings.REQUEST_BODY_MAX_BYTES = 100_000
    client = browser()
    force_login_verified(client, employer_manager)
    url = reverse("hr:email_sender", args=[employer.pk])
    response = client.post(url, {"reply_to_email": "", "logo": logo_of(300_000)}, follow=True)
    assert response.status_code == 200
    # The view ran and answered with its message at the field.
    assert response.context["sender_form"].has_error("logo", code="logo_size")
    employer.refresh_from_db()
    assert not employer.logo


def test_an_upload_over_the_upload_limit_is_refused_before_it_is_read(
    employer_manager, employer, settings
):
    client = browser()
    force_login_verified(client, employer_manager)
    url = reverse("hr:email_sender", args=[employer.pk])
    response = announced(client, url, length=settings.UPLOAD_BODY_MAX_BYTES + 1)
    assert response.status_code == 413
    employer.refresh_from_db()
    assert not employer.logo


def test_only_the_upload_views_take_the_larger_limit(employer_manager, employer, settings):
    client = browser()
    force_login_verified(client, employer_manager)
    between = settings.REQUEST_BODY_MAX_BYTES + 1
    assert between <= settings.UPLOAD_BODY_MAX_BYTES
    grant_url = reverse("hr:collective_grant", args=[employer.pk])
    assert announced(client, grant_url, length=between).status_code == 413
    assert settings.UPLOAD_VIEWS == [
        "hr:email_sender",
        "admin:employers_employer_add",
        "admin:employers_employer_change",
    ]


def test_django_reads_no_more_than_the_limits_and_keeps_uploads_off_the_disk(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.REQUEST_BODY_MAX_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= settings.UPLOAD_BODY_MAX_BYTES
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 1


def test_the_limits_come_from_the_environment():
    code = (
        "from django.conf import settings; "
        "print(settings.REQUEST_BODY_MAX_BYTES, settings.UPLOAD_BODY_MAX_BYTES, "
        "settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.FILE_UPLOAD_MAX_MEMORY_SIZE)"
    )
    result = run_manage(
        "shell",
        "-c",
        code,
        REQUEST_BODY_MAX_BYTES="65536",
        UPLOAD_BODY_MAX_BYTES="2097152",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["65536", "2097152", "65536", "2097152"]


GUNICORN_LIMITS = """
from gunicorn.config import Config
config = Config()
namespace = {}
exec(open("gunicorn.conf.py").read(), namespace)
for name, value in namespace.items():
    if name in config.settings:
        config.set(name, value)
print(config.limit_request_line, config.limit_request_fields, config.limit_request_field_size)
"""


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, ["4094", "50", "8190"]),
        (
            {
                "GUNICORN_LIMIT_REQUEST_LINE": "2048",
                "GUNICORN_LIMIT_REQUEST_FIELDS": "80",
                "GUNICORN_LIMIT_REQUEST_FIELD_SIZE": "4096",
            },
            ["2048", "80", "4096"],
        ),
    ],
)
def test_gunicorn_limits_the_request_line_and_the_headers(env, expected):
    base = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    result = subprocess.run(  # noqa: S603 - our own config file
        [sys.executable, "-c", GUNICORN_LIMITS],
        cwd=ROOT,
        env={**base, **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected
