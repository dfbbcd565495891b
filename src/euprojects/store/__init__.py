"""Records of truth: the Store interface and its backends."""

from __future__ import annotations

from pathlib import Path

from euprojects.store.base import Store

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(url: str, migrate: bool = True, read_url: str | None = None) -> Store:
    """Open the store a URL names: ``sqlite:///path`` or ``postgresql://user@host:port/database``,
    with reads on ``read_url`` (a PostgreSQL replica) when given."""
    if url.startswith("sqlite:///"):
        if read_url:
            raise ValueError("a read URL (EUPROJECTS_DATABASE_READ_URL) needs a postgresql:// store URL")
        from euprojects.store.sqlite import SQLiteStore

        store: Store = SQLiteStore(Path(url.removeprefix("sqlite:///")))
    elif url.startswith(POSTGRES_SCHEMES):
        if read_url and not read_url.startswith(POSTGRES_SCHEMES):
            raise ValueError(f"the read URL {read_url!r} is not a postgresql:// URL")
        try:
            from euprojects.store.postgres import PostgresStore
        except ImportError:
            raise ValueError("the PostgreSQL store needs psycopg: pip install 'euprojects[postgres]'") from None
        store = PostgresStore(url, read_url)
    else:
        raise ValueError(
            f"unsupported database URL {url!r}: expected sqlite:///path/to/file.db or postgresql://host/database"
        )
    if migrate:
        store.migrate()
    return store


__all__ = ["Store", "open_store"]
