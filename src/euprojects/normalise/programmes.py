"""The EU research programmes by code, each with one canonical English label.

Sources name one programme in many ways: CORDIS' legal basis writes "Research infrastructures"
where its H2020 tables write "Research Infrastructures"; Norway's list writes "Marie
Sklodowska-Curie actions" and its codes without the framework (``EU.1.3.``); the ERC's own lists
name neither a code nor a framework. Read here, a programme is found by its code first, then by
its label folded (case, accents, punctuation and spaces ignored), and named as CORDIS names it
today: Horizon Europe by its legal-basis titles, Horizon 2020 by CORDIS' programme titles, FP7 by
its specific programmes and themes, FP1–FP3 as frameworks. A programme that carries on from one
framework to the next (ERC, MSCA, research infrastructures, EIT, JRC, Euratom) has one label in
all of them, so a reader finds its periods side by side.

The table stops at the level readers filter by: each pillar's parts, and LEIT's six
technologies. A deeper code (``H2020-EU.3.3.2.4.``, an action line) is named by its nearest
listed ancestor, a code under no listed part by its framework (``H2020-EU.0.`` → Horizon 2020).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from euprojects.normalise.places import fold


class Framework(NamedTuple):
    label: str
    period: str


# Fund code → the framework programme's name and years; a framework is also a programme code.
FRAMEWORKS = {
    "FP1": Framework("First Framework Programme (FP1)", "1984-1987"),
    "FP2": Framework("Second Framework Programme (FP2)", "1987-1991"),
    "FP3": Framework("Third Framework Programme (FP3)", "1990-1994"),
    "FP7": Framework("Seventh Framework Programme (FP7)", "2007-2013"),
    "H2020": Framework("Horizon 2020", "2014-2020"),
    "HORIZON": Framework("Horizon Europe", "2021-2027"),
}

ERC = "European Research Council (ERC)"
MSCA = "Marie Skłodowska-Curie Actions (MSCA)"
INFRASTRUCTURES = "Research infrastructures"
EIT = "The European Institute of Innovation and Technology (EIT)"
JRC = "Non-nuclear direct actions of the Joint Research Centre (JRC)"
EURATOM = "Euratom Research and Training Programme (EURATOM)"

HORIZON_EUROPE = {
    "HORIZON.1": "Excellent Science",
    "HORIZON.1.1": ERC,
    "HORIZON.1.2": MSCA,
    "HORIZON.1.3": INFRASTRUCTURES,
    "HORIZON.2": "Global Challenges and European Industrial Competitiveness",
    "HORIZON.2.1": "Health",
    "HORIZON.2.2": "Culture, creativity and inclusive society",
    "HORIZON.2.3": "Civil Security for Society",
    "HORIZON.2.4": "Digital, Industry and Space",
    "HORIZON.2.5": "Climate, Energy and Mobility",
    "HORIZON.2.6": "Food, Bioeconomy Natural Resources, Agriculture and Environment",
    "HORIZON.2.7": JRC,
    "HORIZON.3": "Innovative Europe",
    "HORIZON.3.1": "The European Innovation Council (EIC)",
    "HORIZON.3.2": "European innovation ecosystems",
    "HORIZON.3.3": EIT,
    "HORIZON.4": "Widening participation and strengthening the European Research Area",
    "HORIZON.4.1": "Widening participation and spreading excellence",
    "HORIZON.4.2": "Reforming and enhancing the European R&I System",
    "EURATOM2027": EURATOM,
}
HORIZON_2020 = {
    "H2020-EU.1.": "Excellent Science",
    "H2020-EU.1.1.": ERC,
    "H2020-EU.1.2.": "Future and Emerging Technologies (FET)",
    "H2020-EU.1.3.": MSCA,
    "H2020-EU.1.4.": INFRASTRUCTURES,
    "H2020-EU.2.": "Industrial Leadership",
    "H2020-EU.2.1.": "Leadership in enabling and industrial technologies",
    "H2020-EU.2.1.1.": "Information and Communication Technologies (ICT)",
    "H2020-EU.2.1.2.": "Nanotechnologies",
    "H2020-EU.2.1.3.": "Advanced materials",
    "H2020-EU.2.1.4.": "Biotechnology",
    "H2020-EU.2.1.5.": "Advanced manufacturing and processing",
    "H2020-EU.2.1.6.": "Space",
    "H2020-EU.2.2.": "Access to risk finance",
    "H2020-EU.2.3.": "Innovation in SMEs",
    "H2020-EU.3.": "Societal Challenges",
    "H2020-EU.3.1.": "Health, demographic change and well-being",
    "H2020-EU.3.2.": (
        "Food security, sustainable agriculture and forestry, marine, maritime and inland water research, "
        "and the bioeconomy"
    ),
    "H2020-EU.3.3.": "Secure, clean and efficient energy",
    "H2020-EU.3.4.": "Smart, Green And Integrated Transport",
    "H2020-EU.3.5.": "Climate action, Environment, Resource Efficiency and Raw Materials",
    "H2020-EU.3.6.": "Europe In A Changing World - Inclusive, Innovative And Reflective Societies",
    "H2020-EU.3.7.": "Secure societies - Protecting freedom and security of Europe and its citizens",
    "H2020-EU.4.": "Spreading excellence and widening participation",
    "H2020-EU.5.": "Science with and for Society",
    "H2020-EU.6.": JRC,
    "H2020-EU.7.": EIT,
    "H2020-Euratom": EURATOM,
}
# FP7's specific programmes and themes, by CORDIS' programme code.
FP7 = {
    "FP7-HEALTH": "Cooperation - Health",
    "FP7-KBBE": "Cooperation - Food, Agriculture and Fisheries, and Biotechnology",
    "FP7-ICT": "Cooperation - Information and Communication Technologies",
    "FP7-NMP": "Cooperation - Nanosciences, Nanotechnologies, Materials and new Production Technologies",
    "FP7-ENERGY": "Cooperation - Energy",
    "FP7-ENVIRONMENT": "Cooperation - Environment (including Climate Change)",
    "FP7-TRANSPORT": "Cooperation - Transport (including Aeronautics)",
    "FP7-SSH": "Cooperation - Socio-economic Sciences and Humanities",
    "FP7-SPACE": "Cooperation - Space",
    "FP7-SECURITY": "Cooperation - Security",
    "FP7-IDEAS-ERC": ERC,
    "FP7-PEOPLE": "People - Marie Curie Actions",
    "FP7-INFRASTRUCTURES": "Capacities - Research Infrastructures",
    "FP7-SME": "Capacities - Research for the benefit of SMEs",
    "FP7-REGIONS": "Capacities - Regions of Knowledge",
    "FP7-REGPOT": "Capacities - Research Potential",
    "FP7-SIS": "Capacities - Science in Society",
    "FP7-COH": "Capacities - Support to the Coherent Development of Research Policies",
    "FP7-INCO": "Capacities - International Cooperation",
    "FP7-EURATOM-FISSION": "Euratom - Nuclear Fission and Radiation Protection",
    "FP7-EURATOM-FUSION": "Euratom - Fusion Energy",
}
# The one table: programme code → canonical label.
PROGRAMMES: dict[str, str] = {
    **{fund: framework.label for fund, framework in FRAMEWORKS.items()},
    **HORIZON_EUROPE,
    **HORIZON_2020,
    **FP7,
}
# Labels the data has besides the canonical ones that folding does not bring together.
OTHER_LABELS = {
    "Ideas - European Research Council (ERC)": "FP7-IDEAS-ERC",  # CORDIS' FP7 name of the ERC
    "Euratom": "H2020-Euratom",  # Norway's list and CORDIS' H2020 tables
}
# Code spellings → the code they stand for (after the ancestors are walked).
_SPELLINGS = {"EURATOM": "EURATOM2027"}  # Horizon Europe's Euratom parts: EURATOM.1.1.4
_LAST_PART = re.compile(r"[.-][^.-]*$")
_ABBREVIATION = re.compile(r"\s*\([^()]*\)$")


@dataclass(frozen=True, slots=True)
class Canonical:
    """A programme as the table names it; ``code`` is None for a label several frameworks share
    when the framework is not known (the ERC's grant lists name none)."""

    code: str | None
    label: str
    fund: str | None


def resolve(code: str | None, label: str | None = None, fund: str | None = None) -> Canonical | None:
    """The programme a source names by ``code`` (any spelling the sources use) or, failing that,
    by ``label`` within the framework ``fund``; None when neither is known here."""
    found = by_code(code) if code else None
    return found or (by_label(label, fund) if label else None)


def by_code(code: str) -> Canonical | None:
    """The listed programme of a code or of its nearest listed ancestor."""
    key = _key(code)
    while key:
        listed = _codes().get(_SPELLINGS.get(key, key))
        if listed:
            return Canonical(listed, PROGRAMMES[listed], fund_of(listed))
        key = _LAST_PART.sub("", key) if _LAST_PART.search(key) else ""
    return None


def by_label(label: str, fund: str | None = None) -> Canonical | None:
    """The programme whose label folds to ``label``'s, with or without a final "(ABBR)"; only
    programmes of ``fund`` when it is given. A label shared by frameworks comes without a code
    when ``fund`` does not choose one."""
    for variant in (label, _ABBREVIATION.sub("", label)):
        codes = [c for c in _labels().get(_fold(variant), ()) if fund is None or fund_of(c) == fund]
        labels = {PROGRAMMES[c] for c in codes}
        if len(codes) == 1:
            return Canonical(codes[0], PROGRAMMES[codes[0]], fund_of(codes[0]))
        if len(labels) == 1:
            return Canonical(None, labels.pop(), fund)
    return None


def name_of(code: str) -> str | None:
    """The canonical label of a code, for loaders whose sources publish codes only."""
    found = by_code(code)
    return found.label if found else None


def fund_of(code: str) -> str | None:
    """The framework (fund code) a listed programme code belongs to."""
    if code in FRAMEWORKS:
        return code
    if code.startswith(("HORIZON.", "EURATOM")):
        return "HORIZON"
    if code.startswith("H2020"):
        return "H2020"
    return "FP7" if code.startswith("FP7") else None


def _key(code: str) -> str:
    """One spelling for all: upper case, no final dot, the framework before Norway's ``EU.x.``."""
    key = code.strip().upper().rstrip(".")
    return "H2020-" + key if key.startswith("EU.") else key


def _fold(label: str) -> str:
    return fold(label).replace(" ", "")


@cache
def _codes() -> dict[str, str]:
    return {_key(code): code for code in PROGRAMMES}


@cache
def _labels() -> dict[str, tuple[str, ...]]:
    """Folded label → the codes it names (ERC's label names three)."""
    found: dict[str, list[str]] = {}
    named = [*((label, code) for code, label in PROGRAMMES.items()), *OTHER_LABELS.items()]
    for label, code in named:
        for variant in dict.fromkeys((label, _ABBREVIATION.sub("", label))):
            codes = found.setdefault(_fold(variant), [])
            if code not in codes:
                codes.append(code)
    return {key: tuple(codes) for key, codes in found.items()}
