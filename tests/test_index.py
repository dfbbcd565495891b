"""The index built from the store: in one process or in several, and kept in step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from euprojects.index import build as index_build
from euprojects.index.documents import document_fields
from euprojects.model import Project
from euprojects.search import Searcher, SearchRequest
from euprojects.store import Store

QUERIES = ("energy", '"climate change"', "cooperat*", "org:university", "")


def answers(searcher: Searcher) -> list[object]:
    """Totals, facets and the scores of the top hits: the order of hits with equal scores depends on
    how Tantivy's indexing threads laid the documents out, which differs from build to build."""
    request = [SearchRequest(query=q, limit=20, facets=("country", "source", "start_year")) for q in QUERIES]
    results = [searcher.search(r) for r in request]
    return [(r.total, [round(h.score, 3) for h in r.hits], r.facets) for r in results]


def test_built_in_worker_processes_the_index_answers_as_one_built_here(
    corpus: tuple[Store, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = corpus
    here = index_build.rebuild(store, tmp_path / "here", workers=1)
    monkeypatch.setattr(index_build, "PARALLEL_FROM", 1)
    parallel = index_build.rebuild(store, tmp_path / "parallel", workers=2)
    assert here.documents == parallel.documents == store.stats().projects
    assert answers(Searcher(tmp_path / "here", store)) == answers(Searcher(tmp_path / "parallel", store))


def test_a_rebuild_switches_generations_and_removes_the_old_one(corpus: tuple[Store, Path], tmp_path: Path) -> None:
    store, _ = corpus
    first = index_build.rebuild(store, tmp_path, workers=1)
    old = index_build.read_state(tmp_path)
    assert old is not None and (tmp_path / old.generation).is_dir()
    searcher = Searcher(tmp_path, store)
    before = searcher.search(SearchRequest(query="energy", limit=0)).total
    index_build.rebuild(store, tmp_path, workers=1)
    new = index_build.read_state(tmp_path)
    assert new is not None and new.generation != old.generation and not (tmp_path / old.generation).exists()
    assert searcher.search(SearchRequest(query="energy", limit=0)).total == before  # reopened on its own
    assert first.documents == store.stats().projects


def test_repeated_searches_come_from_the_cache_until_the_index_changes(
    corpus: tuple[Store, Path], tmp_path: Path
) -> None:
    store, _ = corpus
    index_build.rebuild(store, tmp_path, workers=1)
    searcher = Searcher(tmp_path, store, cache_size=8)
    request = SearchRequest(query="hydrogen storage", limit=5)
    first = searcher.search(request)
    assert searcher.search(SearchRequest(query="hydrogen storage", limit=5)) is first
    second_page = searcher.search(SearchRequest(query="hydrogen storage", limit=5, page=2))
    assert second_page is not first and second_page.hits != first.hits
    # the next page and another order count no facets again: they are the first page's
    assert second_page.facets is first.facets
    assert searcher.search(SearchRequest(query="hydrogen storage", limit=5, sort="-start_date")).facets is first.facets
    narrowed = searcher.search(SearchRequest(query="hydrogen storage", limit=5, filters={"country": ["DE"]}))
    assert narrowed.facets is not first.facets and narrowed.total < first.total
    index_build.rebuild(store, tmp_path, workers=1)
    again = searcher.search(request)
    assert again is not first and again.total == first.total
    uncached = Searcher(tmp_path, store, cache_size=0)
    assert uncached.search(request) is not uncached.search(request)
    paged = uncached.search(SearchRequest(query="hydrogen storage", limit=5, page=2))
    assert paged.facets is not again.facets and paged.facets == again.facets


def test_an_interrupted_rebuild_keeps_the_current_index_and_leaves_nothing_behind(
    corpus: tuple[Store, Path], tmp_path: Path
) -> None:
    store, _ = corpus
    index_build.rebuild(store, tmp_path, workers=1)
    current = index_build.read_state(tmp_path)
    assert current is not None
    left_by_a_killed_rebuild = tmp_path / "g1"
    left_by_a_killed_rebuild.mkdir()

    def interrupt(stage: str, count: int) -> None:
        raise KeyboardInterrupt  # Ctrl-C after the first batch of documents

    with pytest.raises(KeyboardInterrupt):
        index_build.rebuild(store, tmp_path, progress=interrupt, workers=1)
    assert index_build.read_state(tmp_path) == current
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == sorted([current.generation, "g1"])
    assert Searcher(tmp_path, store).search(SearchRequest(query="energy", limit=1)).total > 0

    done = index_build.rebuild(store, tmp_path, workers=1)
    state = index_build.read_state(tmp_path)
    assert state is not None and done.documents == store.stats().projects
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [state.generation]


def test_each_language_field_holds_its_projects_texts(corpus: tuple[Store, Path]) -> None:
    """Polish and Croatian texts are indexed as lemmas, the stemmed languages as written (Tantivy
    stems them), English in no language field of its own."""
    store, _ = corpus
    projects = list(store.iter_projects())
    for source, field, form, lemma in (("os-pl", "text_pl", "wody", "woda"), ("os-hr", "text_hr", "škole", "škola")):
        project = next(p for p in projects if p.source == source and form in words(texts(p)))
        indexed = str(document_fields(project, 1)[field]).split()
        assert lemma in indexed and form not in indexed
    danish = next(p for p in projects if p.source == "os-dk")
    assert document_fields(danish, 2)["text_da"] == texts(danish)
    english = next(p for p in projects if p.source == "cordis")
    assert not [name for name in document_fields(english, 3) if name.startswith("text_")]


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", text.lower()))


def texts(project: Project) -> str:
    return f"{project.title or ''}\n{project.summary or ''}\n{project.results or ''}"
