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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

PARENT_CHECK_SECONDS = 0.5


def pool(workers: int, initializer: Callable[..., None], *initargs: Any) -> ProcessPoolExecutor:
    """A process pool whose workers run ``initializer(*initargs)`` and die with this process."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(os.getpid(), initializer, *initargs)
    )


def _start(parent: int, initializer: Callable[..., None], *initargs: Any) -> None:
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()
    initializer(*initargs)


def _exit_with(parent: int) -> None:
    """Poll the parent: once it has died this process has been handed to another parent."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)
