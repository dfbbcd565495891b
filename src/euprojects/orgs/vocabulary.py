"""One vocabulary of organisation types, and cities written tidily.

CORDIS classifies participants as HES (higher or secondary education), REC (research
organisation), PRC (private for-profit), PUB (public body) and OTH (other). Norway's register of
EU grants uses its own sectors; they are mapped here and the source's label is kept beside the code.
"""

from __future__ import annotations

import re

TYPES = {
    "HES": "Higher or secondary education",
    "REC": "Research organisation",
    "PRC": "Private for-profit company",
    "PUB": "Public body",
    "OTH": "Other",
}
# A source's own label → the CORDIS code (folded labels of the Research Council of Norway).
_LABELS = {
    "uoh-sektor": "HES",  # universities and university colleges
    "instituttsektor": "REC",  # research institutes
    "naeringsliv": "PRC",  # trade and industry
    "næringsliv": "PRC",
    "helseforetak": "PUB",  # the public health trusts
    "norges forskningsrad": "PUB",
    "norges forskningsråd": "PUB",
    "øvrige": "OTH",
    "ovrige": "OTH",
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SMALL = frozenset({"am", "an", "de", "der", "di", "du", "la", "le", "van", "von", "upon", "on", "sur", "en"})


def type_code(label: str | None) -> str | None:
    """The CORDIS code of a source's organisation type; None for a label not known."""
    if label is None:
        return None
    text = label.strip()
    if text.upper() in TYPES:
        return text.upper()
    return _LABELS.get(text.lower())


def tidy_city(city: str | None) -> str | None:
    """A city written in capitals (or all small letters) set in title case, the source's spelling
    kept letter for letter otherwise: ``DUN LAOGHAIRE`` → ``Dun Laoghaire``, ``Rio Patras`` stays."""
    if not city or not city.strip():
        return None
    text = " ".join(city.split())
    if text != text.upper() and text != text.lower():
        return text
    return _WORD.sub(_title_word, text.lower())


def _title_word(match: re.Match[str]) -> str:
    word = match.group(0)
    start = match.start()
    return word if start > 0 and word in _SMALL else word[:1].upper() + word[1:]
