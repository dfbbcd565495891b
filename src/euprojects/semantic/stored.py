"""The embeddings kept in the store (table ``project_vectors``, :class:`~euprojects.store.vectors.Vectors`).

A vector is stored with the fingerprint of the text it was made from: an ingest that leaves a
project's text as it was leaves its vector too, and a node that rebuilds its vector index reads
the vectors back instead of embedding again. Here they are arrays; the store keeps their bytes
(float32, little-endian), on either backend.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from euprojects.store import Store
from euprojects.store.vectors import VectorRow

Vectors = npt.NDArray[np.float32]


def hashes(store: Store, project_ids: Sequence[str]) -> dict[str, str]:
    """The fingerprint of each of these projects' stored vector (those that have one)."""
    return store.vector_hashes(project_ids)


def save(store: Store, rows: Sequence[tuple[str, str, Vectors]]) -> dict[str, int]:
    """Store ``(project id, fingerprint, vector)`` rows; returns each project's key."""
    return store.save_vectors(
        [VectorRow(pid, digest, np.asarray(vector, dtype="<f4").tobytes()) for pid, digest, vector in rows]
    )


def remove(store: Store, project_ids: Sequence[str]) -> list[int]:
    """Forget these projects' vectors (deleted or no longer listed); returns their keys."""
    return store.remove_vectors(project_ids)


def keys_of(store: Store, project_ids: Sequence[str]) -> dict[str, int]:
    return store.vector_keys(project_ids)


def every(store: Store, batch: int = 5000) -> Iterator[tuple[list[int], list[str], Vectors]]:
    """Every stored vector, a batch at a time: keys, project ids and a matrix."""
    for rows in store.iter_vectors(batch):
        matrix = np.frombuffer(b"".join(r.vector for r in rows), dtype="<f4").reshape(len(rows), -1)
        yield [r.key for r in rows], [r.project_id for r in rows], matrix


def count(store: Store) -> int:
    return len(store.vector_keys())


def all_ids(store: Store) -> set[str]:
    return set(store.vector_keys())


def key_map(store: Store) -> dict[str, int]:
    """Every project's vector key, for the index's reader."""
    return store.vector_keys()
