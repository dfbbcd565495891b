"""The SQLite side of :class:`~euprojects.store.vectors.Vectors`, mixed into the SQLite store."""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

from euprojects.store.vectors import StoredVector, VectorRow

CHUNK = 900  # SQLite takes at most 999 parameters in one statement


def _marks(items: Sequence[object]) -> str:
    return ",".join("?" * len(items))


class SQLiteVectors(ABC):
    @property
    @abstractmethod
    def db(self) -> sqlite3.Connection: ...

    def vector_hashes(self, project_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(project_ids), CHUNK):
            part = project_ids[start : start + CHUNK]
            sql = f"SELECT project_id, text_hash FROM project_vectors WHERE project_id IN ({_marks(part)})"
            found.update(self.db.execute(sql, part))
        return found

    def save_vectors(self, rows: Sequence[VectorRow]) -> dict[str, int]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT INTO project_vectors (project_id, text_hash, vector) VALUES (?, ?, ?) ON CONFLICT (project_id)"
                " DO UPDATE SET text_hash = excluded.text_hash, vector = excluded.vector",
                rows,
            )
            keys = self.vector_keys([row.project_id for row in rows])
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return keys

    def remove_vectors(self, project_ids: Sequence[str]) -> list[int]:
        keys = list(self.vector_keys(project_ids).values())
        for start in range(0, len(keys), CHUNK):
            part = keys[start : start + CHUNK]
            self.db.execute(f"DELETE FROM project_vectors WHERE key IN ({_marks(part)})", part)
        return keys

    def vector_keys(self, project_ids: Sequence[str] | None = None) -> dict[str, int]:
        if project_ids is None:
            return dict(self.db.execute("SELECT project_id, key FROM project_vectors"))
        found: dict[str, int] = {}
        for start in range(0, len(project_ids), CHUNK):
            part = project_ids[start : start + CHUNK]
            sql = f"SELECT project_id, key FROM project_vectors WHERE project_id IN ({_marks(part)})"
            found.update(self.db.execute(sql, part))
        return found

    def iter_vectors(self, batch: int = 5000) -> Iterator[list[StoredVector]]:
        cursor = self.db.execute("SELECT key, project_id, vector FROM project_vectors ORDER BY key")
        while rows := cursor.fetchmany(batch):
            yield [StoredVector(*row) for row in rows]
