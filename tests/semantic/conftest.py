"""Semantic search on the real corpus: some of the ERC's projects (English titles and abstracts)
are embedded with the real packaged model, with no network (HF_HUB_OFFLINE), into a copy of the
corpus' index folder, so the other tests' searches stay keyword searches. Embedding takes about
a minute of CPU for these 600 projects, so the tests that need it are marked slow."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from euprojects.model import Project
from euprojects.store import Store

os.environ["HF_HUB_OFFLINE"] = "1"  # the model must load from the package, never from a hub
os.environ["TRANSFORMERS_OFFLINE"] = "1"

pytest.importorskip("euprojects.semantic.embed", reason="the semantic extra is not installed")

from euprojects.semantic.embed import EmbedReport, refresh
from euprojects.semantic.search import SemanticSearcher

# The ERC's consolidator grants (578 English abstracts) and the projects the tests look for by
# name: enough projects to search among, at a bearable cost.
NAMED = {"erc:stg-suliwa-20080801", "erc:adg-acrcc-20140301"}


def embedded(project: Project) -> bool:
    return project.id.startswith("erc:cog-") or project.id in NAMED


@pytest.fixture(scope="session")
def semantic_corpus(
    corpus: tuple[Store, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Store, Path, EmbedReport]:
    store, index_dir = corpus
    own = tmp_path_factory.mktemp("semantic") / "index"
    shutil.copytree(index_dir, own)
    report = refresh(store, own, select=embedded)
    return store, own, report


@pytest.fixture(scope="session")
def semantic_searcher(semantic_corpus: tuple[Store, Path, EmbedReport]) -> SemanticSearcher:
    store, index_dir, _ = semantic_corpus
    return SemanticSearcher(index_dir, store)
