"""Statistics of a search, or of all the data, from the search index in a few aggregations.

A search's statistics count exactly the projects the search page lists for the same query and
filters (``Searcher.match_query``), so a page of statistics and its search are one click apart.
Figures per project come from terms aggregations of the project's own fields, with the sum of
its EU contribution in euro: every listed project is one real project (twins are joined before
they are indexed), so it counts once. Participations and distinct organisations come from the
statistics fields of each document (``stats/document.py``).
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import msgspec
import tantivy

from euprojects import vocabulary
from euprojects.fields import FIELDS, value_label
from euprojects.search import Searcher, SearchRequest
from euprojects.stats import document
from euprojects.stats.document import ORGANISATIONS, PAIRS, PARTICIPATIONS, PARTITIONS, PLACES, SEPARATOR

BUCKET_LIMIT = 60_000  # Tantivy refuses more than 65,000 buckets in one aggregation
EU = "eu_contribution"
_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stats")


@dataclass(frozen=True, slots=True)
class Dimension:
    """One way to break figures down: ``index`` is the project field counted (projects and EU
    contribution), ``letter`` the participations' dimension (participations, organisations);
    ``by_value`` rows are ordered by their value (years), others by how much they hold."""

    name: str
    label: str
    index: str | None
    letter: str | None
    by_value: bool = False


def _dimensions() -> dict[str, Dimension]:
    """The search fields the registry declares for statistics, and partners' roles (a
    participation's, not a project's)."""
    letters = {name: letter for letter, name in document.DIMENSIONS.items()}
    declared = [
        Dimension(f.name, f.label, f.index, letters.get(f.name), by_value=f.statistics == "timeline")
        for f in FIELDS.values()
        if f.statistics
    ]
    return {d.name: d for d in (*declared, Dimension("role", "Role", None, letters["role"]))}


DIMENSIONS = _dimensions()
TIMELINE = next(f for f in FIELDS.values() if f.statistics == "timeline")  # the axis of figures over time
STACKS = tuple(f.name for f in FIELDS.values() if f.stacks)  # what figures over time are stacked by


class Row(msgspec.Struct, omit_defaults=True):
    value: str
    label: str
    projects: int | None = None
    eu_contribution_eur: float | None = None
    participations: int | None = None
    organisations: int | None = None


class YearRow(msgspec.Struct):
    year: int
    projects: dict[str, int]
    eu_contribution_eur: dict[str, float]


class Link(msgspec.Struct):
    """Two partner countries and the projects they share."""

    a: str
    b: str
    projects: int


class Place(msgspec.Struct, array_like=True):
    """Where partners are (to a tenth of a degree), and how many of the projects have one there."""

    latitude: float
    longitude: float
    projects: int


class Totals(msgspec.Struct):
    projects: int
    eu_contribution_eur: float
    projects_with_eu_contribution: int
    participations: int
    organisations: int


class Statistics(msgspec.Struct):
    query: str
    filters: dict[str, list[str]]
    relaxed: bool
    totals: Totals
    by: dict[str, list[Row]]
    over_time: dict[str, list[YearRow]]
    links: list[Link]
    places: list[Place] = []


def _terms(field: str, **extra: Any) -> dict[str, Any]:
    return {"terms": {"field": field, "size": BUCKET_LIMIT, "segment_size": BUCKET_LIMIT, **extra}}


def _with_eu(request: dict[str, Any]) -> dict[str, Any]:
    return {**request, "aggs": {"eu": {"sum": {"field": EU}}}}


def project_request() -> dict[str, Any]:
    """Totals, each dimension's projects and EU contribution, and both stacks by start year."""
    request: dict[str, Any] = {
        "eu": {"sum": {"field": EU}},
        "eu_known": {"value_count": {"field": EU}},
    }
    for dimension in DIMENSIONS.values():
        if dimension.index:
            request[f"by:{dimension.name}"] = _with_eu(_terms(dimension.index))
    for stack in STACKS:
        request[f"years:{stack}"] = {**_terms(TIMELINE.index), "aggs": {"by": _with_eu(_terms(FIELDS[stack].index))}}
    return request


def partner_request() -> dict[str, Any]:
    return {"participations": _terms(PARTICIPATIONS), "pairs": _terms(PAIRS), "places": _terms(PLACES)}


def organisation_request(partitions: Iterable[int]) -> dict[str, Any]:
    """Distinct organisations of these partitions; of all of them, with no ``include`` pattern
    (matching it against the terms of every segment took as long as a small search's counting)."""
    chosen = sorted(set(partitions))
    if chosen == list(range(PARTITIONS)):
        return {"orgs": _terms(ORGANISATIONS)}
    pattern = "|".join(f"{p:x}" for p in chosen)
    return {"orgs": _terms(ORGANISATIONS, include=f"({pattern}){SEPARATOR}.*")}


