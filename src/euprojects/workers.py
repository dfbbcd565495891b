"""Worker processes for the CPU-bound parts of an ingest (reading files, merging projects,
building index documents).

Workers start as fresh interpreters ("spawn"), so they inherit no open connection. Each one
watches the process that started it and exits when that process is gone: an ingest killed
with SIGKILL (or by the kernel's OOM killer) cannot tell its pool to stop, and its workers
would otherwise wait forever on a queue nobody reads.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from euprojects.store import Store, open_store

PARENT_CHECK_SECONDS = 0.5
T = TypeVar("T")
R = TypeVar("R")


def pool(workers: int, initializer: Callable[..., None] | None = None, *initargs: Any) -> ProcessPoolExecutor:
    """A process pool whose workers run ``initializer(*initargs)`` and die with this process."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(os.getpid(), initializer, *initargs)
    )


_store: Store | None = None


def connect(url: str) -> None:
    """Initializer of a worker that reads the store: its own connection, opened once."""
    global _store
    _store = open_store(url, migrate=False)


def connected_store() -> Store:
    """The store this worker opened with :func:`connect`."""
    assert _store is not None, "the pool was not started with connect"
    return _store


def in_order(executor: ProcessPoolExecutor, work: Callable[[T], R], items: Iterable[T], ahead: int) -> Iterator[R]:
    """``work(item)`` for each item in the pool, results in order, at most ``ahead`` in flight.

    ``ProcessPoolExecutor.map`` submits every item at once and keeps each result until it is
    consumed; when the consumer is the slower side (one writer saving what several workers
    merge, Tantivy indexing what they build) the results of the whole run pile up in memory.
    """
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            pending.append(executor.submit(work, item))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:  # the consumer stopped early (interrupted, failed): nothing more is started for it
        for future in pending:
            future.cancel()


def _start(parent: int, initializer: Callable[..., None] | None, *initargs: Any) -> None:
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def _exit_with(parent: int) -> None:
    """Poll the parent: once it has died this process has been handed to another parent."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)
