"""Rebuilding projects from their records, on every core.

Reading a project's records, merging them and encoding the result is CPU work that needs only
a reading connection, so it runs in worker processes; the single writer (this process) applies
each batch in one transaction, which also clears the batch from the dirty set. A batch lost to a
crash stays dirty and is rebuilt by the next run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

from euprojects.ingest.merge import merge
from euprojects.model import Project
from euprojects.store import Store
from euprojects.store.base import Fragment
from euprojects.store.codec import PreparedBatch, prepare_batch
from euprojects.workers import stream, worker_store

Progress = Callable[[str, int], None]
BATCH = 1000
PARALLEL_FROM = 5000  # fewer dirty projects than this are not worth starting processes for


def merged_batch(store: Store, ids: Sequence[str]) -> PreparedBatch:
    """The projects of these dirty ids, merged from their records and encoded for saving."""
    groups = store.fragments(ids)
    projects = [merged(pid, fragments) for pid, fragments in groups.items() if fragments]
    deleted = [pid for pid, fragments in groups.items() if not fragments]
    return prepare_batch(projects, deleted, ids)


WITHDRAWN = "withdrawn: its source no longer lists it (since {date})"


def merged(project_id: str, fragments: list[Fragment]) -> Project:
    """The project merged from its live records; when its sources hold none any more, from the
    records they last held, marked withdrawn (and so out of search) rather than deleted."""
    live = [f for f in fragments if f.withdrawn is None]
    if live:
        return merge(project_id, live)
    project = merge(project_id, fragments)
    project.withdrawn = max(f.withdrawn for f in fragments if f.withdrawn is not None)
    project.unlisted = WITHDRAWN.format(date=project.withdrawn.date().isoformat())
    return project


def materialise(
    store: Store,
    progress: Progress | None = None,
    workers: int | None = None,
    saved: Callable[[PreparedBatch], None] | None = None,
) -> int:
    """Rebuild every dirty project from its records; returns how many were rebuilt or removed.
    ``saved`` sees each batch once the store has saved it."""
    ids = store.all_dirty()
    batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    workers = workers if workers is not None else (os.cpu_count() or 1)
    prepared = stream(batches, _merge_batch, workers=workers, parallel=len(ids) >= PARALLEL_FROM, store_url=store.url)
    total = 0
    for _, batch in prepared:
        store.save_prepared(batch)
        if saved:
            saved(batch)
        total += len(batch.rows) + len(batch.deleted)
        if progress:
            progress("merging projects", total)
    return total


def _merge_batch(ids: list[str]) -> Iterator[PreparedBatch]:
    yield merged_batch(worker_store(), ids)
