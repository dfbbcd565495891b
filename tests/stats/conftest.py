"""The portal over the session's real corpus, in-process, for the statistics pages and API."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from euprojects.search import Searcher
from euprojects.settings import load
from euprojects.store import Store
from euprojects.web import create_app


@pytest.fixture(scope="session")
def stats_client(corpus: tuple[Store, Path], corpus_searcher: Searcher) -> TestClient:
    store, index_dir = corpus
    settings = load({"EUPROJECTS_HOME": str(index_dir.parent)})
    return TestClient(create_app(settings, store, corpus_searcher), raise_server_exceptions=False)
