"""What the store keeps of semantic search (table ``project_vectors``): each listed project's
embedding with the fingerprint of the text it came from, and the number the vector index knows
it by. Every backend provides these; ``euprojects.semantic.stored`` turns the bytes into arrays."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple, Protocol


class VectorRow(NamedTuple):
    """A project's embedding as stored: float32, little-endian."""

    project_id: str
    text_hash: str
    vector: bytes


class StoredVector(NamedTuple):
    key: int
    project_id: str
    vector: bytes


class Vectors(Protocol):
    def vector_hashes(self, project_ids: Sequence[str]) -> dict[str, str]:
        """The fingerprint of each of these projects' stored vector (those that have one)."""
        ...

    def save_vectors(self, rows: Sequence[VectorRow]) -> dict[str, int]:
        """Store (replace) these vectors in one transaction; returns each project's key."""
        ...

    def remove_vectors(self, project_ids: Sequence[str]) -> list[int]:
        """Forget these projects' vectors; returns the keys they had."""
        ...

    def vector_keys(self, project_ids: Sequence[str] | None = None) -> dict[str, int]:
        """The key of each of these projects' vector (of every stored vector when None)."""
        ...

    def iter_vectors(self, batch: int = 5000) -> Iterator[list[StoredVector]]:
        """Every stored vector in key order, a batch at a time."""
        ...
