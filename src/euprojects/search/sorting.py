"""Sort orders and page cursors.

Field sorts use the index's composite sort keys (value, then the project's stable number), so
a cursor names exactly the last key shown and the next page starts after it, even if the index
changed in between. Relevance and title pages use offsets within the same order.
"""

from __future__ import annotations

import base64
import binascii

import msgspec
import tantivy

from euprojects.errors import QueryError
from euprojects.fields import Sort


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


def after(spec: Sort, schema: tantivy.Schema, key: int) -> tantivy.Query:
    """Documents that come after ``key`` in this order."""
    assert spec.index is not None
    if spec.descending:
        return tantivy.Query.range_query(
            schema, spec.index, tantivy.FieldType.Integer, -(2**63), key, include_upper=False
        )
    return tantivy.Query.range_query(schema, spec.index, tantivy.FieldType.Integer, key, 2**63 - 1, include_lower=False)