def _key(bucket: dict[str, Any]) -> str:
    key = bucket["key"]
    return str(int(key)) if isinstance(key, float) and key.is_integer() else str(key)


def _eu(bucket: dict[str, Any]) -> float:
    return round(float(bucket.get("eu", {}).get("value") or 0.0), 2)


class StatisticsEngine:
    """Statistics over a searcher's index, cached by index state and request."""

    def __init__(self, searcher: Searcher, cache_size: int = 64, bucket_limit: int = BUCKET_LIMIT) -> None:
        self.searcher = searcher
        self.cache_size = cache_size
        self.bucket_limit = bucket_limit  # of organisations per aggregation
        self._cache: dict[tuple[float | None, bytes], Statistics] = {}
        self._plans: dict[float | None, list[list[int]]] = {}
        self._lock = threading.Lock()

    def compute(
        self, query: str = "", filters: dict[str, list[str]] | None = None, organisations: bool = True
    ) -> Statistics:
        """Statistics of the projects a search for ``query`` with ``filters`` lists; without
        ``organisations``, distinct organisations are not counted (0), which costs most."""
        request = SearchRequest(query=query, filters=filters or {}, facets=(), limit=0)
        # The cache first: counting the matches of all the data took 7 ms at 1M projects, seven
        # times what the cached answer costs. The stamp is read before the search, so an answer is
        # never kept under a newer index than the one it was computed from.
        key = (self.searcher.fresh_stamp(), _key_encoder.encode((query, request.filters, organisations)))
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        searcher, match, total, relaxed = self.searcher.match_query(request)
        found = self._compute(searcher, match, total, relaxed, request, organisations)
        if not self.cache_size:
            return found
        with self._lock:
            if len(self._cache) >= self.cache_size:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = found
        return found

    def _compute(
        self,
        searcher: tantivy.Searcher,
        match: tantivy.Query,
        total: int,
        relaxed: bool,
        request: SearchRequest,
        organisations: bool,
    ) -> Statistics:
        projects = _THREADS.submit(searcher.aggregate, match, project_request())
        partners = _THREADS.submit(searcher.aggregate, match, partner_request())
        counted = self._organisations(searcher, match) if organisations else Counter()
        return assemble(request, relaxed, total, projects.result(), partners.result(), counted)

    def warm(self) -> None:
        """Compute the statistics of all the data in the background, so the first visitor of the
        statistics page finds them ready."""
        threading.Thread(target=self._warm, name="stats-warm", daemon=True).start()

    def _warm(self) -> None:
        try:
            self.compute()
        except Exception:
            return

    def _organisations(self, searcher: tantivy.Searcher, match: tantivy.Query) -> Counter[tuple[str, str]]:
        """Distinct organisations by (dimension letter, value), and in all under ("", ""), counted
        a few partitions at a time."""
        counts: Counter[tuple[str, str]] = Counter()
        for request in self.organisation_requests(searcher, match):
            raw = searcher.aggregate(match, request)
            # Tens of thousands of keys "partition␟letter␟value␟organisation": cut once at the
            # last separator, and the few thousand distinct heads split afterwards.
            keys = [str(bucket["key"]).rpartition(SEPARATOR) for bucket in raw["orgs"]["buckets"]]
            for head, count in Counter([head for head, _, _ in keys]).items():
                _, letter, value = head.split(SEPARATOR, 2)
                counts[letter, value] += count
            counts["", ""] += len({org for _, _, org in keys})
        return counts

    def organisation_requests(self, searcher: tantivy.Searcher, match: tantivy.Query) -> list[dict[str, Any]]:
        """The aggregations that count a search's distinct organisations: one per group of
        partitions, or one for all of them when the search's organisation values (an upper bound
        of its buckets, counted in a few milliseconds) are few enough, as they are for most
        searches: each aggregation visits every matching document."""
        groups = self.organisation_groups(searcher)
        if len(groups) > 1:
            values = searcher.aggregate(match, {"values": {"value_count": {"field": ORGANISATIONS}}})
            if int(values["values"]["value"] or 0) <= self.bucket_limit:
                groups = [list(range(PARTITIONS))]
        return [organisation_request(group) for group in groups]

    def organisation_groups(self, searcher: tantivy.Searcher) -> list[list[int]]:
        """Partitions grouped so that no group can exceed the bucket limit: each group's buckets
        over all the data (an upper bound for any search) stay below it."""
        stamp = self.searcher.stamp
        known = self._plans.get(stamp)
        if known is not None:
            return known
        everything = tantivy.Query.all_query()
        sizes = {
            p: len(searcher.aggregate(everything, organisation_request([p]))["orgs"]["buckets"])
            for p in range(PARTITIONS)
        }
        plan: list[list[int]] = []
        group: list[int] = []
        used = 0
        for partition, size in sizes.items():
            if group and used + size > self.bucket_limit:
                plan.append(group)
                group, used = [], 0
            group.append(partition)
            used += size
        plan.append(group)
        self._plans = {stamp: plan}
        return plan


