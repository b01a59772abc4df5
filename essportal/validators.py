"""One-line text that shows what it says: no line breaks, no invisible characters."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (CR, LF, NEL among them), format characters (bidirectional overrides,
# zero-width spaces, the byte order mark), unassigned and private-use code points, and the
# Unicode line and paragraph separators, which break lines wherever CR and LF do.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"})


def has_hidden_characters(value: str) -> bool:
    return any(unicodedata.category(ch) in HIDDEN_CATEGORIES for ch in value)


def validate_one_line(value: str) -> None:
    """For names, addresses and other one-line text that ends up in pages, PDFs or mail headers.
    Ordinary spaces, letters of any script and their accents pass."""
    if has_hidden_characters(value):
        raise ValidationError(
            _("Remove the invisible or control characters."), code="hidden_characters"
        )
