"""One index writer per node: the lock an index update or rebuild holds on its folder.

Each node of a shared store keeps an index of its own and brings it in step with the store's
change log: its portal processes on a schedule (``index.sync``), an ingest run on that node when
it ends. Two of them writing one index at once would fail on Tantivy's own lock half-way, so
they take turns on a file lock in the index folder (``locking.writer_lock``: released by the
kernel however its holder dies). Taken again by a thread that holds it (an update that turns
into a rebuild), it is already held.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from euprojects.store import locking

LOCK_NAME = "writer.lock"
_held = threading.local()


@contextmanager
def index_lock(folder: Path) -> Iterator[None]:
    """Hold the index folder's writer lock for the block, waiting for another holder."""
    key = str(folder.resolve())
    held: set[str] = _held.__dict__.setdefault("folders", set())
    if key in held:
        yield
        return
    with locking.writer_lock(folder / LOCK_NAME, wait=True):
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
