"""Building the index from the store and keeping it in step with the store's change log.

The index lives in a generation folder named by ``state.json`` together with the change
sequence it reflects. An update applies the changes after that sequence; a rebuild writes a
new generation and switches ``state.json`` atomically, so readers never see half an index.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import tantivy

from euprojects.index.documents import document_json, to_document
from euprojects.index.lock import index_lock
from euprojects.index.schema import SCHEMA_VERSION, analyzers, build_schema
from euprojects.model import Project
from euprojects.store import Store
from euprojects.workers import stream, worker_store

Progress = Callable[[str, int], None]
WRITER_HEAP = 256_000_000
BATCH = 1000
PARALLEL_FROM = 20_000  # fewer projects than this are indexed faster than processes start


class IndexState(msgspec.Struct):
    generation: str
    seq: int
    schema: int = SCHEMA_VERSION


class IndexReport(msgspec.Struct):
    mode: str
    documents: int
    seconds: float
    seq: int


def read_state(folder: Path) -> IndexState | None:
    try:
        return msgspec.json.decode((folder / "state.json").read_bytes(), type=IndexState)
    except (FileNotFoundError, msgspec.DecodeError):
        return None


def _write_state(folder: Path, state: IndexState) -> None:
    temporary = folder / "state.json.tmp"
    temporary.write_bytes(msgspec.json.encode(state))
    os.replace(temporary, folder / "state.json")


def _register(index: tantivy.Index) -> tantivy.Index:
    for name, analyzer in analyzers().items():
        index.register_tokenizer(name, analyzer)
    return index


def open_index(folder: Path) -> tantivy.Index | None:
    """The current index, or None when there is none or it was built with another schema."""
    state = read_state(folder)
    if state is None or state.schema != SCHEMA_VERSION or not (folder / state.generation).is_dir():
        return None
    return _register(tantivy.Index.open(str(folder / state.generation)))


def indexed(project: Project) -> bool:
    """Listed projects, and withdrawn ones (kept with their last content), which a search finds
    only when it asks for them (``withdrawn:true``); projects named only by topic or web-link
    tables are not indexed."""
    return project.unlisted is None or project.withdrawn is not None


def _documents(store: Store, ids: list[str]) -> list[str]:
    """Index documents (as JSON) of these projects, read from the store in two queries; projects
    that are not listed (named only by topic or web-link tables) have none."""
    projects = [p for p in store.projects(ids) if indexed(p)]
    numbers = store.numbers([p.id for p in projects])
    aliases = store.aliases_of([p.id for p in projects])
    return [document_json(project, numbers[project.id], aliases.get(project.id, ())) for project in projects]


def _document_batch(ids: list[str]) -> Iterator[list[str]]:
    """Documents built in a worker (or here), reading the store on its own connection; the
    Tantivy writer indexes them on its own threads meanwhile."""
    yield _documents(worker_store(), ids)


def rebuild(store: Store, folder: Path, progress: Progress | None = None, workers: int | None = None) -> IndexReport:
    """Write a complete new index from the store and switch to it."""
    with index_lock(folder):
        return _rebuild(store, folder, progress, workers)


def _rebuild(store: Store, folder: Path, progress: Progress | None, workers: int | None) -> IndexReport:
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    seq = store.seq()
    generation = f"g{time.time_ns()}"
    (folder / generation).mkdir()
    try:
        count = _fill(store, folder / generation, progress, workers)
    except BaseException:
        # interrupted or failed: the current generation stays; the half-written one goes
        shutil.rmtree(folder / generation, ignore_errors=True)
        raise
    _write_state(folder, IndexState(generation=generation, seq=seq))
    _remove_other_generations(folder, generation)
    return IndexReport(mode="rebuilt", documents=count, seconds=time.perf_counter() - started, seq=seq)


def _fill(store: Store, target: Path, progress: Progress | None, workers: int | None) -> int:
    """Index every project of the store into a new index in ``target``; returns how many."""
    index = _register(tantivy.Index(build_schema(), str(target)))
    writer = index.writer(heap_size=WRITER_HEAP)
    ids = store.indexed_project_ids()
    batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    workers = workers if workers is not None else (os.cpu_count() or 1)
    documents = stream(
        batches, _document_batch, workers=workers, parallel=len(ids) >= PARALLEL_FROM, store_url=store.url
    )
    count = 0
    try:
        for _, batch in documents:
            for document in batch:
                writer.add_json(document)
            count += len(batch)
            if progress:
                progress("indexing", count)
    except BaseException:
        # Stop Tantivy's indexing threads before the folder is removed: dropping the last
        # reference to the writer joins them, and they would otherwise go on writing files.
        writer.rollback()
        del writer, index
        raise
    writer.commit()
    writer.wait_merging_threads()
    return count


def _remove_other_generations(folder: Path, current: str) -> None:
    """Every generation but the current one: the one it replaced, and any a killed rebuild left."""
    for entry in folder.iterdir():
        if entry.is_dir() and entry.name.startswith("g") and entry.name[1:].isdigit() and entry.name != current:
            shutil.rmtree(entry, ignore_errors=True)


def update(store: Store, folder: Path, progress: Progress | None = None) -> IndexReport:
    """Apply the store's changes since the index was last brought in step; rebuild if needed."""
    with index_lock(folder):
        return _update(store, folder, progress)


def _update(store: Store, folder: Path, progress: Progress | None) -> IndexReport:
    started = time.perf_counter()
    index = open_index(folder)
    state = read_state(folder)
    if index is None or state is None:
        return rebuild(store, folder, progress)
    changes, latest = store.changes_since(state.seq)
    if not changes:
        return IndexReport(mode="current", documents=0, seconds=time.perf_counter() - started, seq=state.seq)
    index.reload()
    if len(changes) > max(10_000, index.searcher().num_docs // 2):
        return rebuild(store, folder, progress)
    writer = index.writer(heap_size=WRITER_HEAP)
    for start in range(0, len(changes), BATCH):
        part = changes[start : start + BATCH]
        for project_id, _ in part:
            writer.delete_documents_by_term("id", project_id)
        projects = [p for p in store.projects([pid for pid, deleted in part if not deleted]) if indexed(p)]
        numbers = store.numbers([p.id for p in projects])
        aliases = store.aliases_of([p.id for p in projects])
        for project in projects:
            writer.add_document(to_document(project, numbers[project.id], aliases.get(project.id, ())))
    writer.commit()
    writer.wait_merging_threads()
    _write_state(folder, IndexState(generation=state.generation, seq=latest))
    return IndexReport(mode="updated", documents=len(changes), seconds=time.perf_counter() - started, seq=latest)


class IndexStatus(msgspec.Struct):
    """Whether search sees what the store holds: ``current``, ``behind`` (changes not applied yet,
    e.g. after an ingest killed between the two) or ``missing``; ``pending`` counts the changes."""

    state: str
    index_seq: int | None
    store_seq: int
    pending: int
    remedy: str | None = None


def status(store: Store, folder: Path) -> IndexStatus:
    state = read_state(folder)
    store_seq = store.seq()
    if state is None or open_index(folder) is None:
        return IndexStatus("missing", None, store_seq, 0, "run `euprojects reindex` to build it")
    changes, _ = store.changes_since(state.seq)
    if not changes:
        return IndexStatus("current", state.seq, store_seq, 0)
    remedy = "run `euprojects reindex` (or any ingest, which applies them too)"
    return IndexStatus("behind", state.seq, store_seq, len(changes), remedy)
