"""The search tests read the session's real corpus (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from euprojects.search import Searcher
from euprojects.store import Store


@pytest.fixture(scope="session")
def searcher(corpus_searcher: Searcher) -> Searcher:
    return corpus_searcher


@pytest.fixture(scope="session")
def store(corpus: tuple[Store, Path]) -> Store:
    return corpus[0]
