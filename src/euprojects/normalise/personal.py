"""E-mail addresses and phone numbers in free text, replaced by a neutral marker.

Publishers' texts sometimes name a contact: a data-protection officer's e-mail and phone in
a deliverable's description, an e-mail in an organisation's street field. The portal shows,
indexes and exports every text, so these are removed at ingest and never stored.

A phone number is only recognised where nothing else can be meant: after an international
``+CC`` prefix, or after a label (``Tel.:``, ``phone``, ``fax``, ``mobile``, ``tlf``, ``puh``,
``gsm`` …). Texts are full of grant numbers, amounts, dates, years, PICs and postcodes, and a
bare run of digits is far more often one of those than a phone number.
"""

from __future__ import annotations

import re
from typing import NamedTuple

EMAIL_MARKER = "[e-mail removed]"
PHONE_MARKER = "[phone removed]"

_EMAIL = re.compile(r"(?<![\w.+%-])[\w.+%-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_LABEL = (
    r"(?:tel|tél|telephone|téléphone|telefon|telefone|telefono|teléfono|telf|tfn|phone|fax|telefax"
    r"|mobile|mobil|mob|cellphone|gsm|tlf|puh|puhelin)"
)
_SPACE = r"[ \t\u00a0\u202f]"
_NUMBER = rf"(?:\+|00)?{_SPACE}?\(?\d(?:[\d().\/-]|{_SPACE}){{4,24}}\d"
# "Tel.: ", "Tel/Fax: ", "phone (office): ", "puh. " before the number; no letters or digits between,
# and a few characters at most (which keeps might_hold's quick test exact).
_LABELLED = re.compile(
    rf"\b{_LABEL}(?:{_SPACE}{{0,3}}/{_SPACE}{{0,3}}{_LABEL}){{0,2}}\b\.?{_SPACE}{{0,3}}"
    rf"(?:\([^()\d\n]{{1,20}}\){_SPACE}{{0,3}})?[:.]?\s{{0,3}}(?P<number>{_NUMBER})",
    re.IGNORECASE,
)
_INTERNATIONAL = re.compile(rf"(?<![\w+])\+{_SPACE}?\d{{1,3}}(?:(?:{_SPACE}|[.\/-])?\(?\d+\)?){{2,}}")
_MIN_DIGITS = {_LABELLED: 6, _INTERNATIONAL: 8}
_MAX_DIGITS = 17  # ITU-T E.164 allows 15 digits, country code included; "00" may stand before them

# Every label above begins with one of these words.
_LABEL_STARTS = ("tel", "tél", "tfn", "phone", "fax", "mob", "gsm", "tlf", "puh")
# What every text holding an e-mail address or a phone number contains once in lower case, as a
# quick first test (four times faster than the same test ignoring case).
_MAYBE = re.compile("@|\\+|" + "|".join(_LABEL_STARTS))
# The same test on a record encoded as JSON, in bytes lowered to ASCII lower case ("TÉL" stays
# "tÉl"; lowering a copy is seven times faster than a pattern ignoring case): "@", "+", or the
# start of a label soon followed by a digit, "+" or "(". From the last label of a chain to its
# number there are only the label's other letters and a few dots, colons, spaces and escaped
# line breaks.
_LABEL_BYTES = sorted({form for w in _LABEL_STARTS for form in (w.encode(), w.upper().encode().lower())})
_GAP = rb"(?:[ .:/\x80-\xff]|\\[bfnrt]|\\u[0-9a-f]{4})"
_LABEL_NEAR_NUMBER = re.compile(b"(?:" + b"|".join(_LABEL_BYTES) + rb")[a-z\x80-\xff]{0,8}" + _GAP + rb"{0,30}[0-9+(]")


class Redacted(NamedTuple):
    """A text with its e-mail addresses and phone numbers replaced, and how many there were."""

    text: str
    emails: int = 0
    phones: int = 0


def might_hold(data: bytes) -> bool:
    """False when ``data``, a record encoded as JSON, cannot hold an e-mail address or a phone
    number: one test over the whole record, where the patterns would run on each of its texts."""
    return b"@" in data or b"+" in data or _LABEL_NEAR_NUMBER.search(data.lower()) is not None


def redact(text: str) -> Redacted:
    """The text with every e-mail address and phone number replaced by a marker."""
    if not _MAYBE.search(text.lower()):
        return Redacted(text)
    text, emails = _EMAIL.subn(EMAIL_MARKER, text)
    phones = 0
    for pattern in (_LABELLED, _INTERNATIONAL):
        text, found = _replace_numbers(pattern, text)
        phones += found
    return Redacted(text, emails, phones)


def _replace_numbers(pattern: re.Pattern[str], text: str) -> tuple[str, int]:
    """Replace the pattern's numbers that have as many digits as a phone number has."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        group = "number" if "number" in pattern.groupindex else 0
        digits = sum(c.isdigit() for c in match[group])
        if not _MIN_DIGITS[pattern] <= digits <= _MAX_DIGITS:
            return match[0]
        count += 1
        start, end = match.span(group)
        return match[0][: start - match.start()] + PHONE_MARKER + match[0][end - match.start() :]

    return pattern.sub(replace, text), count
