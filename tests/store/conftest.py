"""A store fixture for every backend, so one contract suite covers them all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from euprojects.store import Store, open_store

BACKENDS = ["sqlite"]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.close()
