"""Search parameters from a URL, the same for the search page, the API and exports.

The whole state of a search is in the query string, so any search can be bookmarked:
``?q=health&country=EE&country=FI&start_year=2014..2020&sort=-start_date&page=2``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from euprojects.search import SearchRequest
from euprojects.search.facets import DEFAULT_FACETS, FACET_FIELDS
from euprojects.search.filters import SPECS
from euprojects.search.query import MAX_QUERY_CHARS, QueryError

PAGE_SIZE = 20
STATE_KEYS = ("q", "sort", *SPECS)


def request_from(params: Mapping[str, Sequence[str]], *, limit: int | None = None) -> SearchRequest:
    """A SearchRequest from multi-valued query parameters; QueryError names a bad parameter.

    An empty value is no filter: the search form sends all its fields, filled or not.
    """
    query = _one(params, "q") or ""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"q: at most {MAX_QUERY_CHARS} characters")
    facets = tuple(params.get("facet") or ()) or DEFAULT_FACETS
    unknown = [f for f in facets if f not in FACET_FIELDS]
    if unknown:
        raise QueryError(f"facet: {unknown[0]!r} is not one of {', '.join(FACET_FIELDS)}")
    return SearchRequest(
        query=query,
        filters={name: values for name in SPECS if (values := [v for v in params.get(name, ()) if v.strip()])},
        facets=facets,
        facet_size=_int(params, "facet_size", 30),
        sort=_one(params, "sort") or None,
        limit=limit if limit is not None else _int(params, "limit", PAGE_SIZE),
        page=_int(params, "page", 1),
        cursor=_one(params, "cursor") or None,
    )


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def _int(params: Mapping[str, Sequence[str]], name: str, default: int) -> int:
    value = _one(params, name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise QueryError(f"{name}: {value!r} is not a whole number") from None


def state(params: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """The parameters that define a search (not its page), in a stable order."""
    return [(key, value) for key in STATE_KEYS for value in params.get(key, ()) if value != ""]


def url(params: list[tuple[str, str]], **changes: str | None) -> str:
    """A search URL with some parameters replaced (None removes them)."""
    kept = [(k, v) for k, v in params if k not in changes]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    return "/?" + urlencode(kept) if kept else "/"


def toggle(params: list[tuple[str, str]], name: str, value: str) -> str:
    """The search URL with one facet value selected or, if it was, deselected (back to page 1)."""
    pair = (name, value)
    kept = [p for p in params if p != pair] if pair in params else [*params, pair]
    return "/?" + urlencode(kept) if kept else "/"
