"""Keeping a node's search index in step with a shared store: on a schedule and on demand.

Every node of a PostgreSQL store (N app nodes behind a reverse proxy) has its own index folder,
and the store's change log says what changed since the sequence number the index reflects
(``state.json``). A sync applies those changes (``build.update``): changed projects are written
again, deleted ones removed, withdrawn ones kept only for searches that ask for them, as on the
node that ingested them. A node with no index builds it from the store. Each portal process
runs a :class:`Syncer`; the processes of one node take turns on the index folder's lock, and the
searchers of all of them see the new index at their next search (it reopens on ``state.json``).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from euprojects.index.build import IndexReport, update
from euprojects.store import Store

log = logging.getLogger("euprojects.sync")


def sync(store: Store, folder: Path) -> IndexReport:
    """Apply the store's change log since the index's sequence (build the index if there is none)."""
    return update(store, folder)


class Syncer:
    """A daemon thread that syncs ``folder`` with ``store`` every ``seconds``."""

    def __init__(self, store: Store, folder: Path, seconds: float) -> None:
        self.store, self.folder, self.seconds = store, folder, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="euprojects-sync", daemon=True)

    def start(self) -> Syncer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.seconds + 30)

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                report = sync(self.store, self.folder)
            except Exception:  # a lost connection, a full disk: logged, tried again next time
                log.exception("index sync of %s failed; trying again in %s s", self.folder, self.seconds)
                continue
            if report.mode != "current":
                log.info("index %s: %d change(s) applied, now at %d", report.mode, report.documents, report.seq)
