"""The employer's logo, which every HTML mail of the employer carries inline.

What HR uploads is never sent as it is: `logo_png` decodes it within fixed bounds and writes a
new, small PNG without metadata. A file of a few kilobytes can describe an image of billions of
pixels (a decompression bomb), which would take gigabytes to decode here and in the mail client
of every employee; a photo carries its camera, place and date in its metadata.
"""

import io
import warnings

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image

# The upload, and the file stored from it (a re-encoded logo is far smaller).
LOGO_MAX_BYTES = 200 * 1024
# What may be decoded: a generous logo at print quality is a few million pixels; this many take
# about 32 MB to decode. Anything larger is refused before its pixels are read.
LOGO_MAX_PIXELS = 8_000_000
LOGO_MAX_SIDE = 8_000
# The mail shows the logo in at most 240 × 60 pixels; twice that keeps it sharp on screens with
# dense pixels.
LOGO_BOX = (480, 120)
LOGO_FORMATS = ("PNG", "JPEG", "GIF")

LIMITS = {"megapixels": LOGO_MAX_PIXELS // 1_000_000, "side": LOGO_MAX_SIDE}
TOO_LARGE = _("The logo may be at most 200 kB.")
NOT_AN_IMAGE = _("The logo must be a PNG, JPEG or GIF image that can be read completely.")


def _check_dimensions(image: Image.Image) -> None:
    width, height = image.size
    if width * height > LOGO_MAX_PIXELS or max(width, height) > LOGO_MAX_SIDE:
        raise ValidationError(
            _(
                "The logo is %(width)d × %(height)d pixels; it may have at most %(megapixels)d "
                "million pixels and %(side)d pixels on its longest side."
            ),
            code="logo_dimensions",
            params={"width": width, "height": height, **LIMITS},
        )


def _decode(data: bytes) -> Image.Image:
    """The image's pixels, decoded only after its size and kind have been checked."""
    with warnings.catch_warnings():
        # Pillow warns from its own limit on, which is far above ours: checked right after.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=LOGO_FORMATS)
    _check_dimensions(image)
    if getattr(image, "is_animated", False):
        raise ValidationError(
            _("The logo may not be animated: upload a single image."), code="logo_animated"
        )
    image.load()  # a truncated file fails here (Pillow does not make up the missing part)
    return image


def _encode(image: Image.Image) -> bytes:
    image = image.convert("RGBA")
    image.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    if image.getextrema()[3][0] == 255:  # nothing transparent: no alpha channel needed
        image = image.convert("RGB")
    image.info = {}  # no text, EXIF, ICC profile or other metadata is written
    png = _png(image)
    if len(png) > LOGO_MAX_BYTES:  # only noise gets here; in 256 colours it always fits
        png = _png(image.quantize(256, method=Image.Quantize.FASTOCTREE))
    return png


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def logo_png(data: bytes) -> bytes:
    """The logo as a PNG of at most LOGO_BOX pixels, its proportions kept, without metadata.
    Raises ValidationError with a message for HR when `data` cannot be such a logo."""
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(TOO_LARGE, code="logo_size")
    try:
        return _encode(_decode(data))
    except ValidationError:
        raise
    except Image.DecompressionBombError:  # so many pixels that Pillow will not even open it
        raise ValidationError(
            _(
                "The logo has far too many pixels; it may have at most %(megapixels)d million "
                "pixels and %(side)d pixels on its longest side."
            ),
            code="logo_dimensions",
            params=LIMITS,
        ) from None
    except Exception:  # a hostile file can make any step of a decoder fail, in any way
        raise ValidationError(NOT_AN_IMAGE, code="logo_invalid") from None


class LogoField(forms.ImageField):
    """The logo upload of HR's sender page and of the admin: the re-encoded PNG is what is
    saved, under a name of its own."""

    def to_python(self, data):
        file = forms.FileField.to_python(self, data)
        if file is None:
            return None
        file.seek(0)
        return ContentFile(logo_png(file.read(LOGO_MAX_BYTES + 1)), name="logo.png")
