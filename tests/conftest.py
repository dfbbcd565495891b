"""Shared fixtures: the real data folder, and a fresh home for each test's store and index."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from filelock import FileLock

from euprojects import ingest
from euprojects.index import rebuild
from euprojects.search import Searcher
from euprojects.store import Store, open_store
from tests.backend import database_copy, new_database
from tests.postgres import server_url

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def data_dir() -> Path:
    """``EUPROJECTS_DATA``, defaulting to ``../shared/data`` beside the repository."""
    configured = os.environ.get("EUPROJECTS_DATA")
    return Path(configured).resolve() if configured else (ROOT.parent / "shared" / "data").resolve()


# The module that runs longest (two ingests of all the data, minutes) starts first: test processes
# take modules in collection order, and started last it would run on alone at the end.
LONGEST_FIRST = ("test_full_ingest.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in LONGEST_FIRST)  # stable: the rest keep their order


@pytest.fixture(scope="session")
def data() -> Path:
    folder = data_dir()
    if not folder.is_dir():
        pytest.fail(f"the real data folder {folder} is missing; set EUPROJECTS_DATA")
    return folder


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server of the tests (tests/postgres.py); skipped without one, failed under CI."""
    return server_url()


@pytest.fixture(scope="session")
def seeds() -> Path:
    return data_dir().parent / "seeds"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


# A real corpus for search and web tests: English abstracts (ERC, CORDIS), partners and
# countries (Horizon Europe organisations, Norway, national lists), six languages, Interreg
# projects, Kohesio's beneficiary totals, the keep.eu seed page, and a page whose texts contain
# markup, to prove it is shown as text.
CORPUS = (
    "erc-funded-projects",
    "structural-funds-os-data",
    "forskningsradet-eu-grants-norway",
    "cordis-horizon-organizations-split",
    "cordis-horizon-reports-deliverables/reportSummaries.xlsx",
    "cordis-h2020-cleantech-subset",
    "interreg-north-sea-projects-2025",
    "kohesio-beneficiaries-cee-2023",
)


def _build_corpus(home: Path, url: str) -> None:
    store = open_store(url)
    try:
        paths = [data_dir() / name for name in CORPUS]
        paths += [data_dir().parent / "seeds", FIXTURES / "keep"]
        result = ingest.run(store, paths)
        assert not result.failed, [f.error for f in result.files if f.error]
        rebuild(store, home / "index")
    finally:
        store.close()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[Store, Path]]:
    """The corpus ingested and indexed once per test run, in this run's backend (tests/backend.py).
    With test processes in parallel (pytest-xdist), the first builds it under a lock and each takes
    a copy of its own, since some tests add to their store (vectors, withdrawals): the folder (the
    SQLite file and the index) and, on PostgreSQL, a database made with the shared one as template."""
    home = tmp_path_factory.mktemp("corpus")
    shared = home if worker_id == "master" else tmp_path_factory.getbasetemp().parent / "corpus-shared"
    with ExitStack() as stack:
        with FileLock(f"{shared}.lock"):
            if not (shared / "built").exists():
                shared.mkdir(exist_ok=True)
                _build_corpus(shared, new_database(shared))
                (shared / "built").touch()
            if shared != home:
                shutil.copytree(shared, home, ignore=shutil.ignore_patterns("built"), dirs_exist_ok=True)
            url = stack.enter_context(database_copy(home, shared))
        store = open_store(url)
        yield store, home / "index"
        store.close()


@pytest.fixture(scope="session")
def corpus_searcher(corpus: tuple[Store, Path]) -> Searcher:
    store, index_dir = corpus
    return Searcher(index_dir, store)
