"""One writer at a time: the lock an ingest or an index rebuild holds for its whole run.

Two ingests that interleave lose data (each removes what the other has just written), and two
index writers fail on Tantivy's own lock half-way. The lock is an OS file lock (``flock``) on a
file beside the store: the kernel releases it when its holder dies, however it dies, so a killed
run never leaves the store locked. The file also says who holds it, for the message the next
writer shows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec


class StoreBusy(Exception):
    """Another writer holds the store; the message says who and since when."""


class Holder(msgspec.Struct):
    pid: int
    host: str
    started: str
    command: str

    def describe(self) -> str:
        return f"since {self.started}, started by PID {self.pid} on {self.host} ({self.command})"


class Waited(msgspec.Struct):
    """How long a writer waited for the lock, and for whom (None when it did not wait)."""

    seconds: float
    holder: str | None


def this_process() -> Holder:
    """Who takes the lock: this process, its host and command, and when."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    command = " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:])[:200]
    return Holder(pid=os.getpid(), host=socket.gethostname(), started=now, command=command)


def _read_holder(handle: int) -> Holder | None:
    try:
        data = os.pread(handle, 4096, 0)
        return msgspec.json.decode(data, type=Holder) if data else None
    except (OSError, msgspec.DecodeError):
        return None


@contextlib.contextmanager
def writer_lock(path: Path, *, wait: bool = False, on_wait: Callable[[str], None] | None = None) -> Iterator[Waited]:
    """Hold the writer lock at ``path`` for the block; raise StoreBusy if held, unless ``wait``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        waited = _acquire(handle, wait, on_wait)
        me = json.dumps(msgspec.to_builtins(this_process())).encode()
        os.ftruncate(handle, 0)
        os.pwrite(handle, me, 0)
        try:
            yield waited
        finally:
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


def _acquire(handle: int, wait: bool, on_wait: Callable[[str], None] | None) -> Waited:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return Waited(0.0, None)
    except BlockingIOError:
        holder = _read_holder(handle)
    who = holder.describe() if holder else "by another process"
    if not wait:
        raise StoreBusy(f"another ingest or index rebuild is running {who}; wait for it or run again with --wait")
    if on_wait:
        on_wait(f"waiting for the ingest or index rebuild running {who}")
    started = time.monotonic()
    fcntl.flock(handle, fcntl.LOCK_EX)
    return Waited(round(time.monotonic() - started, 1), who)
