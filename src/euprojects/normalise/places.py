"""Countries and NUTS regions: ISO 3166-1 alpha-2 from codes and from names in the languages
of the data, with the EU's own codes (EL for Greece, UK for the United Kingdom) mapped."""

from __future__ import annotations

import gettext
import re
from functools import cache

import pycountry

from euprojects.normalise.text import without_accents

# The EU's Interinstitutional Style Guide codes that differ from ISO 3166-1.
EU_TO_ISO = {"EL": "GR", "UK": "GB"}
# Codes in use that ISO 3166-1 does not assign.
EXTRA_CODES = {"XK": "Kosovo"}
_LANGUAGES = (
    "de", "fr", "da", "el", "hr", "fi", "pl", "nb_NO", "nn", "sv", "es", "it", "nl", "pt",
    "cs", "sk", "sl", "hu", "ro", "bg", "et", "lv", "lt", "mt", "ga", "is", "tr",
)  # fmt: skip
_ALIASES = {
    "united kingdom": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "uk": "GB", "czech republic": "CZ", "russia": "RU", "turkey": "TR",
    "turkiye": "TR", "kosovo": "XK", "macedonia": "MK", "former yugoslav republic of macedonia": "MK",
    "fyrom": "MK", "moldova": "MD", "south korea": "KR", "korea": "KR", "north korea": "KP",
    "vietnam": "VN", "iran": "IR", "syria": "SY", "laos": "LA", "bolivia": "BO", "venezuela": "VE",
    "tanzania": "TZ", "taiwan": "TW", "palestine": "PS", "vatican": "VA", "holy see": "VA",
    "cape verde": "CV", "ivory coast": "CI", "cote d ivoire": "CI", "congo democratic republic": "CD",
    "democratic republic of the congo": "CD", "brunei": "BN", "micronesia": "FM", "usa": "US",
    "united states of america": "US", "the netherlands": "NL", "holland": "NL", "slovak republic": "SK",
    "swaziland": "SZ", "burma": "MM", "east timor": "TL", "hellas": "GR",
}  # fmt: skip
# Letters that carry their accent in the letter itself, so Unicode decomposition keeps them.
_UNDECOMPOSABLE = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i", "ħ": "h"}
)
_NUTS = re.compile(r"[A-Z]{2}[0-9A-Z]{0,3}")
_NOT_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation turned into single spaces: the key names are matched by.

    Most names and titles are plain ASCII, which has no accents to remove: they skip the
    character-by-character decomposition (an ingest folds every organisation name and title).
    """
    letters = text.lower() if text.isascii() else without_accents(text.casefold().translate(_UNDECOMPOSABLE))
    return " ".join(_NOT_WORD.sub(" ", letters).split())


@cache
def _names() -> dict[str, str]:
    """Folded country name → ISO code, over English and the translations pycountry ships."""
    table: dict[str, str] = {}
    for country in pycountry.countries:
        english = [country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)]
        for name in english:
            if name:
                table.setdefault(fold(name), country.alpha_2)
        for language in _LANGUAGES:
            translated = _translation(language).gettext(country.name)
            table.setdefault(fold(translated), country.alpha_2)
    for name, code in _ALIASES.items():
        table[fold(name)] = code
    return table


@cache
def _translation(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


@cache
def _alpha3() -> dict[str, str]:
    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


def country_code(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for a code (``DE``, ``EL``, ``DEU``) or a name in one of the data's
    languages (``Germany``, ``ΕΛΛΑΔΑ``, ``Hrvatska``); None when empty or unknown."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    upper = text.upper()
    if len(upper) == 2 and upper.isalpha():
        upper = EU_TO_ISO.get(upper, upper)
        if upper in EXTRA_CODES or pycountry.countries.get(alpha_2=upper) is not None:
            return upper
        return None
    if len(upper) == 3 and upper.isalpha() and upper in _alpha3():
        return _alpha3()[upper]
    return _names().get(fold(text))


def country_name(code: str | None) -> str | None:
    """English short name of an ISO code, for display."""
    if not code:
        return None
    if code in EXTRA_CODES:
        return EXTRA_CODES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return None
    return str(getattr(country, "common_name", None) or country.name)


def nuts_code(value: str | None) -> str | None:
    """A NUTS code in canonical form (``EL24``), taken from the front of ``EL24-Στερεά Ελλάδα``."""
    if value is None:
        return None
    head = re.split(r"[\s\-–:]", value.strip(), maxsplit=1)[0].upper()
    return head if _NUTS.fullmatch(head) and country_code(head[:2]) else None


def nuts_country(code: str | None) -> str | None:
    """ISO country of a NUTS code; NUTS uses EL and UK like the EU does."""
    return country_code(code[:2]) if code and len(code) >= 2 else None
