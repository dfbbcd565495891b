"""Records of truth: the Store interface and its backends."""

from __future__ import annotations

from pathlib import Path

from euprojects.store.base import Store


def open_store(url: str, migrate: bool = True) -> Store:
    """Open the store a URL names: ``sqlite:///path`` (PostgreSQL arrives with its own backend)."""
    if url.startswith("sqlite:///"):
        from euprojects.store.sqlite import SQLiteStore

        store: Store = SQLiteStore(Path(url.removeprefix("sqlite:///")))
    elif url.startswith(("postgresql://", "postgres://")):
        raise ValueError("the PostgreSQL store is not part of this version; use a sqlite:/// URL")
    else:
        raise ValueError(f"unsupported database URL {url!r}: expected sqlite:///path/to/file.db")
    if migrate:
        store.migrate()
    return store


__all__ = ["Store", "open_store"]
