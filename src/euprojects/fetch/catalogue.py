"""What `euprojects fetch` knows how to get: each source, its publisher and the files it is made of.

Addresses are paths below the publisher's base URL, which is a setting
(``EUPROJECTS_CORDIS_URL``, ``EUPROJECTS_KEEP_URL``, ``EUPROJECTS_KOHESIO_URL``), so a mirror or a
test server can stand in for the publisher. CORDIS publishes one zip per framework programme
with its project, organisation, topic, legal-basis, EuroSciVoc and web-link tables; keep.eu
exports any search as a workbook and serves its Open Data API (with a key); Kohesio publishes
its beneficiary lists per country, with the pseudo-country ``TC`` for Interreg programmes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from euprojects.settings import Settings

Kind = Literal["zip", "xlsx", "json", "tsv", "csv"]

# The whole search body keep.eu's front end sends (formats/keep.md §3.2): a partial body is ignored,
# so every filter is sent empty and the export covers the whole database.
KEEP_SEARCH_BODY: dict[str, Any] = {
    "projects": {
        "status": None,
        "prizes": False,
        "only_projects_with_documents": False,
        "project_details": {"start": [], "end": [], "without_start": False, "without_end": False},
        "project_budget": {"range": [], "without_budget": False},
        "themes": {"list": [], "type": "or"},
        "macro_regional_strategies": [],
        "only_infrastructure_financed": False,
    },
    "programmes": {"type": [], "period": [], "available": []},
    "partners": {
        "status": [],
        "type": [],
        "nuts_lead": [],
        "nuts_partner": [],
        "nuts_search_type": "both",
        "selectedAreas": {},
    },
    "search": {"list": [], "type": None, "fields": [], "rawSearchString": ""},
    "location": None,
    "response_type": "excel",
}

# Kohesio's member states and the Interreg pseudo-country.
KOHESIO_COUNTRIES = [
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "EL",
    "ES",
    "FI",
    "FR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
    "TC",
]


@dataclass(frozen=True, slots=True)
class Remote:
    """One file a publisher serves: where (below the base URL), how to ask, and what it is."""

    path: str
    name: str
    kind: Kind
    method: Literal["GET", "POST"] = "GET"
    body: dict[str, Any] | None = None
    needs_key: bool = False
    # query parameters of the address (Kohesio names its files by ``?id=``)
    query: tuple[tuple[str, str], ...] = ()
    # a file the publisher may not have (404): skipped, not an error
    optional: bool = False

    @property
    def resumable(self) -> bool:
        """Only a plain GET can be asked for again from a byte offset (``Range``)."""
        return self.method == "GET" and not self.needs_key


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    publisher: Literal["cordis", "keep", "kohesio"]
    description: str
    files: tuple[Remote, ...] = field(default_factory=tuple)


def _cordis(code: str, label: str) -> Source:
    name = f"cordis-{code.lower()}"
    archive = f"cordis-{code}projects-csv.zip"
    return Source(
        name,
        "cordis",
        f"CORDIS {label}: projects, organisations, topics, legal basis, fields, links",
        (Remote(archive, archive, "zip"),),
    )


# Kohesio's project (operation) exports per programming period, served by its object API as
# ``api/data/object?id=data/projects-<period>/latest/<CC>-pp<yy>-<yy>-latest.csv``: the layout that
# third-party loaders of the exports use; a country without an export for a period answers 404.
KOHESIO_PERIODS = (("2021-2027", "21-27"), ("2014-2020", "14-20"))


def _kohesio(code: str) -> Source:
    whose = "Interreg programmes (TC)" if code == "TC" else code
    projects = tuple(
        Remote(
            "api/data/object",
            f"kohesio-projects-{code}-{period}.csv",
            "csv",
            query=(("id", f"data/projects-{period}/latest/{code}-pp{short}-latest.csv"),),
            optional=True,
        )
        for period, short in KOHESIO_PERIODS
    )
    return Source(
        f"kohesio-{code.lower()}",
        "kohesio",
        f"Kohesio projects (2014-2020, 2021-2027) and beneficiaries of {whose}",
        (Remote(f"api/export/beneficiaries/{code}.tsv", f"kohesio-beneficiaries-{code}.tsv", "tsv"), *projects),
    )


SOURCES: tuple[Source, ...] = (
    *(_cordis(f"fp{n}", f"FP{n}") for n in range(1, 8)),
    _cordis("h2020", "Horizon 2020"),
    _cordis("HORIZON", "Horizon Europe"),
    Source(
        "keep-export",
        "keep",
        "keep.eu: the XLSX export of an unfiltered search (projects and partners sheets)",
        (Remote("api/search/projects/", "keep-projects.xlsx", "xlsx", method="POST", body=KEEP_SEARCH_BODY),),
    ),
    Source(
        "keep-open-data",
        "keep",
        "keep.eu Open Data API: programmes, projects and partnerships as JSON (needs EUPROJECTS_KEEP_API_KEY)",
        (Remote("api/open-data", "keep-open-data.json", "json", needs_key=True),),
    ),
    *(_kohesio(code) for code in KOHESIO_COUNTRIES),
)

# Names that stand for several sources at once.
GROUPS: dict[str, tuple[str, ...]] = {
    "cordis": tuple(s.name for s in SOURCES if s.publisher == "cordis"),
    "kohesio": tuple(s.name for s in SOURCES if s.publisher == "kohesio"),
    "keep": ("keep-export",),
}


def base_url(settings: Settings, publisher: str) -> str:
    urls = {"cordis": settings.cordis_url, "keep": settings.keep_url, "kohesio": settings.kohesio_url}
    return urls[publisher].rstrip("/")


def url_of(settings: Settings, source: Source, remote: Remote) -> str:
    return f"{base_url(settings, source.publisher)}/{remote.path}"


class UnknownSource(ValueError):
    """A name on the command line that is neither a source nor a group."""


def resolve(names: list[str] | tuple[str, ...]) -> list[Source]:
    """The sources these names stand for (a source's name, or a group: ``cordis``, ``keep``,
    ``kohesio``), each once, in the order given."""
    by_name = {s.name: s for s in SOURCES}
    chosen: dict[str, Source] = {}
    for name in names:
        key = name.strip()
        wanted = GROUPS.get(key.lower()) or ((key.lower(),) if key.lower() in by_name else None)
        if wanted is None:
            known = ", ".join([*GROUPS, *by_name])
            raise UnknownSource(f"unknown source {name!r}; known: {known} (see euprojects fetch --list)")
        chosen.update((n, by_name[n]) for n in wanted)
    return list(chosen.values())
