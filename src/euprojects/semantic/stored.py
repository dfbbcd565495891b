"""The embeddings kept in the store (table ``project_vectors``).

A vector is stored with the fingerprint of the text it was made from: an ingest that leaves a
project's text as it was leaves its vector too, and a node that rebuilds its vector index reads
the vectors back instead of embedding again. Only the SQLite store exists today; this reads
and writes through its connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from euprojects.store import Store

Vectors = npt.NDArray[np.float32]
CHUNK = 900  # SQLite takes at most 999 parameters in one statement


def _db(store: Store) -> sqlite3.Connection:
    db = getattr(store, "db", None)
    if not isinstance(db, sqlite3.Connection):
        raise ValueError("semantic search needs the SQLite store")
    return db


def hashes(store: Store, project_ids: Sequence[str]) -> dict[str, str]:
    """The fingerprint of each of these projects' stored vector (those that have one)."""
    db, found = _db(store), {}
    for start in range(0, len(project_ids), CHUNK):
        part = project_ids[start : start + CHUNK]
        marks = ",".join("?" * len(part))
        rows = db.execute(f"SELECT project_id, text_hash FROM project_vectors WHERE project_id IN ({marks})", part)
        found.update(dict(rows))
    return found


def save(store: Store, rows: Sequence[tuple[str, str, Vectors]]) -> dict[str, int]:
    """Store ``(project id, fingerprint, vector)`` rows; returns each project's key."""
    db = _db(store)
    db.execute("BEGIN IMMEDIATE")
    try:
        db.executemany(
            "INSERT INTO project_vectors (project_id, text_hash, vector) VALUES (?, ?, ?) "
            "ON CONFLICT (project_id) DO UPDATE SET text_hash = excluded.text_hash, vector = excluded.vector",
            [(pid, digest, np.asarray(vector, dtype="<f4").tobytes()) for pid, digest, vector in rows],
        )
        keys = keys_of(store, [pid for pid, _, _ in rows])
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return keys


def remove(store: Store, project_ids: Sequence[str]) -> list[int]:
    """Forget these projects' vectors (deleted or no longer listed); returns their keys."""
    keys = list(keys_of(store, project_ids).values())
    db = _db(store)
    for start in range(0, len(keys), CHUNK):
        part = keys[start : start + CHUNK]
        db.execute(f"DELETE FROM project_vectors WHERE key IN ({','.join('?' * len(part))})", part)
    return keys


def keys_of(store: Store, project_ids: Sequence[str]) -> dict[str, int]:
    db, found = _db(store), {}
    for start in range(0, len(project_ids), CHUNK):
        part = project_ids[start : start + CHUNK]
        marks = ",".join("?" * len(part))
        found.update(
            dict(db.execute(f"SELECT project_id, key FROM project_vectors WHERE project_id IN ({marks})", part))
        )
    return found


def every(store: Store, batch: int = 5000) -> Iterator[tuple[list[int], list[str], Vectors]]:
    """Every stored vector, a batch at a time: keys, project ids and a matrix."""
    cursor = _db(store).execute("SELECT key, project_id, vector FROM project_vectors ORDER BY key")
    while rows := cursor.fetchmany(batch):
        matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4").reshape(len(rows), -1)
        yield [r[0] for r in rows], [r[1] for r in rows], matrix


def count(store: Store) -> int:
    return int(_db(store).execute("SELECT count(*) FROM project_vectors").fetchone()[0])


def all_ids(store: Store) -> set[str]:
    return {row[0] for row in _db(store).execute("SELECT project_id FROM project_vectors")}


def key_map(store: Store) -> dict[str, int]:
    """Every project's vector key, for the index's reader."""
    return dict(_db(store).execute("SELECT project_id, key FROM project_vectors"))
