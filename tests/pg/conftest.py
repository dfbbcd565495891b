"""A few real files ingested into both backends, side by side, for the tests of the PostgreSQL
store beyond its contract: ingest, search, the API, copying, nodes and replicas.

Small on purpose (about 3,000 projects: ERC advanced grants, Interreg North Sea, Norway's EU
grants): the whole corpus is ingested once per session already (tests/conftest.py), on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from euprojects import ingest
from euprojects.index import rebuild
from euprojects.search import Searcher
from euprojects.settings import Settings
from euprojects.store import Store, open_store
from euprojects.web import create_app
from tests.conftest import data_dir
from tests.postgres import fresh_schema

pytestmark = pytest.mark.postgres
SMALL = ("erc-funded-projects/erc_advanced.csv", "interreg-north-sea-projects-2025", "forskningsradet-eu-grants-norway")


def small_paths() -> list[Path]:
    return [data_dir() / name for name in SMALL]


@dataclass
class Backend:
    """One backend's store of the small corpus, its URL and its search index."""

    name: str
    url: str
    store: Store
    index_dir: Path


def _ingested(name: str, url: str, home: Path) -> Backend:
    store = open_store(url)
    result = ingest.run(store, small_paths(), workers=1)
    assert not result.failed, [f.error for f in result.files if f.error]
    rebuild(store, home / "index", workers=1)
    return Backend(name, url, store, home / "index")


@pytest.fixture(scope="session")
def small(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Backend]]:
    """The small corpus on SQLite and on PostgreSQL (a schema of its own)."""
    sqlite_home = tmp_path_factory.mktemp("small-sqlite")
    pg_home = tmp_path_factory.mktemp("small-pg")
    with fresh_schema(postgres_server, "small") as url:
        backends = {
            "sqlite": _ingested("sqlite", f"sqlite:///{sqlite_home / 'store.db'}", sqlite_home),
            "postgresql": _ingested("postgresql", url, pg_home),
        }
        yield backends
        for backend in backends.values():
            backend.store.close()


def settings_for(backend: Backend, **changes: object) -> Settings:
    home = backend.index_dir.parent
    fields: dict[str, object] = {
        "home": home,
        "database_url": backend.url,
        "index_dir": backend.index_dir,
        "data": data_dir(),
        "batch_size": 2000,
        "host": "127.0.0.1",
        "port": 8000,
        **changes,
    }
    return Settings(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def clients(small: dict[str, Backend]) -> dict[str, TestClient]:
    """The portal over each backend's store, in-process."""
    return {
        name: TestClient(
            create_app(settings_for(backend), backend.store, Searcher(backend.index_dir, backend.store)),
            raise_server_exceptions=False,
        )
        for name, backend in small.items()
    }
