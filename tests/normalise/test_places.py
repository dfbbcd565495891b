"""Countries and NUTS codes as the real files write them."""

import unicodedata

import pytest

from euprojects.normalise.places import country_code, country_name, fold, nuts_code, nuts_country
from euprojects.normalise.text import without_accents
from euprojects.sources.common import slug


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("DE", "DE"),
        ("EL", "GR"),  # CORDIS' code for Greece
        ("UK", "GB"),  # and for the United Kingdom
        ("GR", "GR"),
        ("XK", "XK"),  # Kosovo, used by CORDIS
        ("Germany", "DE"),  # scraped CORDIS pages
        ("United Kingdom", "GB"),
        ("ΕΛΛΑΔΑ", "GR"),  # EL list of operations
        ("AUSTRIA", "AT"),  # AT list of operations
        ("Hrvatska", "HR"),
        ("Danmark", "DK"),
        ("Suomi", "FI"),
        ("Polska", "PL"),
        ("Österreich", "AT"),
        ("Czech Republic", "CZ"),
        ("Norge", "NO"),
        ("DEU", "DE"),
    ],
)
def test_codes_and_names(value: str, code: str) -> None:
    assert country_code(value) == code


@pytest.mark.parametrize("value", ["", None, "Atlantis", "QQ"])
def test_unknown_or_empty(value: str | None) -> None:
    assert country_code(value) is None


def test_names_for_display() -> None:
    assert country_name("GR") == "Greece"
    assert country_name("XK") == "Kosovo"


def test_nuts_from_the_greek_location_column() -> None:
    assert nuts_code("EL24-Στερεά Ελλάδα") == "EL24"
    assert nuts_country("EL24") == "GR"
    assert nuts_code("60660 - Dobl-Zwaring") is None


def test_fold_is_accent_and_case_insensitive() -> None:
    assert fold("Słubice") == fold("SLUBICE") == "slubice"
    assert fold("Université de Liège") == "universite de liege"


def test_fold_and_slug_take_accents_off_alike_and_differ_only_around_it() -> None:
    for name in ("Université de Liège", "Ελληνικό Ανοικτό Πανεπιστήμιο", "Øresund-Kattegat-Skagerrak", "Słubice"):
        bare = without_accents(name)
        assert not any(unicodedata.combining(c) for c in bare)
        assert fold(name) == fold(bare)  # fold adds only case, punctuation and ł/ø/ß spelt out
        assert slug(name) == slug(bare)  # slug adds only ASCII, hyphens, and drops the rest
    assert slug("Słubice - Frankfurt (Oder)") == "subice-frankfurt-oder"  # ids keep their form
    assert fold("Słubice - Frankfurt (Oder)") == "slubice frankfurt oder"
    assert slug("Ελληνικό") == "" and fold("Ελληνικό") == "ελληνικο"
