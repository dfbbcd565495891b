"""Facets: counts of values over the whole match set.

A facet's counts ignore the facet's own selection, so a user who picked Finland still sees
how many projects Estonia would add; every other selection applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
import tantivy

from euprojects.fields import FIELDS


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


def aggregation(names: Iterable[str], size: int) -> dict[str, Any]:
    return {
        name: {"terms": {"field": FIELDS[name].index, "size": size, "segment_size": SEGMENT_SIZE}} for name in names
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
    return {name: values(name, raw.get(name, {}).get("buckets", []), selected) for name in names}


def count_folded(
    searcher: tantivy.Searcher,
    query: tantivy.Query,
    first: str,
    first_filter: str,
    shared: Iterable[str],
    size: int,
    selected: Mapping[str, tuple[str, ...]],
) -> dict[str, list[FacetValue]]:
    """Counts of facet ``first`` over ``query`` (every filter but its own) and of the ``shared``
    facets over the same query narrowed by ``first``'s filter: two facets' passes in one."""
    shared = list(shared)
    request = aggregation([first], size)
    if shared:
        request["_narrowed"] = {"filter": first_filter, "aggs": aggregation(shared, size)}
    raw = searcher.aggregate(query, request)
    result = {first: values(first, raw[first]["buckets"], selected)}
    narrowed = raw.get("_narrowed", {})
    result.update({name: values(name, narrowed.get(name, {}).get("buckets", []), selected) for name in shared})
    return result


def values(name: str, buckets: list[dict[str, object]], selected: Mapping[str, tuple[str, ...]]) -> list[FacetValue]:
    """Facet values from aggregation buckets: selected values first (with a zero count if none
    match), values of ``newest_first`` facets (years) by value descending, the others by count."""
    chosen = set(selected.get(name, ()))
    found = [
        FacetValue(value=_value(b["key"]), count=int(b["doc_count"]), selected=_value(b["key"]) in chosen)  # type: ignore[call-overload]
        for b in buckets
    ]
    present = {v.value for v in found}
    found += [FacetValue(value=v, count=0, selected=True) for v in chosen if v not in present]
    if FIELDS[name].newest_first:
        found.sort(key=lambda v: v.value, reverse=True)
    found.sort(key=lambda v: not v.selected)  # stable: selected values first, each group in its order
    return found
