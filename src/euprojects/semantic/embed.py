"""Bringing the vectors in step with the store: embed what is new or changed, forget what is
gone, update the vector index.

After the first run only the projects changed since (the store's change log) are looked at, and
of those only the ones whose embedded text changed are embedded again. Embedding runs over
worker processes (one model each, one thread each: on two cores two processes embed faster
than one process with two threads, measured in bench/README.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec

from euprojects.model import Project
from euprojects.semantic import stored, vector_index
from euprojects.semantic.encoder import MODEL_NAME, Encoder
from euprojects.semantic.stored import Vectors
from euprojects.semantic.text import TEXT_VERSION, project_text, text_hash
from euprojects.store import Store
from euprojects.workers import stream

Progress = Callable[[str, int, int], None]
READ_BATCH = 1000
EMBED_BATCH = 64  # texts per task: small enough for a smooth progress bar, big enough to batch well


class EmbedReport(msgspec.Struct):
    mode: str  # "built" (every project looked at), "updated" (changes only) or "current"
    looked_at: int
    embedded: int
    removed: int
    indexed: int
    seconds: float
    seq: int


def refresh(
    store: Store,
    index_dir: Path,
    progress: Progress | None = None,
    workers: int | None = None,
    select: Callable[[Project], bool] | None = None,
) -> EmbedReport:
    """Embed the projects whose text is new or changed and update the vector index; with
    ``select``, only the projects it accepts have vectors (the others lose theirs)."""
    started = time.perf_counter()
    seq = store.seq()
    state = vector_index.read_state(index_dir)
    index = vector_index.load_index(index_dir) if state is not None and state.model == MODEL_NAME else None
    if state is None or index is None or state.text != TEXT_VERSION:
        # which projects have a vector changed with the text version: every project is looked at
        # (an unchanged text keeps its vector, one that is no longer embedded loses it)
        mode, ids = "built", store.project_ids()
    else:
        changes, seq = store.changes_since(state.seq)
        mode, ids = "updated", sorted({pid for pid, _ in changes})
        if not ids:
            return EmbedReport("current", 0, 0, 0, len(index), time.perf_counter() - started, state.seq)
    wanted, gone = _texts_to_embed(store, ids, mode == "built", select)
    removed = stored.remove(store, gone)
    changed_keys = list(stored.keys_of(store, [pid for pid, _, _ in wanted]).values())
    new_keys = _embed(store, wanted, progress, workers)
    if index is None or mode == "built":
        indexed = vector_index.rebuild(store, index_dir, seq)
    else:
        indexed = _update_index(store, index_dir, index, [*removed, *changed_keys], new_keys, seq)
    return EmbedReport(mode, len(ids), len(wanted), len(removed), indexed, time.perf_counter() - started, seq)


def _texts_to_embed(
    store: Store, ids: Sequence[str], full: bool, select: Callable[[Project], bool] | None
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(project id, fingerprint, text) of the listed projects whose text has no vector yet, and the
    projects whose vector must go (deleted, no longer listed, nothing to embed)."""
    wanted: list[tuple[str, str, str]] = []
    keep: set[str] = set()
    for start in range(0, len(ids), READ_BATCH):
        part = list(ids[start : start + READ_BATCH])
        known = stored.hashes(store, part)
        for project in store.projects(part):
            chosen = project.unlisted is None and (select is None or select(project))
            text = project_text(project) if chosen else ""
            if not text:
                continue
            keep.add(project.id)
            digest = text_hash(MODEL_NAME, text)
            if known.get(project.id) != digest:
                wanted.append((project.id, digest, text))
    gone = sorted(stored.all_ids(store) - keep) if full else [pid for pid in ids if pid not in keep]
    return wanted, gone


def _embed(
    store: Store, wanted: Sequence[tuple[str, str, str]], progress: Progress | None, workers: int | None
) -> list[tuple[int, Vectors]]:
    """Embed and store; returns the (key, vector) pairs for the index.

    Texts go in order of length, so a batch pads its texts to about the same length: with
    lengths from a few words to 128 word pieces that halves the work."""
    wanted = sorted(wanted, key=lambda row: len(row[2]))
    tasks = [list(wanted[start : start + EMBED_BATCH]) for start in range(0, len(wanted), EMBED_BATCH)]
    count = workers if workers is not None else (os.cpu_count() or 1)
    done, added = 0, []
    for _, rows in stream(tasks, _embed_task, workers=count, parallel=len(wanted) > 4 * EMBED_BATCH):
        keys = stored.save(store, rows)
        added += [(keys[pid], vector) for pid, _, vector in rows]
        done += len(rows)
        if progress:
            progress("embedding", done, len(wanted))
    return added


_worker_encoder: Encoder | None = None


def _embed_task(rows: list[tuple[str, str, str]]) -> Iterator[list[tuple[str, str, Vectors]]]:
    """In a worker (or here): one model per process, loaded on its first task."""
    global _worker_encoder
    if _worker_encoder is None:
        _worker_encoder = Encoder(threads=1 if _in_worker() else None)
    vectors = _worker_encoder.texts([text for _, _, text in rows])
    yield [(pid, digest, vectors[i]) for i, (pid, digest, _) in enumerate(rows)]


def _in_worker() -> bool:
    import multiprocessing

    return multiprocessing.parent_process() is not None


def _update_index(
    store: Store, index_dir: Path, index: Any, old_keys: list[int], added: list[tuple[int, Vectors]], seq: int
) -> int:
    import numpy as np

    present = [key for key in old_keys if index.contains(key)]
    if present:
        index.remove(np.asarray(present, dtype=np.uint64))
    if added:
        index.add(np.asarray([k for k, _ in added], dtype=np.uint64), np.stack([v for _, v in added]))
    vector_index.save_index(index_dir, index)
    state = vector_index.VectorState(model=MODEL_NAME, seq=seq, count=len(index), text=TEXT_VERSION)
    vector_index.write_state(index_dir, state)
    return len(index)
