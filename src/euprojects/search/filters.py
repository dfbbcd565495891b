"""Filters: what a search can be restricted to, from ``--filter NAME=VALUE``, API parameters or
``name:value`` in the query. Several values of one filter are alternatives (OR); different
filters must all hold (AND). Each filter is declared once, in :mod:`euprojects.search.fields`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import tantivy

from euprojects.fields import SCOPES, Selection, field_for
from euprojects.search.query import FieldFilter

__all__ = ["Selection", "excluded", "selections", "to_query"]


def selections(given: Mapping[str, Iterable[str]], in_query: Iterable[FieldFilter] = ()) -> dict[str, Selection]:
    """Filters from parameters and from the query text, merged per filter name."""
    values: dict[str, list[str]] = {name: list(v) for name, v in given.items()}
    for item in in_query:
        values.setdefault(SCOPES[item.name].name, []).append(item.value)
    return {name: field_for(name).select(vals) for name, vals in values.items()}


def excluded(in_query: Iterable[FieldFilter], schema: tantivy.Schema) -> list[tantivy.Query]:
    """Index queries of the filters the query text excludes (``-country:FI``)."""
    return [to_query(SCOPES[item.name].select([item.value]), schema) for item in in_query]


def to_query(selection: Selection, schema: tantivy.Schema) -> tantivy.Query:
    """The index query for one filter."""
    return selection.field.kind.query(selection, schema)
