"""Connections to PostgreSQL: a pool for writing (the primary) and one for reading (a replica when
one is configured), each connection borrowed for one operation and given back.

A read borrows a connection in a read-only REPEATABLE READ transaction, so the several queries
of one read (a project, its participations, its sources) see one snapshot: a page never shows
half of what an ingest's transaction wrote. Writes run in explicit transactions on the primary.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

POOL_SIZE = 8
CONNECT_SECONDS = 10.0


class DatabaseUnavailable(ConnectionError):
    """The PostgreSQL server cannot be reached; the message names the server, without password."""


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    host, port, dbname = info.get("host", "localhost"), info.get("port", "5432"), info.get("dbname", "")
    return f"postgresql://{info.get('user', '')}@{host}:{port}/{dbname}"


def _configure_reader(conn: psycopg.Connection[Any]) -> None:
    # No JIT for the portal's reads: they are short, and compiling one costs more than it runs
    # (a page of search hits took ~100 ms more with it).
    conn.execute("SET jit = off")
    conn.commit()
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True


class Pools:
    """The writing pool on ``url`` and the reading pool on ``read_url`` (or ``url``)."""

    def __init__(self, url: str, read_url: str | None = None, size: int = POOL_SIZE) -> None:
        self.url = url
        self.read_url = read_url or url
        self.writer = self._pool(url, size, reader=False)
        self.reader = self._pool(self.read_url, size, reader=True)

    @staticmethod
    def _pool(url: str, size: int, *, reader: bool) -> ConnectionPool[psycopg.Connection[Any]]:
        try:  # once directly: a server that refuses is told at once, not after the pool's timeout
            psycopg.connect(url, connect_timeout=int(CONNECT_SECONDS)).close()
        except psycopg.Error as error:
            reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
            raise DatabaseUnavailable(f"cannot connect to {safe_url(url)}: {reason}") from None
        pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url,
            min_size=1,
            max_size=size,
            kwargs={"autocommit": not reader},
            configure=_configure_reader if reader else None,
            open=False,
            timeout=CONNECT_SECONDS,
            name="euprojects-read" if reader else "euprojects-write",
        )
        try:
            pool.open(wait=True, timeout=CONNECT_SECONDS)
        except (PoolTimeout, psycopg.Error) as error:
            pool.close()
            raise DatabaseUnavailable(f"cannot connect to {safe_url(url)} within {CONNECT_SECONDS:.0f} s") from error
        return pool

    @contextmanager
    def read(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection in one read-only snapshot, ended when the block ends."""
        with self._lost(self.read_url), self.reader.connection() as conn:
            try:
                yield conn
            finally:
                if not conn.closed:
                    conn.rollback()

    @contextmanager
    def read_one(self) -> Iterator[psycopg.Connection[Any]]:
        """A reading connection for one statement, outside a transaction: one statement sees one
        snapshot anyway, and a page of search hits is hydrated without the round trips of
        ``BEGIN … READ ONLY`` and ``ROLLBACK`` around it."""
        with self._lost(self.read_url), self.reader.connection() as conn:
            conn.autocommit = True
            try:
                yield conn
            finally:
                if not conn.closed:
                    conn.autocommit = False

    @contextmanager
    def primary(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection to the primary, each statement committed on its own (reads of the ingest,
        which must see what it has just written)."""
        with self._lost(self.url), self.writer.connection() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """A transaction on the primary: committed when the block ends, rolled back if it raises
        or the connection is lost (the server rolls back what it never saw committed)."""
        with self._lost(self.url), self.writer.connection() as conn, conn.transaction():
            yield conn

    @staticmethod
    @contextmanager
    def _lost(url: str) -> Iterator[None]:
        """A connection lost (or never made) becomes DatabaseUnavailable with a one-line message;
        the pool replaces the broken connection for the next use."""
        try:
            yield
        except (psycopg.OperationalError, PoolTimeout) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise DatabaseUnavailable(
                f"lost the connection to {safe_url(url)} ({reason}); its unfinished transaction was rolled back"
            ) from error

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


def copy_rows(db: psycopg.Connection[Any], table: str, columns: str, rows: Sequence[Sequence[object]]) -> None:
    """Rows into a table by COPY: the fastest way into PostgreSQL, one round trip a batch."""
    if not rows:
        return
    with db.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def migrate(pools: Pools) -> list[str]:
    """Apply the PostgreSQL migrations not applied yet, each in its own transaction; two
    processes migrating at once take turns (an advisory lock), so each script runs once."""
    folder = resources.files("euprojects.store") / "migrations" / "postgresql"
    applied = []
    with pools.transaction() as db:
        db.execute("SELECT pg_advisory_xact_lock(hashtext('euprojects-migrate:' || current_schema()))")
        db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
        done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".sql") or entry.name in done:
                continue
            db.execute(entry.read_text(encoding="utf-8").encode())
            db.execute(
                "INSERT INTO _migrations VALUES (%s, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS'))",
                (entry.name,),
            )
            applied.append(entry.name)
    return applied
