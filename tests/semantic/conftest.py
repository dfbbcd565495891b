"""Semantic search on the real corpus: the ERC's projects (English titles and abstracts) are
embedded with the real packaged model, with no network (HF_HUB_OFFLINE), into a copy of the
corpus' index folder, so the other tests' searches stay keyword searches."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from euprojects.store import Store

os.environ["HF_HUB_OFFLINE"] = "1"  # the model must load from the package, never from a hub
os.environ["TRANSFORMERS_OFFLINE"] = "1"

pytest.importorskip("euprojects.semantic.embed", reason="the semantic extra is not installed")

from euprojects.semantic.embed import EmbedReport, refresh
from euprojects.semantic.search import SemanticSearcher

EMBEDDED_SOURCES = {"erc"}  # about 3,000 English abstracts: what the tests search, at a bearable cost


@pytest.fixture(scope="session")
def semantic_corpus(
    corpus: tuple[Store, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Store, Path, EmbedReport]:
    store, index_dir = corpus
    own = tmp_path_factory.mktemp("semantic") / "index"
    shutil.copytree(index_dir, own)
    report = refresh(store, own, select=lambda project: project.source in EMBEDDED_SOURCES)
    return store, own, report


@pytest.fixture(scope="session")
def semantic_searcher(semantic_corpus: tuple[Store, Path, EmbedReport]) -> SemanticSearcher:
    store, index_dir, _ = semantic_corpus
    return SemanticSearcher(index_dir, store)
