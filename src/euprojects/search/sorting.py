"""Sort orders and page cursors.

Field sorts use the index's composite sort keys (value, then the project's stable number), so
a cursor names exactly the last key shown and the next page starts after it, even if the index
changed in between. Relevance and title pages use offsets within the same order.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import msgspec
import tantivy

from euprojects.search.query import QueryError


@dataclass(frozen=True, slots=True)
class SortSpec:
    name: str
    field: str | None
    descending: bool
    keyed: bool  # cursors carry the last key (True) or an offset (False)


SORTS = {
    "relevance": SortSpec("relevance", None, True, False),
    "start_date": SortSpec("start_date", "sort_start_date_a", False, True),
    "-start_date": SortSpec("-start_date", "sort_start_date_d", True, True),
    "end_date": SortSpec("end_date", "sort_end_date_a", False, True),
    "-end_date": SortSpec("-end_date", "sort_end_date_d", True, True),
    "eu_contribution": SortSpec("eu_contribution", "sort_eu_contribution_a", False, True),
    "-eu_contribution": SortSpec("-eu_contribution", "sort_eu_contribution_d", True, True),
    "budget": SortSpec("budget", "sort_budget_a", False, True),
    "-budget": SortSpec("-budget", "sort_budget_d", True, True),
    "title": SortSpec("title", "title_sort_a", False, False),
    "-title": SortSpec("-title", "title_sort_d", True, False),
}


def sort_spec(name: str) -> SortSpec:
    spec = SORTS.get(name)
    if spec is None:
        raise QueryError(f"sort: {name!r} is not one of {', '.join(SORTS)}")
    return spec


class Cursor(msgspec.Struct, frozen=True):
    sort: str
    key: int | None = None
    offset: int = 0


def encode_cursor(cursor: Cursor) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(cursor)).decode().rstrip("=")


def decode_cursor(text: str, sort: str) -> Cursor:
    try:
        padded = text + "=" * (-len(text) % 4)
        cursor = msgspec.json.decode(base64.urlsafe_b64decode(padded), type=Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise QueryError("cursor: not a cursor from a previous page of this search") from None
    if cursor.sort != sort:
        raise QueryError(f"cursor: it belongs to a search sorted by {cursor.sort}, not {sort}")
    return cursor


def after(spec: SortSpec, schema: tantivy.Schema, key: int) -> tantivy.Query:
    """Documents that come after ``key`` in this order."""
    assert spec.field is not None
    if spec.descending:
        return tantivy.Query.range_query(
            schema, spec.field, tantivy.FieldType.Integer, -(2**63), key, include_upper=False
        )
    return tantivy.Query.range_query(schema, spec.field, tantivy.FieldType.Integer, key, 2**63 - 1, include_lower=False)
