"""Reading one file into chunks of encoded records and rejects, ready for the store.

This is the CPU-bound half of an ingest and touches no store, so several files can be read in
worker processes while the writer stores what they send.
"""

from __future__ import annotations

import csv
import hashlib
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import msgspec

from euprojects.ingest.merge import combine
from euprojects.ingest.screening import screen_beneficiary, screen_project, screen_reject
from euprojects.model import BeneficiaryRecord, Record, Reject
from euprojects.normalise.money import to_eur
from euprojects.sources.base import Format, SourceError, first_error
from euprojects.store.base import PreparedBeneficiary, PreparedRecord
from euprojects.store.codec import encode

# What a damaged container raises half-way (a corrupt gzip stream raises zlib.error, a mangled
# table csv.Error): the file's report names it instead of a traceback.
_BROKEN = (OSError, ValueError, EOFError, zlib.error, csv.Error)
EXAMPLES = 5  # rejects quoted in a file's report; `euprojects rejects` lists them all
_row_encoder = msgspec.json.Encoder()  # a row's fingerprint, to tell a duplicate from a conflict


class FileReport(msgspec.Struct):
    """What one file contributed: the closing report line of an ingest."""

    path: str
    file: str
    dataset: str = ""
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
    cut: bool = False
    withheld: int = 0
    fingerprint: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None or self.withheld > 0

    @property
    def key(self) -> str:
        """The file's identity in the store: its data set (the folder it came in) and its name,
        so that two ``erc_starting.csv`` from different data sets never replace each other."""
        return f"{self.dataset}/{self.file}" if self.dataset else self.file

    @property
    def read_whole(self) -> bool:
        """Read to its end with nothing held back: what it holds is all in the store."""
        return not (self.error or self.skipped or self.ended_early or self.withheld)

    @property
    def ended_early(self) -> str | None:
        """Why the file must not remove what it no longer holds: it broke off or looks cut."""
        if self.stopped:
            return self.stopped
        if self.cut:
            return "its last line is cut off (no line end, and the line was rejected)"
        return None


class Chunk(msgspec.Struct):
    """A batch of a file's records and rejects, and how many rows were read up to its end."""

    records: list[PreparedRecord]
    rejects: list[Reject]
    read: int
    beneficiaries: list[PreparedBeneficiary] = []


def read_chunks(path: Path, fmt: Format, report: FileReport, size: int) -> Iterator[Chunk]:
    """Chunks of a file, filling ``report``'s reading counts.

    A file that cannot be read at all yields nothing and sets ``report.error``; one that breaks
    off half-way yields what came before and sets ``report.stopped``.
    """
    started = time.perf_counter()
    try:
        items = first_error(fmt.read(path))
    except SourceError as err:
        report.error = str(err)
        return
    except _BROKEN as err:
        report.error = f"cannot be read: {err}"
        return
    chunker = _Chunker(report, size)
    try:
        for item in items:
            yield from chunker.add(item)
    except (SourceError, *_BROKEN) as err:
        reason = f"reading stopped after line {chunker.last_line}: {err}"
        report.stopped = reason
        yield from chunker.reject(Reject(line=chunker.last_line + 1, reason=reason))
    yield from chunker.close_group()
    yield from chunker.flush()
    report.cut = chunker.last_rejected and not _ends_a_line(path)
    report.seconds = round(time.perf_counter() - started, 3)


def _ends_a_line(path: Path) -> bool:
    """Whether a text file ends with a line end; compressed files and workbooks say nothing
    here (a cut archive fails to read instead)."""
    try:
        with path.open("rb") as handle:
            if handle.read(2) in (b"\x1f\x8b", b"PK"):
                return True
            handle.seek(-1, 2)
            return handle.read(1) in (b"\n", b"\r")
    except OSError:
        return True


