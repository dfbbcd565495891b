"""The ingest pipeline: read files, write their records in batches, rebuild changed projects.

Every batch is one transaction that writes records, rejects and the dirty marks together;
projects are rebuilt from the dirty set afterwards. A run killed at any point therefore leaves
a store whose next run ends exactly where a clean run would.

Files are read in worker processes when there is enough to read (reading is the CPU-bound
part); this process alone writes, so the store sees one writer either way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from euprojects.index import build as index_build
from euprojects.index.build import IndexReport
from euprojects.ingest.linking import Facts, find_links
from euprojects.ingest.materialise import materialise
from euprojects.ingest.reading import Chunk, FileReport, read_chunks
from euprojects.ingest.unchanged import UNCHANGED, fingerprint, unchanged
from euprojects.orgs.resolve import ResolveReport
from euprojects.orgs.resolve import resolve as resolve_organisations
from euprojects.sources import Planned, by_name, plan
from euprojects.store import Store
from euprojects.store.codec import encode
from euprojects.store.locking import StoreBusy, Waited
from euprojects.workers import stream

Progress = Callable[[str, int], None]
LINK_ROUNDS = 3
PARALLEL_BYTES = 4_000_000  # less than this to read is not worth starting processes for
# Chunks cross from the readers to the writer as MessagePack: several times cheaper to encode and
# decode than pickling the structs, and both ends of an ingest spend their time on this.
_chunk_encoder = msgspec.msgpack.Encoder()
_chunk_decoder = msgspec.msgpack.Decoder(Chunk)


@dataclass(slots=True)
class IngestResult:
    files: list[FileReport]
    projects_rebuilt: int = 0
    seconds: float = 0.0  # the whole job: files, projects, links, organisations and the index
    files_seconds: float = 0.0  # reading the files and rebuilding the projects and links they changed
    index: IndexReport | None = None
    waited: Waited | None = None
    organisations: ResolveReport | None = None

    @property
    def failed(self) -> bool:
        return any(f.failed for f in self.files)


# A file that now holds fewer records than the store has from it removes the rest only when they
# are at most this share of what it held: a truncated re-download must not empty the store.
MAX_REMOVED_SHARE = 0.05


def run(
    store: Store,
    paths: Sequence[Path],
    *,
    format_name: str | None = None,
    batch_size: int = 2000,
    progress: Progress | None = None,
    planned: list[Planned] | None = None,
    workers: int | None = None,
    index_dir: Path | None = None,
    wait: bool = False,
    on_wait: Callable[[str], None] | None = None,
    allow_removals: bool = False,
    reread: bool = False,
    home: Path | None = None,
) -> IngestResult:
    """Ingest files and directories into the store, rebuild the projects they changed and, given
    ``index_dir``, bring the search index in step: the whole job, as one writer. A file read
    whole before and unchanged since is not read again, unless ``reread``.

    Raises StoreBusy when another ingest or index rebuild holds the store (unless ``wait``).
    """
    with store.writer_lock(wait=wait, on_wait=on_wait) as waited:
        started = time.perf_counter()
        result = _ingest(store, paths, format_name, batch_size, progress, planned, workers, allow_removals, reread)
        result.waited = waited if waited.seconds or waited.holder else None
        result.organisations = resolve_organisations(store, home)  # with home's manual merges and splits
        if index_dir is not None:
            result.index = index_build.update(store, index_dir, progress)
        result.seconds = time.perf_counter() - started
    return result


def reindex(store: Store, index_dir: Path, *, wait: bool = False, progress: Progress | None = None) -> IndexReport:
    """Rebuild the search index from the store, as the one writer of both."""
    with store.writer_lock(wait=wait):
        return index_build.rebuild(store, index_dir, progress)


def catch_up(store: Store, index_dir: Path) -> IndexReport | None:
    """Bring the index in step with the store (after a run killed between the two); None when
    another writer holds the store, which brings it in step itself."""
    try:
        with store.writer_lock():
            return index_build.update(store, index_dir)
    except StoreBusy:
        return None


def _ingest(
    store: Store,
    paths: Sequence[Path],
    format_name: str | None,
    batch_size: int,
    progress: Progress | None,
    planned: list[Planned] | None,
    workers: int | None,
    allow_removals: bool,
    reread: bool,
) -> IngestResult:
    started = time.perf_counter()
    planned = planned if planned is not None else plan(list(paths), format_name)
    planned = [_fingerprinted(store, item, reread) for item in planned]
    workers = workers if workers is not None else (os.cpu_count() or 1)
    run_id = store.begin_run(_now())
    writer = _Writer(store, run_id, progress, allow_removals)
    readable = [item for item in planned if item.format and not item.skipped and not item.error]
    if workers > 1 and len(readable) > 1 and sum(i.path.stat().st_size for i in readable) >= PARALLEL_BYTES:
        reports = writer.from_workers(planned, batch_size, workers)
    else:
        reports = [writer.in_process(item, batch_size) for item in planned]
    facts = Facts(store)
    rebuilt = materialise(store, progress=progress, workers=workers)
    # A join can bring the facts for another (an rcn record gives a Norwegian grant its EU amount,
    # which then matches an ERC grant): link again while links change, a few rounds at most.
    for _ in range(LINK_ROUNDS):
        if not rebuilt or not store.add_links(find_links(store, facts)):
            break
        rebuilt += materialise(store, progress=progress, workers=workers, saved=facts.saved)
    store.finish_run(run_id, _now())
    return IngestResult(files=reports, projects_rebuilt=rebuilt, files_seconds=time.perf_counter() - started)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _report(item: Planned) -> FileReport:
    report = FileReport(path=str(item.path), file=item.path.name, dataset=item.path.resolve().parent.name)
    report.format = item.format.name if item.format else None
    report.skipped, report.error, report.fingerprint = item.skipped, item.error, item.fingerprint
    return report


def _fingerprinted(store: Store, item: Planned, reread: bool) -> Planned:
    """The item with its file's fingerprint, or marked unchanged when it was read whole before."""
    if item.format is None or item.skipped or item.error:
        return item
    seen = fingerprint(item.path)
    if not reread and unchanged(store, item, _report(item).key, seen):
        return dataclasses.replace(item, skipped=UNCHANGED, fingerprint=seen)
    return dataclasses.replace(item, fingerprint=seen)


