"""The writer lock on PostgreSQL: a session advisory lock, held on one connection for the run.

Nodes share no file system, so the SQLite store's file lock cannot tell one node's ingest from
another's; the server's advisory lock can. The server releases it when the session ends, however
it ends (the holder killed, its connection lost), so a dead writer never leaves the store locked.
The holder is named from ``pg_stat_activity``: its host, process and command (the application
name it set when it took the lock).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from euprojects.store.locking import StoreBusy, Waited, this_process

# One lock per schema of a database: tests keep stores side by side in schemas of one database.
KEY = "hashtext('euprojects-writer:' || current_schema())"


def _holder(conn: psycopg.Connection[Any]) -> str:
    row = conn.execute(
        "SELECT a.application_name, a.client_addr::text, a.backend_start FROM pg_locks l"
        " JOIN pg_stat_activity a ON a.pid = l.pid"
        f" WHERE l.locktype = 'advisory' AND l.granted AND l.objid = ({KEY})::oid AND l.pid <> pg_backend_pid()"
    ).fetchone()
    if row is None:
        return "by another process"
    name, address, started = row
    return f"since {started:%Y-%m-%dT%H:%M:%SZ}, by {name or 'a session'} from {address or 'a local socket'}"


@contextmanager
def advisory_writer_lock(
    url: str, *, wait: bool = False, on_wait: Callable[[str], None] | None = None
) -> Iterator[Waited]:
    """Hold the store's writer lock for the block on a connection of its own; raise StoreBusy if
    another session holds it, unless ``wait``."""
    me = this_process()
    name = f"euprojects PID {me.pid} on {me.host} ({me.command})"[:63]
    with psycopg.connect(url, autocommit=True, application_name=name) as conn:
        if not conn.execute(f"SELECT pg_try_advisory_lock({KEY})").fetchone()[0]:  # type: ignore[index]
            who = _holder(conn)
            if not wait:
                raise StoreBusy(
                    f"another ingest or index rebuild is running {who}; wait for it or run again with --wait"
                )
            if on_wait:
                on_wait(f"waiting for the ingest or index rebuild running {who}")
            started = time.monotonic()
            conn.execute(f"SELECT pg_advisory_lock({KEY})")
            waited = Waited(round(time.monotonic() - started, 1), who)
        else:
            waited = Waited(0.0, None)
        try:
            yield waited
        finally:
            if not conn.closed:
                conn.execute(f"SELECT pg_advisory_unlock({KEY})")
