"""Filters: what a search can be restricted to, from ``--filter NAME=VALUE``, API parameters or
``name:value`` in the query. Several values of one filter are alternatives (OR); different
filters must all hold (AND)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import tantivy

from euprojects.model import Status
from euprojects.normalise.places import country_code
from euprojects.search.query import FieldFilter, QueryError

Range = tuple[float | None, float | None]


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """A filter name, the index field it reads and the kind of value it takes."""

    name: str
    field: str
    kind: str  # keyword | year | amount | flag
    help: str


SPECS: dict[str, FilterSpec] = {
    spec.name: spec
    for spec in (
        FilterSpec("source", "source", "keyword", "publisher: keep, cordis, erc, os-dk, …"),
        FilterSpec("programme", "programme", "keyword", "programme name as listed in the programme facet"),
        FilterSpec("period", "period", "keyword", "programming period, e.g. 2014-2020"),
        FilterSpec("fund", "fund", "keyword", "fund or framework: ERDF, ESF, CF, FP7, H2020, HORIZON, …"),
        FilterSpec("country", "country", "keyword", "country of any partner: ISO code or name"),
        FilterSpec("lead_country", "lead_country", "keyword", "country of the lead partner"),
        FilterSpec("nuts", "nuts", "keyword", "NUTS region or any of its parents, e.g. EL or EL24"),
        FilterSpec("org", "org", "keyword", "organisation id, e.g. pic:999822263"),
        FilterSpec("org_type", "org_type", "keyword", "type of a partner organisation, e.g. HES"),
        FilterSpec("status", "status", "keyword", "planned, ongoing, finished or cancelled"),
        FilterSpec("start_year", "start_year", "year", "start year or range: 2014, 2014..2020, ..2010"),
        FilterSpec("end_year", "end_year", "year", "end year or range"),
        FilterSpec("eu_contribution", "eu_contribution", "amount", "EU contribution in EUR: 100000..500000"),
        FilterSpec("budget", "total_cost", "amount", "total budget in EUR: 1000000.."),
        FilterSpec("has_website", "has_website", "flag", "true or false"),
        FilterSpec("has_partners", "has_partners", "flag", "true or false"),
        FilterSpec("id", "id", "keyword", "project id"),
    )
}
QUERY_SCOPES = {
    "country": "country",
    "lead": "lead_country",
    "start": "start_year",
    "end": "end_year",
    "status": "status",
    "source": "source",
    "period": "period",
    "fund": "fund",
    "nuts": "nuts",
    "id": "id",
}
_RANGE = re.compile(r"^\s*([^.]*?)\s*(\.\.)\s*([^.]*?)\s*$")
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


@dataclass(frozen=True, slots=True)
class Selection:
    """The parsed values of one filter."""

    spec: FilterSpec
    values: tuple[str, ...] = ()
    range: Range | None = None
    flag: bool | None = None


def spec_for(name: str) -> FilterSpec:
    spec = SPECS.get(name)
    if spec is None:
        raise QueryError(f"unknown filter {name!r}; filters: {', '.join(SPECS)}")
    return spec


def select(name: str, values: Iterable[str]) -> Selection:
    """Parse the values given for one filter; QueryError names the filter and the bad value."""
    spec = spec_for(name)
    raw = [v for v in values if v is not None and str(v).strip()]
    if not raw:
        raise QueryError(f"{name}: needs a value ({spec.help})")
    if spec.kind == "keyword":
        return Selection(spec, values=tuple(dict.fromkeys(_keyword(spec, v) for v in raw)))
    if spec.kind == "flag":
        return Selection(spec, flag=_flag(name, raw[-1]))
    return Selection(spec, range=_range(spec, raw[-1]))


def selections(given: Mapping[str, Iterable[str]], in_query: Iterable[FieldFilter] = ()) -> dict[str, Selection]:
    """Filters from parameters and from the query text, merged per filter name."""
    values: dict[str, list[str]] = {name: list(v) for name, v in given.items()}
    for item in in_query:
        values.setdefault(QUERY_SCOPES[item.name], []).append(item.value)
    return {name: select(name, vals) for name, vals in values.items()}


def _keyword(spec: FilterSpec, value: str) -> str:
    text = str(value).strip()
    if spec.name in ("country", "lead_country"):
        code = country_code(text)
        if code is None:
            raise QueryError(f"{spec.name}: {text!r} is not a country (use an ISO code like FI or a name)")
        return code
    if spec.name == "status":
        lowered = text.lower()
        if lowered not in {s.value for s in Status}:
            raise QueryError(f"status: {text!r} is not one of {', '.join(s.value for s in Status)}")
        return lowered
    if spec.name == "period":
        return re.sub(r"\s*-\s*", "-", text)
    if spec.name == "nuts":
        return text.upper()
    if spec.name == "source":
        return text.lower()
    return text


def _flag(name: str, value: str) -> bool:
    lowered = str(value).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise QueryError(f"{name}: {value!r} is not true or false")


def _range(spec: FilterSpec, value: str) -> Range:
    text = str(value).strip()
    match = _RANGE.match(text)
    low, high = (match[1], match[3]) if match else (text, text)
    bounds = (_number(spec, low, text), _number(spec, high, text))
    if bounds == (None, None):
        raise QueryError(f"{spec.name}: {text!r} gives no bound ({spec.help})")
    if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
        raise QueryError(f"{spec.name}: {text!r} starts after it ends")
    return bounds


def _number(spec: FilterSpec, text: str, whole: str) -> float | None:
    if not text:
        return None
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace("_", "")
    try:
        number = float(cleaned) if spec.kind == "amount" else int(cleaned)
    except ValueError:
        unit = "a year" if spec.kind == "year" else "an amount"
        raise QueryError(f"{spec.name}: {whole!r} is not {unit} ({spec.help})") from None
    if spec.kind == "year" and not 1900 <= number <= 2100:
        raise QueryError(f"{spec.name}: {whole!r} is not a year between 1900 and 2100")
    return number


def to_query(selection: Selection, schema: tantivy.Schema) -> tantivy.Query:
    """The index query for one filter."""
    spec = selection.spec
    if spec.kind == "keyword":
        return tantivy.Query.term_set_query(schema, spec.field, list(selection.values))
    if spec.kind == "flag":
        return tantivy.Query.term_query(schema, spec.field, int(bool(selection.flag)))
    low, high = selection.range or (None, None)
    if spec.kind == "year":
        return tantivy.Query.range_query(
            schema,
            spec.field,
            tantivy.FieldType.Integer,
            int(low) if low is not None else -(2**62),
            int(high) if high is not None else 2**62,
        )
    return tantivy.Query.range_query(
        schema,
        spec.field,
        tantivy.FieldType.Float,
        float(low) if low is not None else -1e300,
        float(high) if high is not None else 1e300,
    )
