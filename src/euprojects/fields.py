"""Every filter, facet and sort order of a search, declared once.

The index (its schema and each project's document), the query language (``country:FI``), the
API's parameters and their OpenAPI schema, the search form, the facet lists with their labels,
and the docs all read these declarations. Adding a facet means adding one :class:`Field` here.

A field's :class:`Kind` says what its values are: keywords (several values are alternatives),
a range of years or euros (``2014..2020``), or a yes/no flag. The kind parses what a user
gives, builds the index query, and tells facets and the API what type the values have.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import tantivy

from euprojects import vocabulary
from euprojects.errors import QueryError
from euprojects.model import Organisation, Project, Status
from euprojects.normalise.money import to_eur
from euprojects.normalise.places import country_code, country_name

Range = tuple[float | None, float | None]
_RANGE = re.compile(r"^\s*([^.]*?)\s*(\.\.)\s*([^.]*?)\s*$")
TRUE = ("true", "yes", "1", "on")
FALSE = ("false", "no", "0", "off")


@dataclass(frozen=True, slots=True)
class Selection:
    """The parsed values of one field: keywords, a range or a flag."""

    field: Field
    values: tuple[str, ...] = ()
    range: Range | None = None
    flag: bool | None = None


class Kind(ABC):
    """What values a field takes; subclasses parse them and build the index query.

    ``stored_as`` is the index field's type: ``keyword`` (exact text), ``integer`` or ``float``.
    """

    name = ""
    stored_as = "keyword"
    schema: ClassVar[dict[str, Any]] = {"type": "string"}

    @abstractmethod
    def select(self, spec: Field, raw: list[str]) -> Selection:
        """Parse what a user gave for ``spec``; QueryError names the field and the bad value."""

    @abstractmethod
    def query(self, selection: Selection, schema: tantivy.Schema) -> tantivy.Query:
        """The index query that keeps the selected projects."""

    def facet_filter(self, selection: Selection) -> str | None:
        """The selection in Tantivy's query syntax, for a filtered aggregation; None if it cannot
        be written safely there."""
        return None

    def typed(self, value: str) -> str | int:
        """A facet value as the index stores it."""
        return value


class Keywords(Kind):
    name = "keyword"

    def select(self, spec: Field, raw: list[str]) -> Selection:
        return Selection(spec, values=tuple(dict.fromkeys(spec.normalise(str(v).strip()) for v in raw)))

    def query(self, selection: Selection, schema: tantivy.Schema) -> tantivy.Query:
        return tantivy.Query.term_set_query(schema, selection.field.index, list(selection.values))

    def facet_filter(self, selection: Selection) -> str | None:
        if any('"' in v or "\\" in v for v in selection.values):
            return None
        return " OR ".join(f'{selection.field.index}:"{value}"' for value in selection.values)


class Numbers(Kind):
    """A range of whole years or of euro amounts: ``2014``, ``2014..2020``, ``..2010``."""

    def __init__(self, name: str, whole: bool, low: float, high: float) -> None:
        self.name, self.whole, self.low, self.high = name, whole, low, high
        self.stored_as = "integer" if whole else "float"
        self.schema = {"type": "string", "pattern": r"^\s*[0-9 _.]*(\.\.[0-9 _.]*)?\s*$"}  # type: ignore[misc]

    def select(self, spec: Field, raw: list[str]) -> Selection:
        text = str(raw[-1]).strip()
        match = _RANGE.match(text)
        low, high = (match[1], match[3]) if match else (text, text)
        bounds = (self._number(spec, low, text), self._number(spec, high, text))
        if bounds == (None, None):
            raise QueryError(f"{spec.name}: {text!r} gives no bound ({spec.help})")
        if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
            raise QueryError(f"{spec.name}: {text!r} starts after it ends")
        return Selection(spec, range=bounds)

    def _number(self, spec: Field, text: str, whole: str) -> float | None:
        if not text:
            return None
        cleaned = text.replace(" ", "").replace("\u00a0", "").replace("_", "")
        try:
            number = int(cleaned) if self.whole else float(cleaned)
        except ValueError:
            unit = "a year" if self.whole else "an amount"
            raise QueryError(f"{spec.name}: {whole!r} is not {unit} ({spec.help})") from None
        if not self.low <= number <= self.high:
            raise QueryError(f"{spec.name}: {whole!r} is not between {self.low:g} and {self.high:g}")
        return number

    def query(self, selection: Selection, schema: tantivy.Schema) -> tantivy.Query:
        low, high = selection.range or (None, None)
        if self.whole:
            return tantivy.Query.range_query(
                schema,
                selection.field.index,
                tantivy.FieldType.Integer,
                int(low) if low is not None else -(2**62),
                int(high) if high is not None else 2**62,
            )
        return tantivy.Query.range_query(
            schema,
            selection.field.index,
            tantivy.FieldType.Float,
            float(low) if low is not None else -1e300,
            float(high) if high is not None else 1e300,
        )

    def facet_filter(self, selection: Selection) -> str | None:
        if not self.whole or selection.range is None:
            return None
        low, high = selection.range
        low_text = int(low) if low is not None else int(self.low)
        high_text = int(high) if high is not None else int(self.high)
        return f"{selection.field.index}:[{low_text} TO {high_text}]"

    def typed(self, value: str) -> str | int:
        return int(value) if self.whole else value


class Flag(Kind):
    name = "flag"
    stored_as = "integer"
    schema: ClassVar[dict[str, Any]] = {"type": "string", "enum": [*TRUE, *FALSE]}

    def select(self, spec: Field, raw: list[str]) -> Selection:
        lowered = str(raw[-1]).strip().lower()
        if lowered not in TRUE and lowered not in FALSE:
            raise QueryError(f"{spec.name}: {raw[-1]!r} is not true or false")
        return Selection(spec, flag=lowered in TRUE)

    def query(self, selection: Selection, schema: tantivy.Schema) -> tantivy.Query:
        return tantivy.Query.term_query(schema, selection.field.index, int(bool(selection.flag)))


KEYWORDS = Keywords()
YEARS = Numbers("year", whole=True, low=1900, high=2100)
EUROS = Numbers("amount", whole=False, low=0, high=1e13)
FLAG = Flag()


def _as_is(value: str) -> str:
    return value


@dataclass(frozen=True, slots=True)
class Field:
    """One way to narrow a search, and maybe a facet that counts its values.

    ``index`` is the index field it reads; ``scope`` its name in the query language
    (``start:2014``); ``normalise`` turns what a user typed into the indexed value (or raises
    QueryError); ``display`` gives a value's label; ``form`` puts it among the search form's
    "More filters"; ``newest_first`` lists facet values by value, descending, not by count;
    ``value`` reads the field's value (or values) from a project for its index document.
    ``statistics`` says how the statistics page breaks its figures down by the field (``"bars"``
    a chart, ``"map"`` on the maps, ``"timeline"`` the axis of figures over time), ``stacks``
    that figures over time are stacked by its values.
    """

    name: str
    label: str
    index: str
    kind: Kind
    help: str
    example: str
    scope: str | None = None
    facet: bool = False
    default_facet: bool = False
    newest_first: bool = False
    form: bool = False
    normalise: Callable[[str], str] = field(default=_as_is)
    display: Callable[[str], str] = field(default=_as_is)
    value: Callable[[Project], object] = field(default=lambda project: None)
    statistics: Literal["bars", "map", "timeline"] | None = None
    stacks: bool = False

    def select(self, values: Iterable[str]) -> Selection:
        """Parse the values given for this field; QueryError names the field and the bad value."""
        raw = [v for v in values if v is not None and str(v).strip()]
        if not raw:
            raise QueryError(f"{self.name}: needs a value ({self.help})")
        return self.kind.select(self, raw)


def _country(name: str) -> Callable[[str], str]:
    def normalise(text: str) -> str:
        code = country_code(text)
        if code is None:
            raise QueryError(f"{name}: {text!r} is not a country (use an ISO code like FI or a name)")
        return code

    return normalise


def _status(text: str) -> str:
    lowered = text.lower()
    if lowered not in {s.value for s in Status}:
        raise QueryError(f"status: {text!r} is not one of {', '.join(s.value for s in Status)}")
    return lowered


def _labelled(table: dict[str, str]) -> Callable[[str], str]:
    return lambda value: table.get(value, value)


def _country_label(code: str) -> str:
    return country_name(code) or code


def nuts_prefixes(codes: list[str]) -> list[str]:
    """Every level of each NUTS code (``EL24`` → EL, EL2, EL24) so a prefix filter is a term match."""
    return sorted({code[:n] for code in codes for n in range(2, len(code) + 1)})


def _status_of(project: Project) -> str | None:
    status = project.effective_status()
    return status.value if status else None


def _orgs(project: Project) -> list[Organisation]:
    return [p.organisation for p in project.participations]


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("source", "Source", "source", KEYWORDS, "publisher: keep, cordis, erc, interreg, os-dk, …", "cordis",
              scope="source", facet=True, default_facet=True, normalise=str.lower,
              display=_labelled(vocabulary.SOURCES), statistics="bars", stacks=True,
              value=lambda p: p.source),
        Field("programme", "Programme", "programme", KEYWORDS, "programme name as listed in the programme facet",
              "Interreg North Sea", facet=True, default_facet=True, statistics="bars", value=lambda p: p.programme),
        Field("period", "Period", "period", KEYWORDS, "programming period, e.g. 2014-2020", "2014-2020",
              scope="period", facet=True, default_facet=True, normalise=lambda t: re.sub(r"\s*-\s*", "-", t),
              statistics="bars",
              value=lambda p: p.period),
        Field("fund", "Fund", "fund", KEYWORDS, "fund or framework: ERDF, ESF, CF, FP7, H2020, HORIZON, …", "ERDF",
              scope="fund", facet=True, display=_labelled(vocabulary.FUNDS), statistics="bars", stacks=True,
              value=lambda p: p.fund),
        Field("country", "Partner country", "country", KEYWORDS, "country of any partner: ISO code or name", "EE",
              scope="country", facet=True, default_facet=True, normalise=_country("country"), display=_country_label,
              statistics="map",
              value=lambda p: p.countries),
        Field("lead_country", "Lead partner country", "lead_country", KEYWORDS, "country of the lead partner", "FI",
              scope="lead", facet=True, normalise=_country("lead_country"), display=_country_label,
              statistics="bars",
              value=lambda p: p.lead.organisation.country if p.lead else None),
        Field("nuts", "Region (NUTS)", "nuts", KEYWORDS, "NUTS region or any of its parents, e.g. EL or EL24", "EL24",
              scope="nuts", normalise=str.upper,
              statistics="map",
              value=lambda p: nuts_prefixes(p.nuts + [o.nuts for o in _orgs(p) if o.nuts])),
        Field("org", "Organisation", "org", KEYWORDS, "organisation id, e.g. pic:999822263", "pic:999822263",
              value=lambda p: [o.id for o in _orgs(p)]),
        Field("org_type", "Organisation type", "org_type", KEYWORDS, "type of a partner organisation, e.g. HES", "HES",
              facet=True, default_facet=True, display=_labelled(vocabulary.ORGANISATION_TYPES),
              statistics="bars",
              value=lambda p: sorted({o.type for o in _orgs(p) if o.type})),
        Field("status", "Status", "status", KEYWORDS, "planned, ongoing, finished or cancelled", "ongoing",
              scope="status", facet=True, default_facet=True, normalise=_status,
              display=_labelled(vocabulary.STATUSES), statistics="bars",
              value=_status_of),
        Field("start_year", "Start year", "start_year", YEARS, "start year or range: 2014, 2014..2020, ..2010",
              "2014..2020", scope="start", facet=True, default_facet=True, newest_first=True, form=True,
              statistics="timeline",
              value=lambda p: p.start_date.year if p.start_date else None),
        Field("end_year", "End year", "end_year", YEARS, "end year or range", "..2010", scope="end", form=True,
              value=lambda p: p.end_date.year if p.end_date else None),
        Field("eu_contribution", "EU contribution (EUR)", "eu_contribution", EUROS,
              "EU contribution in EUR: 100000..500000", "100000..500000", form=True,
              value=lambda p: to_eur(p.eu_contribution)),
        Field("budget", "Budget (EUR)", "total_cost", EUROS, "total budget in EUR: 1000000..", "1000000..", form=True,
              value=lambda p: to_eur(p.total_cost)),
        Field("has_website", "Has a website", "has_website", FLAG, "true or false", "true", form=True,
              value=lambda p: int(bool(p.website))),
        Field("has_partners", "Lists partners", "has_partners", FLAG, "true or false", "true", form=True,
              value=lambda p: int(bool(p.participations))),
        Field("withdrawn", "Withdrawn", "withdrawn", FLAG,
              "true for projects their source no longer lists (left out of a search that does not ask)", "true",
              scope="withdrawn", form=True, value=lambda p: int(p.withdrawn is not None)),
        Field("id", "Project", "id", KEYWORDS, "project id", "cordis:101000001", scope="id", value=lambda p: p.id),
    )
}  # fmt: skip
FACETS: tuple[str, ...] = ()
DEFAULT_FACETS: tuple[str, ...] = ()
SCOPES: dict[str, Field] = {}


def register(*added: Field) -> None:
    """Declare more fields, before the modules that read the declarations are imported (the
    index, search and web layers take their tables from here when they load)."""
    global FACETS, DEFAULT_FACETS, SCOPES
    FIELDS.update((f.name, f) for f in added)
    FACETS = tuple(name for name, f in FIELDS.items() if f.facet)
    DEFAULT_FACETS = tuple(name for name, f in FIELDS.items() if f.default_facet)
    SCOPES = {f.scope: f for f in FIELDS.values() if f.scope}


register()


def field_for(name: str) -> Field:
    found = FIELDS.get(name)
    if found is None:
        raise QueryError(f"unknown filter {name!r}; filters: {', '.join(FIELDS)}")
    return found


def facet_for(name: str) -> Field:
    found = FIELDS.get(name)
    if found is None or not found.facet:
        raise QueryError(f"facet: {name!r} is not one of {', '.join(FACETS)}")
    return found


@dataclass(frozen=True, slots=True)
class Sort:
    """An order of hits: ``index`` is its sort-key field; ``keyed`` cursors carry the last key
    shown (field sorts) rather than an offset (relevance, title)."""

    name: str
    label: str
    index: str | None
    descending: bool
    keyed: bool


SORTS: dict[str, Sort] = {
    s.name: s
    for s in (
        Sort("relevance", "Relevance", None, True, False),
        Sort("-start_date", "Newest start", "sort_start_date_d", True, True),
        Sort("start_date", "Oldest start", "sort_start_date_a", False, True),
        Sort("-end_date", "Latest end", "sort_end_date_d", True, True),
        Sort("end_date", "Earliest end", "sort_end_date_a", False, True),
        Sort("-eu_contribution", "Largest EU contribution", "sort_eu_contribution_d", True, True),
        Sort("eu_contribution", "Smallest EU contribution", "sort_eu_contribution_a", False, True),
        Sort("-budget", "Largest budget", "sort_budget_d", True, True),
        Sort("budget", "Smallest budget", "sort_budget_a", False, True),
        Sort("title", "Title A–Z", "title_sort_a", False, False),
        Sort("-title", "Title Z–A", "title_sort_d", True, False),
    )
}


def sort_for(name: str) -> Sort:
    found = SORTS.get(name)
    if found is None:
        raise QueryError(f"sort: {name!r} is not one of {', '.join(SORTS)}")
    return found


def label(name: str) -> str:
    """A field's label for readers; a name nothing declares reads as words."""
    found = FIELDS.get(name)
    return found.label if found else name.replace("_", " ").capitalize()


def value_label(name: str, value: str) -> str:
    """How a field's value reads: a country's name, a source's or fund's full name."""
    found = FIELDS.get(name)
    return found.display(value) if found else value
