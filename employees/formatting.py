"""Money and hours the way the reader's language writes them: € 1.234,56 in Dutch,
€ 1,234.56 in English. Used by the templates (|euro, |hours) and the PDFs."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

CENT = Decimal("0.01")


def _separators() -> tuple[str, str]:
    """(thousands, decimal) separators of the active language."""
    if (get_language() or "nl").startswith("en"):
        return ",", "."
    return ".", ","


def _grouped(value: Decimal, places: int) -> str:
    thousands, decimal = _separators()
    text = f"{abs(value):,.{places}f}"  # "1,234.56"
    text = text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
    return f"-{text}" if value < 0 else text


def format_euro(value) -> str:
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"€ {_grouped(amount, 2)}"


def format_hours(value) -> str:
    """Hours with up to two decimals and no trailing zeros: 16, 7,5, 3,25."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    places = 0 if amount == amount.to_integral() else (1 if (amount * 10) % 1 == 0 else 2)
    return _grouped(amount, places)


def format_percentage(value) -> str:
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{_grouped(amount, 2)}%"
