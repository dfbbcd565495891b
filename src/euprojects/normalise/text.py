"""Text as sources deliver it: bytes in several encodings, mojibake, HTML, null markers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import ftfy

NULL_MARKERS = frozenset({"", "na", "n/a", "n.a.", "n.a", "null", "none", "nan", "-", "--", "—"})
_LONGEST_NULL = max(len(marker) for marker in NULL_MARKERS)

# Byte pairs that UTF-8 text shows when it was decoded as cp1252/latin-1 and re-encoded.
_MOJIBAKE = re.compile("[ÂÃÄÅâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2013-\u203a\u20ac\u2122]")
# "¬" (U+00AC) is what some exports left of a soft hyphen (between letters) or a euro sign.
_LOST_SOFT_HYPHEN = re.compile(r"(?<=[^\W_])¬(?=\w)")
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_CONTROL = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]")
# What makes clean() change a cell: control characters (line breaks among them), wide spaces,
# doubled spaces; leading and trailing space are tested apart.
_UNCLEAN = re.compile("[\u0000-\u001f\u007f\u00a0\u2007\u202f]|  ")
_MOJIBAKE_LEADS = ("Â", "Ã", "Ä", "Å", "â")  # a substring test rules most text out faster than a regex


def without_accents(text: str) -> str:
    """Text with its letters' accents taken off (``Liège`` → ``Liege``): compatibility
    decomposition, combining marks dropped. Letters whose stroke or ring is part of the letter
    (``ł``, ``ø``, ``ß``) have no decomposition and stay as they are; Greek and Cyrillic stay
    letters. The building block of ``places.fold`` (names matched) and ``common.slug`` (ids),
    which differ only in what they do around it.
    """
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def is_null(value: str | None) -> bool:
    """True for the ways sources write "no value": blank, NA, N/A, n.a., NULL, a dash."""
    return value is None or value.strip().lower() in NULL_MARKERS


class DecodeError(ValueError):
    """The bytes are not text in any of the encodings the source may use."""


_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Control bytes no text file holds (tab, line and page breaks are text); beyond this share of
# a file's start it is binary. A few NUL bytes in a text file are damaged rows, not binary.
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])
_BINARY_SHARE = 0.01
_SNIFF = 65536
# What decoding leaves in damaged rows: NUL bytes, and undecodable bytes kept as the surrogate
# escapes U+DC80–U+DCFF, so their row can be rejected and named rather than the whole file.
_DAMAGE = re.compile("[\x00\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def not_text(data: bytes) -> str | None:
    """Why bytes cannot be text in UTF-8 or a single-byte code page (UTF-16, binary), or None."""
    sample = data[:_SNIFF]
    if sample.startswith(_UTF16_BOMS) or _looks_utf16(sample):
        return "the file is UTF-16 (save it as UTF-8)"
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > _BINARY_SHARE * len(sample):
        return "the file holds NUL bytes: it is binary, not text" if b"\x00" in sample else "the file is binary"
    return None


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16 without a byte-order mark: Latin text with a NUL beside nearly every character."""
    start = sample[:4096]
    half = len(start) // 2
    return half >= 2 and max(start[0::2].count(0), start[1::2].count(0)) > 0.9 * half


def decode(data: bytes, encodings: Sequence[str] = ("utf-8",)) -> tuple[str, str]:
    """Decode bytes with the first encoding that fits; a UTF-8 BOM always wins.

    Returns the text and the encoding used. Single-byte code pages accept almost any byte,
    so list UTF-8 first and the source's legacy code page after it.
    """
    problem = not_text(data)
    if problem:
        raise DecodeError(problem)
    bom = data.startswith(_UTF8_BOM)
    if bom:
        data, encodings = data[len(_UTF8_BOM) :], ("utf-8",)
    failures = []
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as err:
            line = 1 + data.count(b"\n", 0, err.start)
            failures.append(f"{encoding} fails on line {line} (byte 0x{data[err.start]:02x})")
            continue
        return text, "utf-8-sig" if bom else encoding
    raise DecodeError("not readable as " + "; ".join(failures))


def decode_damaged(data: bytes, *, legacy: bool = False) -> str | None:
    """UTF-8 text in which a few lines hold bytes that are not UTF-8, kept as surrogate escapes
    for :func:`damage` to find; None when the bytes are not damaged UTF-8 but another encoding
    (the file is then decoded in it, or refused as a whole).

    Damaged UTF-8 holds more valid multi-byte characters than invalid bytes, or has at most one
    damaged line in a hundred. When the format also has a ``legacy`` code page, only the first
    sign counts, and four times over: a legacy file with few accented lines must be decoded in
    its code page, not have those lines rejected, and real legacy files hold far more invalid
    UTF-8 sequences than valid ones.
    """
    text = data.removeprefix(_UTF8_BOM).decode("utf-8", errors="surrogateescape")
    invalid = len(_DAMAGE.findall(text))
    valid = len(_NON_ASCII.findall(text)) - invalid
    if legacy:
        return text if valid > 4 * invalid else None
    if valid > invalid:
        return text
    damaged = sum(1 for line in text.split("\n") if _DAMAGE.search(line))
    return text if damaged <= max(1, (text.count("\n") + 1) // 100) else None


def damage(text: str) -> str | None:
    """What decoding left damaged in a value (a NUL byte, a byte that is not UTF-8), or None."""
    found = _DAMAGE.search(text)
    if found is None:
        return None
    if found[0] == "\x00":
        return "holds a NUL byte"
    byte = ord(found[0]) - 0xDC00
    guess = bytes([byte]).decode("cp1252", errors="replace")
    return f"byte 0x{byte:02x} is not UTF-8 (in cp1252 it would be {guess!r})"


def repair(text: str) -> str:
    """Undo double-encoded UTF-8 (``worldâ€™s`` → ``world’s``) and the ``¬`` left of soft hyphens
    (``homo¬geneous``) and euro signs (``¬3.5M``) where they show; leave clean text alone.

    Where the whole text is UTF-8 read as cp1252 (the usual case), encoding it back and decoding
    it as UTF-8 repairs it exactly, a hundred times faster than ftfy and also where ftfy gives up
    (``â„¢``, ``Ä—``); text that mixes both goes to ftfy.
    """
    if any(lead in text for lead in _MOJIBAKE_LEADS) and _MOJIBAKE.search(text):
        try:
            text = text.encode("cp1252").decode("utf-8")
        except UnicodeError:
            text = str(ftfy.fix_encoding(text))
    if "¬" in text:
        text = _LOST_SOFT_HYPHEN.sub("", text).replace("¬", "€")
    return text


def clean(value: str | None) -> str | None:
    """Trimmed text with runs of spaces collapsed and control characters removed, or None if empty.

    Most cells are clean already; they are recognised with one search and returned as they are.
    """
    if not value:
        return None
    if not _UNCLEAN.search(value) and not value[0].isspace() and not value[-1].isspace():
        return None if len(value) <= _LONGEST_NULL and value.lower() in NULL_MARKERS else value
    text = _CONTROL.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text).strip()
    return None if is_null(text) else text


def clean_repaired(value: str | None) -> str | None:
    """:func:`clean` after :func:`repair`, the usual treatment of a free-text cell."""
    return clean(repair(value)) if value else None
