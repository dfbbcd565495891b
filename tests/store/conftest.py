"""A store fixture for every backend, so one contract suite covers them all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from euprojects.store import Store, open_store
from tests.postgres import fresh_schema

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path / 'store.db'}")
        yield opened
        opened.close()
        return
    with fresh_schema(request.getfixturevalue("postgres_server")) as url:
        opened = open_store(url)
        yield opened
        opened.close()
