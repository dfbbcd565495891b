"""The vector index: usearch's HNSW graph of every project's embedding, on disk in the
``vectors`` folder beside the Tantivy generations, rebuilt from the store's vectors without
embedding anything, and updated in place after an ingest.

``state.json`` names the model and the store change the index reflects; it is written last, so
a reader that sees it sees a complete index file. A searcher reopens the index when the state
file's time changes, as it does for the Tantivy index.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from euprojects.semantic import stored
from euprojects.semantic.encoder import DIMENSIONS, MODEL_NAME
from euprojects.semantic.stored import Vectors
from euprojects.semantic.text import TEXT_VERSION
from euprojects.store import Store

FOLDER = "vectors"
INDEX_FILE = "vectors.usearch"


class VectorState(msgspec.Struct):
    model: str
    seq: int
    count: int
    text: int = 1  # the TEXT_VERSION of semantic/text.py the vectors were chosen by (1: before it was named)


def folder_of(index_dir: Path) -> Path:
    return index_dir / FOLDER


def read_state(index_dir: Path) -> VectorState | None:
    try:
        return msgspec.json.decode((folder_of(index_dir) / "state.json").read_bytes(), type=VectorState)
    except (FileNotFoundError, msgspec.DecodeError):
        return None


def write_state(index_dir: Path, state: VectorState) -> None:
    folder = folder_of(index_dir)
    temporary = folder / "state.json.tmp"
    temporary.write_bytes(msgspec.json.encode(state))
    os.replace(temporary, folder / "state.json")


def new_index() -> Any:
    from usearch.index import Index

    # f16 halves the memory of f32 (2M projects: 1.5 GB instead of 3) for a loss of precision
    # that does not change which neighbours are found.
    return Index(ndim=DIMENSIONS, metric="cos", dtype="f16")


def load_index(index_dir: Path) -> Any | None:
    path = folder_of(index_dir) / INDEX_FILE
    if not path.exists():
        return None
    index = new_index()
    index.load(str(path))
    return index


def save_index(index_dir: Path, index: Any) -> None:
    folder = folder_of(index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / (INDEX_FILE + ".tmp")
    index.save(str(temporary))
    os.replace(temporary, folder / INDEX_FILE)


def rebuild(store: Store, index_dir: Path, seq: int) -> int:
    """A new index of every vector the store holds; no text is embedded."""
    index = new_index()
    for keys, _, matrix in stored.every(store):
        index.add(np.asarray(keys, dtype=np.uint64), matrix)
    save_index(index_dir, index)
    write_state(index_dir, VectorState(model=MODEL_NAME, seq=seq, count=len(index), text=TEXT_VERSION))
    return len(index)


class Neighbours:
    """Nearest projects to a vector, read from the index on disk; reopened when it changes."""

    def __init__(self, index_dir: Path, store: Store) -> None:
        self.index_dir = index_dir
        self.store = store
        self._lock = threading.Lock()
        self._stamp: float | None = None
        self._index: Any | None = None
        self._ids: dict[int, str] = {}
        self._keys: dict[str, int] = {}

    def _state_stamp(self) -> float | None:
        try:
            return os.stat(folder_of(self.index_dir) / "state.json").st_mtime
        except FileNotFoundError:
            return None

    def ready(self) -> bool:
        """Whether there is an index of this model to search (reopening it if it changed)."""
        stamp = self._state_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._open(stamp)
        return self._index is not None

    def _open(self, stamp: float | None) -> None:
        state = read_state(self.index_dir)
        index = load_index(self.index_dir) if state is not None and state.model == MODEL_NAME else None
        keys: dict[str, int] = {}
        if index is not None:
            keys = stored.key_map(self.store)
        self._index, self._keys, self._stamp = index, keys, stamp
        self._ids = {key: pid for pid, key in keys.items()}

    def __len__(self) -> int:
        return len(self._index) if self._index is not None else 0

    def nearest(self, vector: Vectors, count: int) -> list[tuple[str, float]]:
        """Up to ``count`` (project id, cosine similarity), the closest first."""
        index = self._index
        if index is None or count <= 0 or len(index) == 0:  # usearch refuses a count of 0
            return []
        # one thread: usearch's default (every core) made one query's search wait on threads that
        # the other work of a shared machine held
        found = index.search(vector, min(count, len(index)), threads=1)
        ids = self._ids
        return [
            (ids[key], 1.0 - distance)
            for key, distance in zip(found.keys.tolist(), found.distances.tolist(), strict=True)
            if key in ids
        ]

    def vectors(self, project_ids: Sequence[str]) -> tuple[list[str], Vectors]:
        """The indexed vectors of those of these projects that have one."""
        index = self._index
        known = [pid for pid in project_ids if pid in self._keys]
        if index is None or not known:
            return [], np.zeros((0, DIMENSIONS), dtype=np.float32)
        found = index.get(np.asarray([self._keys[pid] for pid in known], dtype=np.uint64), dtype=np.float32)
        rows = [(pid, vector) for pid, vector in zip(known, found, strict=True) if vector is not None]
        if not rows:
            return [], np.zeros((0, DIMENSIONS), dtype=np.float32)
        matrix = np.stack([np.asarray(vector, dtype=np.float32) for _, vector in rows])
        return [pid for pid, _ in rows], matrix

    def exact(self, vector: Vectors, project_ids: Sequence[str], count: int) -> list[tuple[str, float]]:
        """The closest of the given projects, compared one by one: for a filter that leaves few."""
        known, matrix = self.vectors(project_ids)
        if not known:
            return []
        norms = np.linalg.norm(matrix, axis=1)
        norms[norms == 0] = 1.0
        similarity = (matrix @ vector) / norms
        order = np.argsort(-similarity)[:count]
        return [(known[i], float(similarity[i])) for i in order]
