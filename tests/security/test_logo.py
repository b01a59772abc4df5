"""The employer's logo: a small, re-encoded PNG in every mail, whatever HR uploads.

A 20 kB PNG can hold 13,000 × 13,000 pixels (a decompression bomb): decoding it takes gigabytes,
in our process and in every mail client that shows the mail.
"""

import io

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from employers.models import Employer
from essportal.mail.logo import LOGO_MAX_PIXELS
from essportal.mail.message import logo_part
from tests.factories import EmployeeFactory, UserFactory


def image_bytes(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """13,000 × 13,000 black and white pixels in about 20 kB."""
    return image_bytes(Image.new("1", (13_000, 13_000)))


def upload(client, employer, content: bytes, name: str = "logo.png", reply_to: str = ""):
    return client.post(
        reverse("hr:email_sender", args=[employer.pk]),
        {"reply_to_email": reply_to, "logo": SimpleUploadedFile(name, content)},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def messages_of(response) -> list[str]:
    """What HR is told: the page comes back with the reason at the form's field."""
    form = response.context.get("sender_form")
    errors = [str(e) for field in form.errors.values() for e in field] if form else []
    return [*errors, *(str(message) for message in response.context["messages"])]


def stored_logo(employer) -> Image.Image:
    employer.refresh_from_db()
    with employer.logo.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


def test_a_decompression_bomb_is_refused_with_a_message_and_nothing_is_saved(
    manager_client, employer, bomb
):
    assert len(bomb) < 200 * 1024
    response = upload(manager_client, employer, bomb, reply_to="hr@bakkerij.nl")
    assert any("13000 × 13000" in message for message in messages_of(response))
    employer.refresh_from_db()
    assert not employer.logo and employer.reply_to_email == ""


def test_a_logo_just_over_the_pixel_limit_is_refused(manager_client, employer):
    too_many = image_bytes(Image.new("1", (LOGO_MAX_PIXELS // 1000 + 1, 1000)))
    upload(manager_client, employer, too_many)
    employer.refresh_from_db()
    assert not employer.logo


def test_an_animated_gif_is_refused(manager_client, employer):
    frames = [Image.new("RGB", (60, 20), color) for color in ("navy", "orange")]
    gif = image_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    response = upload(manager_client, employer, gif, name="logo.gif")
    assert any("animated" in message for message in messages_of(response))
    employer.refresh_from_db()
    assert not employer.logo


@pytest.mark.parametrize(
    "name, content",
    [
        ("logo.png", image_bytes(Image.effect_noise((400, 100), 50))[:20_000]),
        ("logo.png", image_bytes(Image.effect_noise((400, 100), 50))[:300]),
        ("logo.jpg", image_bytes(Image.effect_noise((400, 100), 50).convert("RGB"), "JPEG")[:500]),
        ("logo.png", image_bytes(Image.new("RGB", (40, 10)), "BMP")),
        ("logo.png", image_bytes(Image.new("RGB", (40, 10)), "TIFF")),
        ("logo.png", b"%PDF-1.4\n"),
    ],
    ids=["truncated PNG", "PNG cut in its header", "truncated JPEG", "BMP", "TIFF", "PDF"],
)
def test_a_truncated_file_or_another_format_is_refused(manager_client, employer, name, content):
    response = upload(manager_client, employer, content, name=name)
    assert messages_of(response)
    employer.refresh_from_db()
    assert not employer.logo


def test_a_large_photo_is_stored_as_a_small_png_without_its_metadata(manager_client, employer):
    photo = Image.linear_gradient("L").resize((2400, 1200)).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x8825] = {2: (52.0, 5.0, 0.0)}  # GPS: where the photo was taken
    content = image_bytes(photo, "JPEG", quality=30, exif=exif, comment=b"secret")
    assert len(content) < 200 * 1024
    upload(manager_client, employer, content, name="logo.jpg")
    stored = stored_logo(employer)
    assert stored.format == "PNG"
    assert stored.size[0] <= 480 and stored.size[1] <= 120
    assert stored.size == (240, 120)  # the proportions kept
    assert not stored.info.get("exif") and not stored.getexif()
    assert "comment" not in stored.info
    assert employer.logo.name.endswith(".png")


def test_text_chunks_of_a_png_are_not_kept_and_transparency_is(manager_client, employer):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Someone")
    logo = Image.new("RGBA", (200, 50), (11, 92, 173, 0))
    upload(manager_client, employer, image_bytes(logo, pnginfo=info))
    stored = stored_logo(employer)
    assert "Author" not in stored.info
    assert stored.mode in ("RGBA", "LA", "P") and stored.getextrema()[-1][0] == 0


def test_a_small_logo_is_not_enlarged(manager_client, employer):
    upload(manager_client, employer, image_bytes(Image.new("RGB", (120, 30), (11, 92, 173))))
    assert stored_logo(employer).size == (120, 30)


def test_a_bomb_stored_before_the_check_never_reaches_a_mail(employer, grant, bomb):
    Employer.objects.filter(pk=employer.pk).update(logo="")
    employer.logo.save("old-bomb.png", ContentFile(bomb))
    logo_part.cache_clear()
    grant(EmployeeFactory(employer=employer))
    message = mail.outbox[0].message()
    images = [part for part in message.walk() if part.get_content_maintype() == "image"]
    assert images == []


def test_a_large_logo_stored_before_the_check_goes_out_re_encoded(employer, grant):
    employer.logo.save("old.png", ContentFile(image_bytes(Image.new("RGB", (1200, 300), "navy"))))
    logo_part.cache_clear()
    grant(EmployeeFactory(employer=employer))
    message = mail.outbox[0].message()
    [part] = [part for part in message.walk() if part.get_content_maintype() == "image"]
    assert part.get_content_type() == "image/png"
    assert Image.open(io.BytesIO(part.get_payload(decode=True))).size == (480, 120)


def admin_change(client, employer, logo: bytes):
    return client.post(
        reverse("admin:employers_employer_change", args=[employer.pk]),
        {
            "provider": employer.provider_id,
            "name": employer.name,
            "leave_module": "on",
            "logo": SimpleUploadedFile("logo.png", logo),
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )


def test_the_admin_refuses_a_bomb_and_re_encodes_a_logo_too(client, employer, bomb):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = admin_change(client, employer, bomb)
    assert response.status_code == 200 and "logo" in response.context["adminform"].form.errors
    employer.refresh_from_db()
    assert not employer.logo
    response = admin_change(client, employer, image_bytes(Image.new("RGB", (960, 240), "navy")))
    assert response.status_code == 302
    assert stored_logo(employer).size == (480, 120)
