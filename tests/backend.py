"""Which store backend this test run uses, and stores of it for the tests that make their own.

``EUPROJECTS_TEST_BACKEND`` is ``sqlite`` (the default) or ``postgresql``. The suite runs on
SQLite (the store's contract on both); `scripts/test` runs the ingest, search and API tests a
second time with ``postgresql``, against the test server (tests/postgres.py), so that both
backends pass them. A test that uses SQLite's own interface says so with :data:`sqlite_only`.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.postgres import fresh_schema, server_url

BACKENDS = ("sqlite", "postgresql")
BACKEND = os.environ.get("EUPROJECTS_TEST_BACKEND", "sqlite")
if BACKEND not in BACKENDS:
    raise pytest.UsageError(f"EUPROJECTS_TEST_BACKEND={BACKEND!r}: use one of {', '.join(BACKENDS)}")

sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="uses SQLite's own interface")


@contextmanager
def new_store_url(folder: Path, name: str = "euprojects.db") -> Iterator[str]:
    """The URL of a new, empty store of this run's backend: a file in ``folder`` on SQLite, a
    schema of its own on the test server (dropped afterwards) on PostgreSQL."""
    if BACKEND == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder / name}"
        return
    with fresh_schema(server_url()) as url:
        yield url


@contextmanager
def _driver(url: str) -> Iterator[Any]:
    """A connection of the backend's own driver (no euprojects code in between, so that a test can
    check what the store wrote, or break it behind the store's back), committing as it goes."""
    if url.startswith("sqlite:///"):
        # mode=rw: a store that is not there yet is an error, not an empty file made behind its back
        db = sqlite3.connect(f"file:{url.removeprefix('sqlite:///')}?mode=rw", uri=True, isolation_level=None)
        try:
            yield db
        finally:
            db.close()
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        yield conn


def scalars(url: str, queries: dict[str, str]) -> dict[str, int]:
    """Each query's single number; SQLite's file is integrity-checked first."""
    with _driver(url) as db:
        if url.startswith("sqlite:///"):
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {name: int(db.execute(sql).fetchone()[0] or 0) for name, sql in queries.items()}


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    """A query's rows."""
    with _driver(url) as db:
        return [tuple(row) for row in db.execute(sql)]


def column(url: str, sql: str) -> list[Any]:
    """The first column of a query's rows."""
    return [row[0] for row in rows(url, sql)]


def execute(url: str, sql: str) -> None:
    """Run one statement."""
    with _driver(url) as db:
        db.execute(sql)


# The corpus of a test run (tests/conftest.py) is built once and copied for each test process.
# On PostgreSQL the copies are databases made with the built one as template (a file copy on the
# server); each database's comment names the folder it belongs to, so that a run can drop what
# earlier runs left once pytest has removed their folders.
CORPUS_PREFIX = "euprojects_corpus_"


def new_database(folder: Path) -> str:
    """A new, empty store for the corpus built in ``folder``."""
    if BACKEND == "sqlite":
        return f"sqlite:///{folder / 'store.db'}"
    server = server_url()
    name = _database_name(folder)
    with _driver(server) as conn:
        _drop_stale(conn)
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
        _label(conn, name, folder)
    return _on_database(server, name)


@contextmanager
def database_copy(folder: Path, built: Path) -> Iterator[str]:
    """This process's copy of the corpus built in ``built`` (``folder`` holds its copied files)."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{folder / 'store.db'}"
        return
    server = server_url()
    name = _database_name(folder)
    if folder != built:
        with _driver(server) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {_database_name(built)}")
            _label(conn, name, folder)
    try:
        yield _on_database(server, name)
    finally:
        with _driver(server) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _database_name(folder: Path) -> str:
    return CORPUS_PREFIX + hashlib.sha1(str(folder).encode()).hexdigest()[:16]


def _label(conn: Any, name: str, folder: Path) -> None:
    """Name the folder the database belongs to (a statement that takes no parameters)."""
    from psycopg import sql

    conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(str(folder))))


def _on_database(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _drop_stale(conn: Any) -> None:
    """Corpus databases whose folder is gone: left by runs that ended without dropping them."""
    rows = conn.execute(
        "SELECT d.datname, shobj_description(d.oid, 'pg_database') FROM pg_database d WHERE d.datname LIKE %s",
        (CORPUS_PREFIX + "%",),
    ).fetchall()
    for name, folder in rows:
        if not folder or not Path(folder).exists():
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