class _Chunker:
    """Groups a file's items into chunks.

    Adjacent rows that describe the same project (a participation table lists a consortium
    row by row) become one record: a fifth of the records to write, decode and merge. Each row
    is still checked on its own for duplicates, and counted as read.
    """

    def __init__(self, report: FileReport, size: int) -> None:
        self.report, self.size = report, size
        self.records: list[PreparedRecord] = []
        self.rejects: list[Reject] = []
        self.beneficiaries: list[PreparedBeneficiary] = []
        self.group: list[Record] = []
        self.seen: dict[str, tuple[int, int]] = {}
        self.last_line = 0
        self.last_rejected = False  # whether the file's last line was rejected: it may be cut off

    def add(self, item: Record | BeneficiaryRecord | Reject) -> Iterator[Chunk]:
        self.report.read += item.rows if isinstance(item, Record) else 1
        if (item.line or 0) >= self.last_line:
            self.last_rejected = isinstance(item, Reject)
        self.last_line = max(self.last_line, item.line or 0)
        if isinstance(item, Reject):
            yield from self.reject(item)
            return
        content = item.project if isinstance(item, Record) else item.beneficiary
        conflict = self._repeated(item.key, hash(_row_encoder.encode(content)), item.line)
        if conflict is not None:
            yield from conflict
            return
        if isinstance(item, BeneficiaryRecord):
            self.report.records += 1
            self.beneficiaries.append(prepare_beneficiary(item))
            yield from self._full()
            return
        if self.group and self.group[0].project.id != item.project.id:
            yield from self.close_group()
        self.group.append(item)

    def _repeated(self, key: str, digest: int, line: int) -> Iterator[Chunk] | None:
        """None for a key seen first; an exact repeat is counted as a duplicate, a different
        row under a known key is rejected."""
        earlier = self.seen.get(key)
        if earlier is None:
            self.seen[key] = (digest, line)
            return None
        if earlier[0] == digest:
            self.report.duplicates += 1
            return iter(())
        return self.reject(Reject(line, f"same key {key!r} as line {earlier[1]} but different values"))

    def close_group(self) -> Iterator[Chunk]:
        if not self.group:
            return
        first = self.group[0]
        aliases = sorted({alias for record in self.group for alias in record.aliases})
        project = combine([r.project for r in self.group])
        self.group = []
        self.report.records += 1
        self.records.append(prepare(Record(key=first.key, project=project, line=first.line, aliases=aliases)))
        yield from self._full()

    def reject(self, item: Reject) -> Iterator[Chunk]:
        item = screen_reject(item)
        self.report.rejected += 1
        if len(self.report.examples) < EXAMPLES:
            where = f"line {item.line}" if item.line else "file"
            self.report.examples.append(f"{where}: {item.reason}")
        self.rejects.append(item)
        yield from self._full()

    def _full(self) -> Iterator[Chunk]:
        if len(self.records) + len(self.rejects) + len(self.beneficiaries) >= self.size:
            yield from self.flush()

    def flush(self) -> Iterator[Chunk]:
        if self.records or self.rejects or self.beneficiaries:
            yield Chunk(self.records, self.rejects, self.report.read, self.beneficiaries)
            self.records, self.rejects, self.beneficiaries = [], [], []


def prepare(record: Record) -> PreparedRecord:
    """Screen and encode a record once; its hash covers everything but the line it was found on.

    Every loader's records come through here, so this is where the rules for all of them are
    applied (safe web addresses, no personal data, bounded texts: see :mod:`euprojects.ingest.screening`).
    """
    payload = encode(record.project)
    project = screen_project(record.project, payload)
    if project is not record.project:
        payload = encode(project)
    aliases = tuple(sorted(set(record.aliases) - {project.id}))
    digest = hashlib.blake2b(payload, digest_size=16)
    digest.update("\x1f".join(aliases).encode())
    return PreparedRecord(
        key=record.key,
        project_id=project.id,
        aliases=aliases,
        payload=payload,
        hash=digest.hexdigest(),
        line=record.line,
    )


def prepare_beneficiary(record: BeneficiaryRecord) -> PreparedBeneficiary:
    """Screen and encode a beneficiary row once, with the columns its totals are read from."""
    payload = encode(record.beneficiary)
    beneficiary = screen_beneficiary(record.beneficiary, payload)
    if beneficiary is not record.beneficiary:
        payload = encode(beneficiary)
    return PreparedBeneficiary(
        key=record.key,
        organisation=beneficiary.organisation,
        payload=payload,
        hash=hashlib.blake2b(payload, digest_size=16).hexdigest(),
        line=record.line,
        source=beneficiary.source,
        projects=beneficiary.projects,
        total_budget_eur=to_eur(beneficiary.total_budget),
        eu_contribution_eur=to_eur(beneficiary.eu_contribution),
    )