_key_encoder = msgspec.json.Encoder(order="deterministic")


def assemble(
    request: SearchRequest,
    relaxed: bool,
    total: int,
    projects: dict[str, Any],
    partners: dict[str, Any],
    organisations: Counter[tuple[str, str]],
) -> Statistics:
    """The answer from the raw aggregations."""
    participations = _participations(partners["participations"]["buckets"])
    by = {
        name: _rows(dimension, projects.get(f"by:{name}"), participations, organisations)
        for name, dimension in DIMENSIONS.items()
    }
    totals = Totals(
        projects=total,
        eu_contribution_eur=round(float(projects["eu"]["value"] or 0.0), 2),
        projects_with_eu_contribution=int(projects["eu_known"]["value"] or 0),
        participations=sum(n for (letter, _), n in participations.items() if letter == "r"),
        organisations=organisations["", ""],
    )
    over_time = {stack: _years(projects[f"years:{stack}"]["buckets"]) for stack in STACKS}
    links = [_link(str(b["key"]), b["doc_count"]) for b in partners["pairs"]["buckets"]]
    links.sort(key=lambda link: (-link.projects, link.a, link.b))
    places = [_place(str(b["key"]), b["doc_count"]) for b in partners["places"]["buckets"]]
    return Statistics(
        places=places,
        query=request.query,
        filters=request.filters,
        relaxed=relaxed,
        totals=totals,
        by=by,
        over_time=over_time,
        links=links,
    )


def _link(key: str, projects: int) -> Link:
    a, b = key.split(SEPARATOR, 1)
    return Link(a, b, projects)


def _place(key: str, projects: int) -> Place:
    latitude, longitude = key.split(SEPARATOR, 1)
    return Place(float(latitude), float(longitude), projects)


def _participations(buckets: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """Participations by (dimension letter, value): the documents of every ordinal added up."""
    heads: Counter[str] = Counter()
    for bucket in buckets:
        key = str(bucket["key"])
        heads[key[: key.rindex(SEPARATOR)]] += int(bucket["doc_count"])
    counts: Counter[tuple[str, str]] = Counter()
    for head, count in heads.items():
        letter, value = head.split(SEPARATOR, 1)
        counts[letter, value] += count
    return counts


def label_of(dimension: str, value: str) -> str:
    if dimension == "role":
        return vocabulary.ROLES.get(value, value)
    if dimension == "nuts":
        return value
    return value_label(dimension, value)


def _rows(
    dimension: Dimension,
    raw: dict[str, Any] | None,
    participations: Counter[tuple[str, str]],
    organisations: Counter[tuple[str, str]],
) -> list[Row]:
    rows: dict[str, Row] = {}
    for bucket in raw["buckets"] if raw else []:
        value = _key(bucket)
        if dimension.name == "nuts" and len(value) < 3:
            continue  # a NUTS code of two letters is the country: that is the country breakdown
        rows[value] = Row(
            value, label_of(dimension.name, value), projects=int(bucket["doc_count"]), eu_contribution_eur=_eu(bucket)
        )
    if dimension.letter:
        for (letter, value), count in participations.items():
            if letter == dimension.letter:
                row = rows.setdefault(value, Row(value, label_of(dimension.name, value)))
                row.participations = count
                if letter == "c":
                    row.organisations = organisations[letter, value]
    ordered = list(rows.values())
    if dimension.by_value:
        ordered.sort(key=lambda r: r.value)
    else:
        ordered.sort(key=lambda r: (-(r.projects or 0), -(r.participations or 0), r.value))
    return ordered


def _years(buckets: list[dict[str, Any]]) -> list[YearRow]:
    years = []
    for bucket in buckets:
        inner = bucket["by"]["buckets"]
        years.append(
            YearRow(
                year=int(bucket["key"]),
                projects={_key(b): int(b["doc_count"]) for b in inner},
                eu_contribution_eur={_key(b): _eu(b) for b in inner},
            )
        )
    years.sort(key=lambda y: y.year)
    return years


def stacked(rows: list[YearRow], measure: str) -> tuple[list[str], dict[str, dict[int, float]]]:
    """The stack's keys (largest first) and each key's values by year, for a chart or a table."""
    totals: defaultdict[str, float] = defaultdict(float)
    series: defaultdict[str, dict[int, float]] = defaultdict(dict)
    for row in rows:
        values: dict[str, Any] = getattr(row, measure)
        for key, value in values.items():
            totals[key] += value
            series[key][row.year] = value
    keys = sorted(totals, key=lambda k: (-totals[k], k))
    return keys, dict(series)
