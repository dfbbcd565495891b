"""The ingest pipeline: read files, write their records in batches, rebuild changed projects.

Every batch is one transaction that writes fragments, rejects and the dirty marks together;
projects are rebuilt from the dirty set afterwards. A run killed at any point therefore leaves
a store whose next run ends exactly where a clean run would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from euprojects.merge import combine, merge
from euprojects.model import Record, Reject
from euprojects.sources import Format, Planned, formats, plan
from euprojects.sources.base import SourceError, first_error
from euprojects.store import Store
from euprojects.store.base import PreparedRecord
from euprojects.store.codec import encode

Progress = Callable[[str, int], None]
_row_encoder = msgspec.json.Encoder()  # a row's fingerprint, to tell a duplicate from a conflict
EXAMPLES = 5  # rejects quoted in a file's report; `euprojects rejects` lists them all


class FileReport(msgspec.Struct):
    """What one file contributed: the closing report line of an ingest."""

    path: str
    file: str
    format: str | None = None
    read: int = 0
    records: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    removed: int = 0
    seconds: float = 0.0
    skipped: str | None = None
    error: str | None = None
    stopped: str | None = None
    examples: list[str] = []

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass(slots=True)
class IngestResult:
    files: list[FileReport]
    projects_rebuilt: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(f.failed for f in self.files)


def run(
    store: Store,
    paths: Sequence[Path],
    *,
    format_name: str | None = None,
    batch_size: int = 2000,
    progress: Progress | None = None,
    planned: list[Planned] | None = None,
) -> IngestResult:
    """Ingest files and directories into the store, then rebuild the projects they changed."""
    started = time.perf_counter()
    planned = planned if planned is not None else plan(list(paths), format_name)
    run_id = store.begin_run(_now())
    reports = [_ingest_planned(store, run_id, item, batch_size, progress) for item in planned]
    rebuilt = materialise(store, progress=progress)
    store.finish_run(run_id, _now())
    return IngestResult(files=reports, projects_rebuilt=rebuilt, seconds=time.perf_counter() - started)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _ingest_planned(store: Store, run_id: int, item: Planned, batch_size: int, progress: Progress | None) -> FileReport:
    report = FileReport(path=str(item.path), file=item.path.name)
    if item.skipped or item.error or item.format is None:
        report.skipped, report.error = item.skipped, item.error
        return report
    report.format = item.format.name
    started = time.perf_counter()
    ingest_file(store, run_id, item.path, item.format, report, batch_size, progress)
    report.seconds = round(time.perf_counter() - started, 3)
    store.log_file(run_id, item.format.name, item.path.name, str(item.path), encode(report))
    return report


def ingest_file(
    store: Store,
    run_id: int,
    path: Path,
    fmt: Format,
    report: FileReport,
    batch_size: int,
    progress: Progress | None = None,
) -> None:
    """Read one file into the store, filling ``report``; a file that cannot be read changes nothing."""
    try:
        items = first_error(fmt.read(path))
    except SourceError as err:
        report.error = str(err)
        return
    except (OSError, ValueError, EOFError) as err:
        report.error = f"cannot be read: {err}"
        return
    writer = _BatchWriter(store, run_id, fmt.name, path.name, report, batch_size)
    completed = writer.consume(items, progress)
    writer.close_group()
    writer.flush()
    if completed:
        report.removed = store.remove_stale(run_id, fmt.name, path.name)


class _BatchWriter:
    """Collects a file's records and rejects and writes them a batch at a time.

    Adjacent rows that describe the same project (a participation table lists a consortium
    row by row) are stored as one record: a fifth of the records to write, decode and merge.
    Each row is still checked on its own for duplicates, and counted as read.
    """

    def __init__(self, store: Store, run_id: int, fmt: str, file: str, report: FileReport, size: int) -> None:
        self.store, self.run_id, self.fmt, self.file = store, run_id, fmt, file
        self.report, self.size = report, size
        self.records: list[PreparedRecord] = []
        self.rejects: list[Reject] = []
        self.group: list[Record] = []
        self.seen: dict[str, tuple[int, int]] = {}
        self.last_line = 0

    def consume(self, items: Iterator[Record | Reject], progress: Progress | None) -> bool:
        """Read all items; False when reading stopped early (a truncated or corrupt file)."""
        try:
            for count, item in enumerate(items, 1):
                self.add(item)
                if progress and count % 1000 == 0:
                    progress(self.file, self.report.read)
        except (SourceError, OSError, ValueError, EOFError, UnicodeError) as err:
            reason = f"reading stopped after line {self.last_line}: {err}"
            self.report.stopped = reason
            self.reject(Reject(line=self.last_line + 1, reason=reason))
            return False
        return True

    def add(self, item: Record | Reject) -> None:
        self.report.read += item.rows if isinstance(item, Record) else 1
        self.last_line = max(self.last_line, item.line or 0)
        if isinstance(item, Reject):
            self.reject(item)
            return
        digest = hash(_row_encoder.encode(item.project))
        earlier = self.seen.get(item.key)
        if earlier is not None:
            if earlier[0] == digest:
                self.report.duplicates += 1
            else:
                self.reject(Reject(item.line, f"same key {item.key!r} as line {earlier[1]} but different values"))
            return
        self.seen[item.key] = (digest, item.line)
        if self.group and self.group[0].project.id != item.project.id:
            self.close_group()
        self.group.append(item)

    def close_group(self) -> None:
        if not self.group:
            return
        first = self.group[0]
        aliases = sorted({alias for record in self.group for alias in record.aliases})
        combined = Record(
            key=first.key, project=combine([r.project for r in self.group]), line=first.line, aliases=aliases
        )
        self.group = []
        self.report.records += 1
        self.records.append(prepare(combined))
        self._maybe_flush()

    def reject(self, item: Reject) -> None:
        self.report.rejected += 1
        if len(self.report.examples) < EXAMPLES:
            where = f"line {item.line}" if item.line else "file"
            self.report.examples.append(f"{where}: {item.reason}")
        self.rejects.append(item)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self.records) + len(self.rejects) >= self.size:
            self.flush()

    def flush(self) -> None:
        if not self.records and not self.rejects:
            return
        counts = self.store.write(self.run_id, self.fmt, self.file, self.records, self.rejects, _now())
        self.report.new += counts.new
        self.report.updated += counts.updated
        self.report.unchanged += counts.unchanged
        self.records, self.rejects = [], []


def prepare(record: Record) -> PreparedRecord:
    """Encode a record once; its hash covers everything but the line it was found on."""
    payload = encode(record.project)
    aliases = tuple(sorted(set(record.aliases) - {record.project.id}))
    digest = hashlib.blake2b(payload, digest_size=16)
    digest.update("\x1f".join(aliases).encode())
    return PreparedRecord(
        key=record.key,
        project_id=record.project.id,
        aliases=aliases,
        payload=payload,
        hash=digest.hexdigest(),
        line=record.line,
    )


def priorities() -> dict[str, int]:
    return {fmt.name: fmt.priority for fmt in formats()}


def materialise(store: Store, batch: int = 1000, progress: Progress | None = None) -> int:
    """Rebuild every dirty project from its fragments; returns how many were rebuilt or removed."""
    ranks = priorities()
    total = 0
    while ids := store.dirty(batch):
        groups = store.fragments(ids)
        projects = [merge(pid, fragments, ranks) for pid, fragments in groups.items() if fragments]
        deleted = [pid for pid, fragments in groups.items() if not fragments]
        store.save(projects, deleted, done=ids)
        total += len(projects) + len(deleted)
        if progress:
            progress("merging projects", total)
    return total
