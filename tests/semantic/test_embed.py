"""Vectors in the store and the vector index: embedded once, kept, rebuilt without embedding."""

from __future__ import annotations

import shutil
from pathlib import Path

import msgspec
import numpy as np
import pytest

from euprojects.semantic import stored, vector_index
from euprojects.semantic.embed import EmbedReport, refresh
from euprojects.semantic.encoder import DIMENSIONS, MODEL_NAME
from euprojects.semantic.text import TEXT_VERSION, project_text, text_hash
from euprojects.store import Store

from .conftest import embedded

pytestmark = pytest.mark.slow


def test_every_listed_project_of_the_selection_has_one_vector(semantic_corpus: tuple[Store, Path, EmbedReport]) -> None:
    store, index_dir, report = semantic_corpus
    expected = {p.id for p in store.iter_projects() if p.unlisted is None and embedded(p) and project_text(p)}
    assert report.mode == "built"
    assert len(expected) > 500
    assert stored.all_ids(store) == expected
    assert report.indexed == len(expected)
    state = vector_index.read_state(index_dir)
    assert state is not None and state.model == MODEL_NAME and state.count == len(expected)
    _, _, matrix = next(stored.every(store, batch=10))
    assert matrix.shape == (10, DIMENSIONS)
    assert abs(float((matrix[0] ** 2).sum()) - 1.0) < 1e-3  # unit vectors


def test_a_second_run_embeds_nothing(semantic_corpus: tuple[Store, Path, EmbedReport]) -> None:
    store, index_dir, _ = semantic_corpus
    again = refresh(store, index_dir, select=lambda p: embedded(p))
    assert again.mode == "current"
    assert again.embedded == 0


def test_a_node_rebuilds_its_index_embedding_only_changed_texts(
    semantic_corpus: tuple[Store, Path, EmbedReport], tmp_path: Path
) -> None:
    """A new node (no vector index) reads the stored vectors; a project whose text changed since
    (its fingerprint no longer matches) is the only one embedded again."""
    store, index_dir, report = semantic_corpus
    node = tmp_path / "index"
    shutil.copytree(index_dir, node, ignore=shutil.ignore_patterns(vector_index.FOLDER))
    changed = sorted(stored.all_ids(store))[:2]
    db = store.db  # type: ignore[attr-defined]
    db.executemany("UPDATE project_vectors SET text_hash = 'before' WHERE project_id = ?", [(p,) for p in changed])
    rebuilt = refresh(store, node, select=lambda p: embedded(p))
    assert rebuilt.mode == "built"
    assert rebuilt.embedded == 2
    assert rebuilt.indexed == report.indexed
    project = store.project(changed[0])
    assert project is not None
    assert stored.hashes(store, changed)[changed[0]] == text_hash(MODEL_NAME, project_text(project))


def test_a_project_leaving_the_selection_loses_its_vector(
    semantic_corpus: tuple[Store, Path, EmbedReport], tmp_path: Path
) -> None:
    store, index_dir, report = semantic_corpus
    node = tmp_path / "index"
    shutil.copytree(index_dir, node)
    dropped = sorted(stored.all_ids(store))[-1]
    try:
        (node / vector_index.FOLDER / "state.json").unlink()  # no change in the store: look at all
        smaller = refresh(store, node, select=lambda p: embedded(p) and p.id != dropped)
        assert dropped not in stored.all_ids(store)
        assert smaller.indexed == report.indexed - 1
    finally:  # the shared store and index as they were (the vector comes back under a new key)
        (node / vector_index.FOLDER / "state.json").unlink(missing_ok=True)
        refresh(store, node, select=embedded)
        state = vector_index.read_state(index_dir)
        assert state is not None
        vector_index.rebuild(store, index_dir, state.seq)
    assert dropped in stored.all_ids(store)


def test_an_index_with_no_vectors_finds_nothing_without_failing(
    semantic_corpus: tuple[Store, Path, EmbedReport], tmp_path: Path
) -> None:
    """An index built before anything was embedded (or with every vector removed) is ready and
    empty: a search by meaning in it finds nothing (usearch itself refuses to look for 0)."""
    store, _, _ = semantic_corpus
    vector_index.save_index(tmp_path, vector_index.new_index())
    vector_index.write_state(tmp_path, vector_index.VectorState(model=MODEL_NAME, seq=store.seq(), count=0))
    neighbours = vector_index.Neighbours(tmp_path, store)
    assert neighbours.ready()
    assert neighbours.nearest(np.ones(DIMENSIONS, dtype=np.float32) / DIMENSIONS**0.5, 10) == []


def test_vectors_chosen_by_an_older_text_version_are_sorted_out_once(
    semantic_corpus: tuple[Store, Path, EmbedReport], tmp_path: Path
) -> None:
    """A vector index made when the labels of untitled projects were embedded (text version 1)
    makes the next refresh look at every project: the label's vector goes, and no text is
    embedded again. With the current version the same vector would stay (nothing changed)."""
    store, index_dir, report = semantic_corpus
    node = tmp_path / "index"
    shutil.copytree(index_dir, node)
    untitled = next(p for p in store.iter_projects() if p.unlisted is None and not p.title and not p.summary)
    stored.save(store, [(untitled.id, "a label", np.ones(DIMENSIONS, dtype=np.float32) / DIMENSIONS**0.5)])
    state = vector_index.read_state(node)
    assert state is not None and state.text == TEXT_VERSION
    try:
        assert refresh(store, node, select=embedded).mode == "current"
        assert untitled.id in stored.all_ids(store)
        vector_index.write_state(node, msgspec.structs.replace(state, text=1))
        again = refresh(store, node, select=embedded)
        assert (again.mode, again.embedded) == ("built", 0)
        assert untitled.id not in stored.all_ids(store)
        assert again.indexed == report.indexed
        after = vector_index.read_state(node)
        assert after is not None and after.text == TEXT_VERSION
    finally:
        stored.remove(store, [untitled.id])
