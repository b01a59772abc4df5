"""Dutch is the default language and must be complete; English is the source."""

import re
from pathlib import Path

PO_FILE = Path(__file__).resolve().parents[2] / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def po_entries(text: str):
    """(flags, msgid, msgstrs) per entry of a .po file, header excluded."""
    for block in text.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields: dict[str, str] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match[1]
                fields[key] = match[2]
            elif key and line.startswith('"'):
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            yield flags, fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")]


def test_every_dutch_translation_is_filled_in_and_not_fuzzy():
    text = PO_FILE.read_text(encoding="utf-8")
    untranslated = [msgid for _, msgid, strs in po_entries(text) if not all(strs)]
    fuzzy = [msgid for flags, msgid, _ in po_entries(text) if "fuzzy" in flags]
    assert not untranslated, untranslated[:10]
    assert not fuzzy, fuzzy[:10]


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), value)


def test_the_compiled_catalogue_matches_the_source():
    """`make messages` compiles the .po; a stale .mo would serve old or missing Dutch."""
    import gettext

    with PO_FILE.with_suffix(".mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    stale = [
        msgid
        for _flags, msgid, strs in po_entries(PO_FILE.read_text(encoding="utf-8"))
        if len(strs) == 1 and catalogue.gettext(_unescape(msgid)) != _unescape(strs[0])
    ]
    assert not stale, stale[:5]
