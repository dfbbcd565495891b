"""The PostgreSQL side of :class:`~euprojects.store.vectors.Vectors`, mixed into its store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from euprojects.store.postgres_db import Pools
from euprojects.store.vectors import StoredVector, VectorRow


class PostgresVectors:
    pools: Pools

    def vector_hashes(self, project_ids: Sequence[str]) -> dict[str, str]:
        with self.pools.primary() as db:
            rows = db.execute(
                "SELECT project_id, text_hash FROM project_vectors WHERE project_id = ANY(%s)", (list(project_ids),)
            )
            return dict(rows.fetchall())

    def save_vectors(self, rows: Sequence[VectorRow]) -> dict[str, int]:
        with self.pools.transaction() as db:
            db.cursor().executemany(
                "INSERT INTO project_vectors (project_id, text_hash, vector) VALUES (%s, %s, %s)"
                " ON CONFLICT (project_id) DO UPDATE SET text_hash = EXCLUDED.text_hash, vector = EXCLUDED.vector",
                rows,
            )
            found = db.execute(
                "SELECT project_id, key FROM project_vectors WHERE project_id = ANY(%s)",
                ([row.project_id for row in rows],),
            )
            return {pid: int(key) for pid, key in found}

    def remove_vectors(self, project_ids: Sequence[str]) -> list[int]:
        with self.pools.transaction() as db:
            rows = db.execute(
                "DELETE FROM project_vectors WHERE project_id = ANY(%s) RETURNING key", (list(project_ids),)
            )
            return [int(key) for (key,) in rows]

    def vector_keys(self, project_ids: Sequence[str] | None = None) -> dict[str, int]:
        with self.pools.read() as db:
            if project_ids is None:
                rows = db.execute("SELECT project_id, key FROM project_vectors")
            else:
                sql = "SELECT project_id, key FROM project_vectors WHERE project_id = ANY(%s)"
                rows = db.execute(sql, (list(project_ids),))
            return {pid: int(key) for pid, key in rows}

    def iter_vectors(self, batch: int = 5000) -> Iterator[list[StoredVector]]:
        with self.pools.read() as db, db.cursor(name="vectors") as cursor:
            cursor.execute("SELECT key, project_id, vector FROM project_vectors ORDER BY key")
            while rows := cursor.fetchmany(batch):
                yield [StoredVector(int(key), pid, bytes(vector)) for key, pid, vector in rows]
