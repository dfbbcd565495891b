"""``euprojects copy SRC_URL DST_URL``: a whole store moved between backends (SQLite and
PostgreSQL, either way), table by table, then verified.

Both backends have the same tables and columns (migrations/sqlite, migrations/postgresql), so a
table moves column by column by name. The destination must be empty (no records, no runs): a
copy replaces, it does not merge. Every table is verified after the copy by its row count and a
checksum over its rows; the checksum is a sum of per-row digests, so it does not depend on the
order either backend returns rows in (their text orderings differ).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

import msgspec

# Every table a store keeps, in an order that lets a reader of the destination make sense of
# it at any point (records before the projects merged from them).
TABLES = (
    "meta",
    "ingest_runs",
    "ingest_files",
    "fragments",
    "aliases",
    "dirty",
    "rejects",
    "beneficiaries",
    "organisations",
    "projects",
    "participations",
    "project_numbers",
    "changes",
    "org_links",
    "org_canonical",
    "project_vectors",
)
Row = tuple[object, ...]
MASK = (1 << 64) - 1


class Tables(Protocol):
    """What a backend gives ``copy``: whole tables by name, read and written in batches."""

    url: str

    def table_columns(self, table: str) -> list[str]: ...

    def table_rows(self, table: str, columns: Sequence[str]) -> Iterator[list[Row]]:
        """The rows of a table, a batch at a time, in no particular order."""
        ...

    def load_table(self, table: str, columns: Sequence[str], batches: Iterator[list[Row]]) -> int:
        """Replace a table's rows with these, in one transaction; returns how many."""
        ...


def safe(url: str) -> str:
    """A store URL without its password, for messages."""
    head, at, tail = url.rpartition("@")
    if not at or "://" not in head:
        return url
    scheme, _, credentials = head.partition("://")
    return f"{scheme}://{credentials.split(':', 1)[0]}@{tail}"


class CopyError(Exception):
    """The copy cannot start (the destination is not empty, the tables differ) or did not verify."""


class TableCopy(msgspec.Struct):
    table: str
    rows: int
    checksum: str


def _value(value: object) -> bytes:
    """One value as bytes that are the same from either backend."""
    if value is None:
        return b"\x00"
    if isinstance(value, bytes | bytearray | memoryview):
        return b"b" + bytes(value)
    if isinstance(value, float):
        return b"f" + struct.pack("<d", value)
    if isinstance(value, int):
        return b"i" + str(value).encode()
    return b"s" + str(value).encode("utf-8")


def _digest(row: Row) -> int:
    h = hashlib.blake2b(digest_size=8)
    for value in row:
        encoded = _value(value)
        h.update(struct.pack("<I", len(encoded)))
        h.update(encoded)
    return int.from_bytes(h.digest(), "little")


def checksum(store: Tables, table: str, columns: Sequence[str]) -> tuple[int, str]:
    """A table's row count and checksum over the given columns."""
    count, total = 0, 0
    for batch in store.table_rows(table, columns):
        count += len(batch)
        total = (total + sum(_digest(row) for row in batch)) & MASK
    return count, f"{total:016x}"


def _check_empty(destination: Tables) -> None:
    for table in ("fragments", "projects", "ingest_runs"):
        count, _ = checksum(destination, table, destination.table_columns(table)[:1])
        if count:
            raise CopyError(f"the destination {table} table holds {count:,} row(s); copy into an empty store")


def copy_store(
    source: Tables, destination: Tables, progress: Callable[[str, int], None] | None = None
) -> list[TableCopy]:
    """Copy every table from ``source`` to ``destination`` (both migrated to the latest schema)
    and verify each by count and checksum; raise CopyError naming a table that differs."""
    _check_empty(destination)
    copied = []
    for table in TABLES:
        columns = source.table_columns(table)
        theirs = destination.table_columns(table)
        if sorted(columns) != sorted(theirs):
            raise CopyError(f"table {table} differs: {sorted(columns)} here, {sorted(theirs)} there; migrate both")
        rows = destination.load_table(table, columns, source.table_rows(table, columns))
        if progress:
            progress(table, rows)
        want = checksum(source, table, columns)
        got = checksum(destination, table, columns)
        if want != got:
            raise CopyError(
                f"table {table} did not copy intact: {want[0]:,} rows ({want[1]}) became {got[0]:,} ({got[1]})"
            )
        copied.append(TableCopy(table, got[0], got[1]))
    return copied
