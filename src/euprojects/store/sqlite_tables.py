"""Whole tables of the SQLite store, for ``euprojects copy`` (store/copy.py)."""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

BATCH = 5000
Row = tuple[object, ...]


class SQLiteTables(ABC):
    """Mixed into the SQLite store; ``db`` is its connection for this thread."""

    @property
    @abstractmethod
    def db(self) -> sqlite3.Connection: ...

    def table_columns(self, table: str) -> list[str]:
        return [row[1] for row in self.db.execute(f"PRAGMA table_info({table})")]

    def table_rows(self, table: str, columns: Sequence[str]) -> Iterator[list[Row]]:
        cursor = self.db.execute(f"SELECT {', '.join(columns)} FROM {table}")
        while rows := cursor.fetchmany(BATCH):
            yield [tuple(row) for row in rows]

    def load_table(self, table: str, columns: Sequence[str], batches: Iterator[list[Row]]) -> int:
        db, count = self.db, 0
        marks = ",".join("?" * len(columns))
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(f"DELETE FROM {table}")
            for batch in batches:
                db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch)
                count += len(batch)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return count
