"""Reading back the PDFs that employees/payroll/pdf.py writes, without a PDF library.

No PDF text extractor is installed, and reportlab's own output is regular enough to read: with
page compression off, the content streams and each embedded font's ToUnicode map are plain text.
Decoding through those maps reads what a PDF viewer copies to the clipboard, so a character drawn
with a font that lacks it does not come back as itself.
"""

import re
from dataclasses import dataclass

_OBJECT = re.compile(rb"\n(\d+) 0 obj\n(.*?)\nendobj", re.DOTALL)
_FONT_RESOURCE = re.compile(rb"/(F\d+(?:\+\d+)?) (\d+) 0 R")
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{4,})>")
# A literal string (first, so that operator names inside one are read as text), a font
# selection, or an operator that starts a new line.
_TEXT_TOKEN = re.compile(
    rb"\(((?:\\.|[^\\()])*)\)|/(\S+) [\d.]+ Tf|(?<![\w*])(BT|ET|T\*|Td|TD|Tm)(?![\w*])",
    re.DOTALL,
)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


@dataclass(frozen=True)
class PdfFont:
    base_font: str
    subtype: str
    embedded_truetype: bool


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(number): body for number, body in _OBJECT.findall(data)}


def _ref(body: bytes, key: bytes) -> int | None:
    match = re.search(rb"/" + key + rb" (\d+) 0 R", body)
    return int(match.group(1)) if match else None


def _stream(body: bytes) -> bytes:
    length = int(re.search(rb"/Length (\d+)", body).group(1))
    start = re.search(rb"stream\r?\n", body).end()
    return body[start : start + length]


def _name(body: bytes, key: bytes) -> str:
    match = re.search(rb"/" + key + rb" /(\S+)", body)
    return match.group(1).decode() if match else ""


def pdf_fonts(data: bytes) -> list[PdfFont]:
    """Every font the document declares, with whether its TrueType program is in the file."""
    objects = _objects(data)
    fonts = []
    for body in objects.values():
        if not re.search(rb"/Type /Font\b", body):
            continue
        descriptor = objects.get(_ref(body, b"FontDescriptor") or -1, b"")
        fonts.append(
            PdfFont(
                base_font=_name(body, b"BaseFont"),
                subtype=_name(body, b"Subtype"),
                embedded_truetype=_ref(descriptor, b"FontFile2") is not None,
            )
        )
    return fonts


def _unescape(literal: bytes) -> bytes:
    def replace(match: re.Match) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8) & 0xFF])
        if escaped in (b"\n", b"\r"):
            return b""
        return _ESCAPES.get(escaped, escaped)

    return _ESCAPE.sub(replace, literal)


def _decoders(data: bytes) -> dict[str, dict[int, str] | None]:
    """Resource name -> byte-to-text map from the font's ToUnicode stream (None: it has none)."""
    objects = _objects(data)
    decoders: dict[str, dict[int, str] | None] = {}
    for resource, number in _FONT_RESOURCE.findall(data):
        to_unicode = _ref(objects.get(int(number), b""), b"ToUnicode")
        if to_unicode is None:
            decoders[resource.decode()] = None
            continue
        cmap = _stream(objects[to_unicode])
        decoders[resource.decode()] = {
            int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
            for code, text in _BFCHAR.findall(cmap)
        }
    return decoders


def pdf_text(data: bytes) -> str:
    """The document's text, one line per line drawn; needs `pdf.PAGE_COMPRESSION = 0`.

    Text in a font without a ToUnicode map (reportlab's standard Type 1 fonts) is read as the
    Windows-1252 bytes reportlab writes for Helvetica; anything it drew in a fallback font such
    as ZapfDingbats then reads as that font's code, not as the character asked for.
    """
    objects = _objects(data)
    decoders = _decoders(data)
    lines: list[str] = []
    line = ""
    decoder: dict[int, str] | None = None
    for body in objects.values():
        if not re.search(rb"/Type /Page\b", body):
            continue
        content = _stream(objects[_ref(body, b"Contents")])
        for literal, font, operator in _TEXT_TOKEN.findall(content):
            if font:
                decoder = decoders.get(font.decode())
            elif operator:
                lines.append(line)
                line = ""
            elif decoder is None:
                line += _unescape(literal).decode("cp1252", errors="replace")
            else:
                line += "".join(decoder.get(byte, "\ufffd") for byte in _unescape(literal))
    lines.append(line)
    return "\n".join(line for line in lines if line.strip())


def words(text: str) -> str:
    """The text with every run of white space made one space, for phrases across line ends."""
    return " ".join(text.split())
