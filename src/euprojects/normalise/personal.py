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
# "Tel.: ", "Tel/Fax: ", "phone (office): ", "puh. " before the number; no letters or digits between.
_LABELLED = re.compile(
    rf"\b{_LABEL}(?:{_SPACE}*/{_SPACE}*{_LABEL})*\b\.?{_SPACE}*(?:\([^()\d\n]{{1,20}}\){_SPACE}*)?[:.]?\s*"
    rf"(?P<number>{_NUMBER})",
    re.IGNORECASE,
)
_INTERNATIONAL = re.compile(rf"(?<![\w+])\+{_SPACE}?\d{{1,3}}(?:(?:{_SPACE}|[.\/-])?\(?\d+\)?){{2,}}")
_MIN_DIGITS = {_LABELLED: 6, _INTERNATIONAL: 8}
_MAX_DIGITS = 17  # ITU-T E.164 allows 15 digits, country code included; "00" may stand before them
# What every text holding an e-mail address or a phone number contains, as a quick first test.
_MAYBE = re.compile(r"@|\+|" + _LABEL, re.IGNORECASE)
# The same test on encoded records: "@", "+" or the start of a label, in bytes lowered to ASCII
# lower case ("TÉL" stays "tÉl"). Every label above begins with one of these words.
_LABEL_STARTS = ("tel", "tél", "tfn", "phone", "fax", "mob", "gsm", "tlf", "puh")
_BYTE_MARKS = (b"@", b"+", *sorted({form for w in _LABEL_STARTS for form in (w.encode(), w.upper().encode().lower())}))


class Redacted(NamedTuple):
    """A text with its e-mail addresses and phone numbers replaced, and how many there were."""

    text: str
    emails: int = 0
    phones: int = 0


def might_hold(data: bytes) -> bool:
    """False when UTF-8 ``data`` (a whole encoded record) cannot hold an e-mail address or a
    phone number: a substring test over a record is a hundred times faster than the patterns."""
    lowered = data.lower()
    return any(mark in lowered for mark in _BYTE_MARKS)


def redact(text: str) -> Redacted:
    """The text with every e-mail address and phone number replaced by a marker."""
    if not _MAYBE.search(text):
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
