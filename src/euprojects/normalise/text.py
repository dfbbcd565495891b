"""Text as sources deliver it: bytes in several encodings, mojibake, HTML, null markers."""

from __future__ import annotations

import re
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


def is_null(value: str | None) -> bool:
    """True for the ways sources write "no value": blank, NA, N/A, n.a., NULL, a dash."""
    return value is None or value.strip().lower() in NULL_MARKERS


class DecodeError(ValueError):
    """The bytes are not text in any of the encodings the source may use."""


def decode(data: bytes, encodings: Sequence[str] = ("utf-8",)) -> tuple[str, str]:
    """Decode bytes with the first encoding that fits; a UTF-8 BOM always wins.

    Returns the text and the encoding used. Single-byte code pages accept almost any byte,
    so list UTF-8 first and the source's legacy code page after it.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DecodeError("the file is UTF-16, which this format is never published in")
    if b"\x00" in data[:4096]:
        raise DecodeError("the file holds NUL bytes: it is binary, not text")
    failures = []
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as err:
            failures.append(f"{encoding} fails at byte {err.start}")
    raise DecodeError("not readable as " + "; ".join(failures))


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
