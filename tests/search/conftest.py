"""One real corpus, ingested and indexed once per test session, for the search tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from euprojects import ingest
from euprojects.index import rebuild
from euprojects.search import Searcher
from euprojects.store import Store, open_store
from tests.conftest import data_dir

CORPUS = (
    "erc-funded-projects",
    "structural-funds-os-data",
    "forskningsradet-eu-grants-norway",
    "cordis-horizon-organizations-split",
    "cordis-horizon-reports-deliverables/reportSummaries.xlsx",
    "cordis-h2020-cleantech-subset",
)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path]]:
    home = tmp_path_factory.mktemp("corpus")
    store = open_store(f"sqlite:///{home / 'store.db'}")
    paths = [data_dir() / name for name in CORPUS if (data_dir() / name).exists()]
    paths.append(data_dir().parent / "seeds")
    result = ingest.run(store, paths)
    assert not result.failed, [f.error for f in result.files if f.error]
    rebuild(store, home / "index")
    yield store, home / "index"
    store.close()


@pytest.fixture(scope="session")
def searcher(corpus: tuple[Store, Path]) -> Searcher:
    store, index_dir = corpus
    return Searcher(index_dir, store)


@pytest.fixture(scope="session")
def store(corpus: tuple[Store, Path]) -> Store:
    return corpus[0]
