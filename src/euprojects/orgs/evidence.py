"""When a name alone is too weak to link two organisations.

Many towns have a body of the same name (``Srednja strukovna škola``, ``Vodovod d.o.o.``, a
``Dom zdravlja``), and a university's faculties and a company's branches are often registered on
their own (Croatian faculties have their own OIB and PIC). Such names link only when the cities
agree. Words that one name has and the other lacks may not be a place, a number (``Paris 7``,
``Toulouse III``) or the part of a body (``fakultet``, ``department``, ``branch``): those name
another body, not another spelling.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable

from rapidfuzz import fuzz

from euprojects.normalise.places import fold

# Bodies that many towns have under one name: schools, kindergartens, hospitals and health
# centres, libraries, waterworks and utilities, fire brigades, parishes (folded, as in name keys).
GENERIC = frozenset(
    {
        "skola", "skole", "school", "schule", "ecole", "escuela", "escola", "scuola", "szkola", "skoli", "gimnazija",
        "gymnasium", "gimnazjum", "lycee", "liceo", "liceum", "lyceum", "vrtic", "kindergarten", "preschool",
        "zakladni", "osnovna", "srednja", "obrtnicka", "strukovna", "bolnica", "hospital", "krankenhaus", "ospedale",
        "szpital", "hopital", "klinikum", "zdravlja", "ambulanta", "knjiznica", "library", "bibliothek", "biblioteca",
        "vodovod", "komunalno", "komunalac", "vatrogasna", "vatrogasno", "zupa", "parish",
    }
)  # fmt: skip
# Words naming a part of a body, registered apart from it.
PARTS = frozenset(
    {
        "fakultet", "fakulteta", "faculty", "faculte", "facultad", "facolta", "fakultat", "wydzial", "department",
        "departement", "departamento", "dipartimento", "abteilung", "odjel", "odsjek", "katedra", "podruznica",
        "ogranak", "branch", "filiale", "filial", "sucursal", "zweigniederlassung", "niederlassung",
    }
)  # fmt: skip
_ROMAN = re.compile(r"^(i{1,3}|iv|v|vi{1,3}|ix|x{1,3})$")
_DIGIT = re.compile(r"\d")


def is_generic(key: str, places: frozenset[str] = frozenset()) -> bool:
    """Whether the name is one many towns' bodies have, or names a part of a body, and carries
    no place (``Srednja strukovna škola``, not ``Srednja strukovna škola Samobor``)."""
    words = key.split()
    return any(w in GENERIC or w in PARTS for w in words) and not any(is_place(w, places) for w in words)


def is_place(word: str, places: Container[str]) -> bool:
    """A town's name, inflected too (``zagrebu``, ``osijeku``: in Zagreb, in Osijek)."""
    return word in places or (len(word) > 5 and (word[:-1] in places or word[:-2] in places))


def cities_agree(a: str | None, b: str | None) -> bool:
    """Both cities given and alike (``Zagreb``, ``ZAGREB 10000``; ``Rennes``, ``RENNES CEDEX``)."""
    ca, cb = fold(a or ""), fold(b or "")
    return bool(ca and cb) and fuzz.partial_ratio(ca, cb) >= 80


def distinguishing(words: Iterable[str], places: Container[str] = frozenset()) -> bool:
    """Whether a word one name has and the other lacks names another body: a number, a place
    among ``places``, the part of a body, a school or a hospital (``Klinikum der Universität``)."""
    return any(_DIGIT.search(w) or _ROMAN.match(w) or w in PARTS or w in GENERIC or is_place(w, places) for w in words)


def place_words(cities: Iterable[str | None]) -> frozenset[str]:
    """The words of cities, of four letters or more, that a name may carry (``samobor``, ``osijek``)."""
    words: set[str] = set()
    for city in cities:
        if city:
            words.update(w for w in fold(city).split() if len(w) >= 4 and w.isalpha())
    return frozenset(words)
