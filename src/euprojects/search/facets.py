"""Facets: counts of values over the whole match set.

A facet's counts ignore the facet's own selection, so a user who picked Finland still sees
how many projects Estonia would add; every other selection applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec
import tantivy

FACET_FIELDS = {
    "source": "source",
    "programme": "programme",
    "period": "period",
    "fund": "fund",
    "country": "country",
    "lead_country": "lead_country",
    "status": "status",
    "start_year": "start_year",
    "org_type": "org_type",
}
DEFAULT_FACETS = ("source", "programme", "period", "country", "status", "start_year", "org_type")
DEFAULT_SIZE = 30
MAX_SIZE = 500


class FacetValue(msgspec.Struct):
    value: str
    count: int
    selected: bool = False


def _value(key: object) -> str:
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


# Each index segment reports this many top values before they are merged; it must exceed the
# number of distinct values of any facet, or counts of values outside a segment's top list would
# be underestimated (terms aggregations are exact only then).
SEGMENT_SIZE = 20_000


def aggregation(names: Iterable[str], size: int) -> dict[str, object]:
    return {
        name: {"terms": {"field": FACET_FIELDS[name], "size": size, "segment_size": SEGMENT_SIZE}} for name in names
    }


def count(
    searcher: tantivy.Searcher,
    query: tantivy.Query,
    names: Iterable[str],
    size: int,
    selected: Mapping[str, tuple[str, ...]],
) -> dict[str, list[FacetValue]]:
    """Run one aggregation for several facets over ``query``."""
    names = list(names)
    if not names:
        return {}
    raw = searcher.aggregate(query, aggregation(names, size))
    result = {}
    for name in names:
        chosen = set(selected.get(name, ()))
        values = [
            FacetValue(value=_value(b["key"]), count=int(b["doc_count"]), selected=_value(b["key"]) in chosen)
            for b in raw.get(name, {}).get("buckets", [])
        ]
        present = {v.value for v in values}
        values += [FacetValue(value=v, count=0, selected=True) for v in chosen if v not in present]
        if name == "start_year":
            values.sort(key=lambda v: v.value, reverse=True)
        values.sort(key=lambda v: not v.selected)  # stable: selected values first, each group in its order
        result[name] = values
    return result
