"""One way to run a CPU-bound stage over worker processes: reading files, merging projects and
building index documents all go through :func:`stream`.

A stage is a list of tasks and a ``work`` function that turns one task into results; it runs
in this process when that is cheaper, otherwise in a pool of fresh interpreters ("spawn", so no
open connection is inherited). Results travel back through one bounded queue, so however slow
the consumer (one writer saving, Tantivy indexing), no more than a few batches wait in memory,
and a file's chunks stream while the file is still being read.

Every way a stage can end is handled here, once:
- the consumer stops (Ctrl-C, an error, a generator closed early): workers see the stop flag
  instead of waiting on a queue nobody reads, and the pool is shut down without waiting;
- a worker's ``work`` raises: the consumer gets :class:`StageFailed` naming the task;
- a worker dies (killed, out of memory): its future fails and the consumer gets StageFailed;
- the process that started the pool is killed: each worker watches its parent and exits.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Generic, TypeVar

import msgspec

from euprojects.store import Store, open_store

PARENT_CHECK_SECONDS = 0.5
SEND_WAIT = 0.5  # seconds between a blocked worker's looks at whether the consumer stopped
IN_FLIGHT = 8  # results per worker waiting for the consumer: keeps workers busy, bounds memory
T = TypeVar("T")
R = TypeVar("R")
Work = Callable[[T], Iterator[R]]


class StageFailed(RuntimeError):
    """A task of a stage failed in its worker, or the worker died."""


class _Done(msgspec.Struct):
    """A task's last message: it ended, or failed with this error."""

    error: str | None = None


class _Context(Generic[T, R]):
    """What a worker process of a stage holds: the queue to send on, the consumer's stop flag,
    the work function and, for stages that read the store, its own connection."""

    def __init__(self, messages: Any, stop: Any, work: Work[T, R]) -> None:
        self.messages, self.stop, self.work = messages, stop, work
        self.store: Store | None = None


_context: _Context[Any, Any] | None = None


def stream(
    tasks: Sequence[T],
    work: Work[T, R],
    *,
    workers: int,
    parallel: bool,
    store_url: str | None = None,
) -> Iterator[tuple[int, R]]:
    """``(task number, result)`` for every result of ``work(task)``, as they come.

    ``work`` runs in this process unless ``parallel`` and more than one worker is allowed; it
    must be a module-level function when it runs in workers. With ``store_url`` each worker opens
    its own reading connection, which ``work`` gets from :func:`worker_store`.
    """
    if not parallel or workers < 2 or len(tasks) < 2:
        return _in_process(tasks, work, store_url)
    return _in_pool(tasks, work, min(workers, len(tasks)), store_url)


def worker_store() -> Store:
    """The store connection of the stage this worker runs (opened once per worker)."""
    assert _context is not None and _context.store is not None, "the stage was not given a store URL"
    return _context.store


def _in_process(tasks: Sequence[T], work: Work[T, R], store_url: str | None) -> Iterator[tuple[int, R]]:
    global _context
    saved = _context
    _context = _Context(None, None, work)
    try:
        if store_url is not None:
            _context.store = open_store(store_url, migrate=False)
        for number, task in enumerate(tasks):
            for result in work(task):
                yield number, result
    finally:
        if _context.store is not None:
            _context.store.close()
        _context = saved


def _in_pool(tasks: Sequence[T], work: Work[T, R], workers: int, store_url: str | None) -> Iterator[tuple[int, R]]:
    spawn = multiprocessing.get_context("spawn")
    messages: Any = spawn.Queue(maxsize=IN_FLIGHT * workers)
    stop = spawn.Event()
    pool = ProcessPoolExecutor(
        workers, mp_context=spawn, initializer=_start, initargs=(os.getpid(), messages, stop, work, store_url)
    )
    try:
        futures = {number: pool.submit(_run, number, task) for number, task in enumerate(tasks)}
        yield from _receive(messages, futures)
    except BaseException:
        # Interrupted, failed or abandoned: workers must not wait on a queue nobody reads any
        # more, and leaving must not wait for them.
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _receive(messages: Any, futures: dict[int, Future[None]]) -> Iterator[tuple[int, Any]]:
    """Results until every task has sent its end; a task that failed or whose worker died raises."""
    open_tasks = set(futures)
    while open_tasks:
        try:
            number, message = messages.get(timeout=1.0)
        except queue.Empty:
            _raise_if_dead(futures, open_tasks)
            continue
        if isinstance(message, _Done):
            open_tasks.discard(number)
            if message.error is not None:
                raise StageFailed(f"task {number} failed: {message.error}")
            continue
        yield number, message


def _raise_if_dead(futures: dict[int, Future[None]], open_tasks: set[int]) -> None:
    for number in open_tasks:
        future = futures[number]
        failure = future.exception() if future.done() and not future.cancelled() else None
        if failure is not None:
            raise StageFailed(f"task {number} failed: {type(failure).__name__}: {failure}") from failure


# --- in a worker ------------------------------------------------------------------------------
class _ConsumerStopped(Exception):
    """The consumer stopped listening: this worker has nobody to send to."""


def _start(parent: int, messages: Any, stop: Any, work: Work[Any, Any], store_url: str | None) -> None:
    global _context
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()
    # A worker that exits must not wait to flush messages into a pipe nobody reads (the consumer
    # stopped). In a normal run the consumer has read every message before the pool closes: each
    # task's end comes after its results, and the consumer waits for every end.
    messages.cancel_join_thread()
    _context = _Context(messages, stop, work)
    if store_url is not None:
        _context.store = open_store(store_url, migrate=False)


def _run(number: int, task: Any) -> None:
    assert _context is not None
    if _context.stop.is_set():
        return
    try:
        for result in _context.work(task):
            _send((number, result))
    except _ConsumerStopped:
        return
    except Exception as err:
        _send_quietly((number, _Done(f"{type(err).__name__}: {err}")))
        return
    _send_quietly((number, _Done()))


def _send(message: tuple[int, Any]) -> None:
    """Hand a message to the consumer, waiting while the queue is full unless it stopped."""
    assert _context is not None
    while True:
        try:
            _context.messages.put(message, timeout=SEND_WAIT)
            return
        except queue.Full:
            if _context.stop.is_set():
                raise _ConsumerStopped from None


def _send_quietly(message: tuple[int, Any]) -> None:
    with contextlib.suppress(_ConsumerStopped):
        _send(message)


def _exit_with(parent: int) -> None:
    """Poll the parent: once it has died this process has been handed to another parent."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)
