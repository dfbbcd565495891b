"""Whole tables of the PostgreSQL store, for ``euprojects copy`` (store/copy.py): read with a
server-side cursor, written with COPY; identity columns continue after the largest copied value."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from euprojects.store.postgres_db import Pools

BATCH = 5000
Row = tuple[object, ...]


class PostgresTables:
    """Mixed into the PostgreSQL store; ``pools`` are its connections."""

    pools: Pools

    def table_columns(self, table: str) -> list[str]:
        with self.pools.primary() as db:
            rows = db.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
                (table,),
            )
            return [row[0] for row in rows]

    def table_rows(self, table: str, columns: Sequence[str]) -> Iterator[list[Row]]:
        with self.pools.primary() as db, db.transaction(), db.cursor(name=f"rows_{table}") as cursor:
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
            while rows := cursor.fetchmany(BATCH):
                yield [tuple(row) for row in rows]

    def load_table(self, table: str, columns: Sequence[str], batches: Iterator[list[Row]]) -> int:
        count = 0
        with self.pools.transaction() as db:
            db.execute(f"DELETE FROM {table}")
            with db.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for batch in batches:
                    for row in batch:
                        copy.write_row(row)
                    count += len(batch)
            identities = db.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = %s AND is_identity = 'YES'",
                (table,),
            ).fetchall()
            for (column,) in identities:
                db.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s),"
                    f" COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)",
                    (table, column),
                )
        return count