class _Writer:
    """Stores the chunks of each file and closes each file when it has been read."""

    def __init__(self, store: Store, run_id: int, progress: Progress | None, allow_removals: bool) -> None:
        self.store, self.run_id, self.progress = store, run_id, progress
        self.allow_removals = allow_removals

    def in_process(self, item: Planned, batch_size: int) -> FileReport:
        report = _report(item)
        if item.format is None or report.skipped or report.error:
            return report
        for chunk in read_chunks(item.path, item.format, report, batch_size):
            self.write(report, chunk)
        self.finish(report)
        return report

    def write(self, report: FileReport, chunk: Chunk) -> None:
        assert report.format is not None
        counts = self.store.write(
            self.run_id, report.format, report.key, chunk.records, chunk.rejects, _now(), chunk.beneficiaries
        )
        report.new += counts.new
        report.updated += counts.updated
        report.unchanged += counts.unchanged
        if self.progress:
            self.progress(report.file, chunk.read)

    def finish(self, report: FileReport) -> None:
        """A file read to its end forgets what it no longer holds, unless it ended early or lost
        more than a small share of its records (a truncated download); any read file is logged."""
        if report.error or report.format is None:
            return
        stale = self.store.count_stale(self.run_id, report.format, report.key)
        held = stale + report.new + report.updated + report.unchanged
        if stale and (self.allow_removals or (report.ended_early is None and stale <= MAX_REMOVED_SHARE * held)):
            report.removed = self.store.withdraw_stale(self.run_id, report.format, report.key, _now())
        elif stale:
            report.withheld = stale
        self.store.log_file(self.run_id, report.format, report.key, report.path, encode(report))

    def from_workers(self, planned: list[Planned], batch_size: int, workers: int) -> list[FileReport]:
        """Read the files in worker processes, storing each chunk as it arrives."""
        reports = [_report(item) for item in planned]
        todo = [i for i, item in enumerate(planned) if item.format and not item.skipped and not item.error]
        tasks = [(reports[i], batch_size) for i in todo]
        for number, message in stream(tasks, _read_file, workers=workers, parallel=True):
            index = todo[number]
            if isinstance(message, bytes):
                self.write(reports[index], _chunk_decoder.decode(message))
            else:
                reports[index] = _merged_report(reports[index], message)
                self.finish(reports[index])
        return reports


def _merged_report(written: FileReport, read: FileReport) -> FileReport:
    """The worker's reading counts with this process's writing counts."""
    read.new, read.updated, read.unchanged = written.new, written.updated, written.unchanged
    return read


def _read_file(task: tuple[FileReport, int]) -> Iterator[bytes | FileReport]:
    """In a worker: a file's chunks (as MessagePack), then its report. A file that breaks off
    keeps what was sent before the break, as a truncated file does."""
    report, batch_size = task
    assert report.format is not None
    try:
        for chunk in read_chunks(Path(report.path), by_name(report.format), report, batch_size):
            yield _chunk_encoder.encode(chunk)
    except Exception as err:
        problem = f"{type(err).__name__}: {err}"
        if report.read:
            report.stopped = f"reading stopped after {report.read} rows: {problem}"
        else:
            report.error = f"cannot be read: {problem}"
    yield report
