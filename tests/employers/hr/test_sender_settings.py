"""HR's sender settings (reply-to address and logo) are saved together or not at all; a disk
that cannot take the logo is a message at the field, not a 500 and half a file."""

import errno
import io
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.disk import disk_full_after

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 30), (11, 92, 173)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = png_bytes()


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def submit(client, employer, reply_to="hr@bakkerij.nl"):
    return client.post(
        reverse("hr:email_sender", args=[employer.pk]),
        {"reply_to_email": reply_to, "logo": SimpleUploadedFile("logo.png", PNG)},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.fixture
def old_logo(employer):
    employer.logo.save("logo.png", ContentFile(PNG), save=True)
    employer.refresh_from_db()
    return employer.logo.name


def test_a_full_disk_gives_a_clear_error_keeps_the_reply_to_in_the_form_and_saves_nothing(
    manager_client, employer, old_logo, monkeypatch, caplog
):
    before = stored_files()
    disk_full_after(monkeypatch, settings.MEDIA_ROOT, written=100)
    with caplog.at_level(logging.ERROR, logger="employers.hr.texts"):
        response = submit(manager_client, employer)
    assert response.status_code == 200
    form = response.context["sender_form"]
    assert form.errors["logo"] == [
        "The logo could not be stored: the server's disk is full. Nothing was saved; try again "
        "later, or ask the portal's operator."
    ]
    # What HR typed is still there, to submit again; nothing of it was saved.
    assert 'value="hr@bakkerij.nl"' in response.content.decode()
    employer.refresh_from_db()
    assert employer.reply_to_email == "" and employer.logo.name == old_logo
    assert stored_files() == before  # no truncated logo, no temporary file
    assert employer.logo.read() == PNG  # the previous logo is whole
    [record] = caplog.records
    assert f"errno {errno.ENOSPC}" in record.getMessage() and record.exc_info is None


def test_after_space_is_made_the_same_submission_saves_both(
    manager_client, employer, old_logo, monkeypatch
):
    disk_full_after(monkeypatch, settings.MEDIA_ROOT, written=100)
    submit(manager_client, employer)
    monkeypatch.undo()
    response = submit(manager_client, employer)
    assert response.status_code == 302
    employer.refresh_from_db()
    assert employer.reply_to_email == "hr@bakkerij.nl"
    assert employer.logo.name != old_logo and employer.logo.read().startswith(b"\x89PNG")


def test_another_failure_of_the_disk_is_told_as_a_problem_on_the_server(
    manager_client, employer, monkeypatch
):
    def broken(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("essportal.storage.tempfile.mkstemp", broken)
    response = submit(manager_client, employer)
    assert response.status_code == 200
    assert (
        response.context["sender_form"]
        .errors["logo"][0]
        .startswith("The logo could not be stored because of a problem on the server.")
    )
    employer.refresh_from_db()
    assert not employer.logo and employer.reply_to_email == ""


def test_a_refused_logo_also_keeps_the_reply_to_in_the_form(manager_client, employer):
    response = manager_client.post(
        reverse("hr:email_sender", args=[employer.pk]),
        {"reply_to_email": "hr@bakkerij.nl", "logo": SimpleUploadedFile("logo.png", b"no")},
    )
    assert response.status_code == 200
    assert response.context["sender_form"].has_error("logo", code="logo_invalid")
    assert 'value="hr@bakkerij.nl"' in response.content.decode()
    employer.refresh_from_db()
    assert employer.reply_to_email == ""
