"""The portal over the session's real corpus, in-process, for the reconciliation service."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from euprojects.orgs.candidates import candidates_for
from euprojects.search import Searcher
from euprojects.settings import load
from euprojects.store import Store
from euprojects.web import create_app


@pytest.fixture(scope="session")
def client(corpus: tuple[Store, Path], corpus_searcher: Searcher) -> TestClient:
    store, index_dir = corpus
    settings = load({"EUPROJECTS_HOME": str(index_dir.parent)})
    app = create_app(settings, store, corpus_searcher)
    candidates_for(store, store.url, store.seq())  # the name index the portal builds as it starts, ready
    return TestClient(app, raise_server_exceptions=False)
