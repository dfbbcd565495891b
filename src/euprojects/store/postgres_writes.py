"""The statements of one batch of a file's records on PostgreSQL (``PostgresStore.write``), each
run once for the whole batch: new fragments by COPY, the others updated from arrays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from euprojects.model import Reject
from euprojects.store.base import PreparedRecord
from euprojects.store.postgres_db import copy_rows

Db = psycopg.Connection[Any]
# Fragments and beneficiary rows seen again: what changes of them, one statement for a batch.
SEEN_AGAIN = (
    "UPDATE {table} t SET line = u.line, run_id = %(run)s, last_seen = %(stamp)s{extra}"
    " FROM unnest(%(keys)s::text[], %(lines)s::int[]) AS u(key, line)"
    " WHERE t.format = %(fmt)s AND t.file = %(file)s AND t.record_key = u.key"
)
FRAGMENT_COLUMNS = "format, file, record_key, project_id, hash, payload, line, run_id, first_seen, last_seen"


def mark_dirty(db: Db, ids: Sequence[str]) -> None:
    """Mark these projects to be rebuilt."""
    if ids:
        db.execute(
            "INSERT INTO dirty (project_id) SELECT DISTINCT unnest(%s::text[]) ON CONFLICT DO NOTHING", (list(ids),)
        )


# Statements that look a batch's records up by key (`record_key = ANY(%s)`) are planned for each
# batch, not prepared: the plan prepared for a file's first batches, while the table was small,
# took only format and file from the index and tested every fragment of the file against the
# whole array — 116 ms a batch, 25 of the server's 57 s of CPU in a full ingest.
BY_KEYS = False


def mark_moved_and_returned(
    db: Db, fmt: str, file: str, changed: Sequence[PreparedRecord], same: Sequence[PreparedRecord]
) -> None:
    """A changed record may have moved to another project: its old project is rebuilt too. A
    withdrawn record that its file holds again makes its project live again. One statement each,
    and only when there are any: an OR of the two would scan all of the file's fragments."""
    for keys, extra in (([r.key for r in changed], ""), ([r.key for r in same], " AND withdrawn IS NOT NULL")):
        if keys:
            db.execute(
                "INSERT INTO dirty (project_id) SELECT DISTINCT project_id FROM fragments"
                f" WHERE format = %s AND file = %s AND record_key = ANY(%s){extra} ON CONFLICT DO NOTHING",
                (fmt, file, keys),
                prepare=BY_KEYS,
            )


def write_fragments(
    db: Db,
    where: dict[str, Any],
    new: Sequence[PreparedRecord],
    changed: Sequence[PreparedRecord],
    same: Sequence[PreparedRecord],
) -> None:
    """Insert new fragments, replace changed ones, and note that unchanged ones were seen again
    (live again if they had been withdrawn)."""
    fmt, file, run_id, stamp = where["fmt"], where["file"], where["run"], where["stamp"]
    rows = [(fmt, file, r.key, r.project_id, r.hash, r.payload, r.line, run_id, stamp, stamp) for r in new]
    copy_rows(db, "fragments", FRAGMENT_COLUMNS, rows)
    if changed:
        db.execute(
            "UPDATE fragments f SET project_id = u.pid, hash = u.hash, payload = u.payload, line = u.line,"
            " run_id = %(run)s, last_seen = %(stamp)s, withdrawn = NULL"
            " FROM unnest(%(keys)s::text[], %(pids)s::text[], %(hashes)s::text[], %(payloads)s::bytea[],"
            " %(lines)s::int[]) AS u(key, pid, hash, payload, line)"
            " WHERE f.format = %(fmt)s AND f.file = %(file)s AND f.record_key = u.key",
            {
                **where,
                "keys": [r.key for r in changed],
                "pids": [r.project_id for r in changed],
                "hashes": [r.hash for r in changed],
                "payloads": [r.payload for r in changed],
                "lines": [r.line for r in changed],
            },
        )
    if same:
        db.execute(
            SEEN_AGAIN.format(table="fragments", extra=", withdrawn = NULL"),
            {**where, "keys": [r.key for r in same], "lines": [r.line for r in same]},
        )


def write_aliases(db: Db, fmt: str, file: str, records: Sequence[PreparedRecord]) -> None:
    """Replace the aliases these records give."""
    if not records:
        return
    db.execute(
        "DELETE FROM aliases WHERE format = %s AND file = %s AND record_key = ANY(%s)",
        (fmt, file, [r.key for r in records]),
        prepare=BY_KEYS,
    )
    pairs = [(alias, r.project_id, r.key) for r in records for alias in r.aliases]
    if pairs:
        db.execute(
            "INSERT INTO aliases (alias, project_id, format, file, record_key)"
            " SELECT a, p, %s, %s, k FROM unnest(%s::text[], %s::text[], %s::text[]) AS u(a, p, k)"
            " ON CONFLICT DO NOTHING",
            (fmt, file, [a for a, _, _ in pairs], [p for _, p, _ in pairs], [k for _, _, k in pairs]),
        )


def write_rejects(db: Db, where: dict[str, Any], rejects: Sequence[Reject]) -> None:
    """Keep each reject once per (file, line, reason), with its latest raw text and run."""
    if not rejects:
        return
    fmt, file, run_id, stamp = where["fmt"], where["file"], where["run"], where["stamp"]
    distinct = {(r.line or 0, r.reason): r for r in rejects}.values()  # an upsert may touch a row once
    db.cursor().executemany(
        "INSERT INTO rejects (format, file, line, reason, raw, run_id, first_seen)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (format, file, line, reason)"
        " DO UPDATE SET raw = EXCLUDED.raw, run_id = EXCLUDED.run_id",
        [(fmt, file, r.line or 0, r.reason, r.raw, run_id, stamp) for r in distinct],
    )
