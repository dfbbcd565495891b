"""The Store interface: what every backend (SQLite now, PostgreSQL for servers) provides.

The store keeps two layers. *Fragments* are what each source file said, keyed by
(format, file, record key): writing the same file twice changes nothing, a changed row
updates its fragment. *Projects* are the merged records, rebuilt from the fragments of the
project ids marked dirty; every rebuild is logged in a change table that search indexes
follow. Both layers change in the same transactions, so a killed ingest leaves a store that
the next run completes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from euprojects.model import Beneficiary, Organisation, Partner, Programme, Project, Reject, RejectEntry
from euprojects.store import codec
from euprojects.store.copy import Tables
from euprojects.store.participants import ParticipantReads
from euprojects.store.resolution import OrganisationResolution
from euprojects.store.rows import Change, PreparedBatch, ProjectLink
from euprojects.store.vectors import Vectors

if TYPE_CHECKING:
    from euprojects.store.locking import Waited


class PreparedRecord(msgspec.Struct, frozen=True):
    """A source record encoded for the store: the payload is the partial project as JSON."""

    key: str
    project_id: str
    aliases: tuple[str, ...]
    payload: bytes
    hash: str
    line: int


class PreparedBeneficiary(msgspec.Struct, frozen=True):
    """A beneficiary row encoded for the store, with the columns its listings and totals read
    and its organisation, which joins the organisations table."""

    key: str
    organisation: Organisation
    payload: bytes
    hash: str
    line: int
    source: str
    projects: int | None
    total_budget_eur: float | None
    eu_contribution_eur: float | None


class Fragment(msgspec.Struct, frozen=True):
    """A stored record with where it came from, as the merge reads it."""

    format: str
    file: str
    record_key: str
    line: int | None
    project: Project
    first_seen: dt.datetime
    last_seen: dt.datetime
    withdrawn: dt.datetime | None = None  # when its file stopped holding it


# What both backends read of a fragment, in the order ``fragment_of`` takes it.
FRAGMENT_COLUMNS = "format, file, record_key, line, payload, first_seen, last_seen, project_id, withdrawn"


def fragment_of(row: Sequence[Any]) -> tuple[str, Fragment]:
    """A row of ``FRAGMENT_COLUMNS`` as the id of the project it belongs to and its fragment."""
    fmt, file, key, line, payload, first, last, project_id, withdrawn = row
    fragment = Fragment(
        format=fmt,
        file=file,
        record_key=key,
        line=line,
        project=codec.decode_project(payload),
        first_seen=dt.datetime.fromisoformat(first),
        last_seen=dt.datetime.fromisoformat(last),
        withdrawn=dt.datetime.fromisoformat(withdrawn) if withdrawn else None,
    )
    return project_id, fragment


def rejects_of(rows: Iterable[Sequence[Any]]) -> list[RejectEntry]:
    """Rows of (format, file, line, reason, raw, first seen) as the rejects report lists them."""
    return [
        RejectEntry(
            format=fmt,
            file=name,
            line=line or None,
            reason=reason,
            raw=raw,
            first_seen=dt.datetime.fromisoformat(first),
        )
        for fmt, name, line, reason, raw, first in rows
    ]


def programmes_of(rows: Iterable[Sequence[Any]]) -> list[Programme]:
    """Rows of (programme, period, fund, comma-separated sources, projects, EU contribution)."""
    return [
        Programme(
            name=programme,
            period=period,
            fund=fund,
            sources=sorted(sources.split(",")) if sources else [],
            projects=count,
            eu_contribution_eur=round(total, 2),
        )
        for programme, period, fund, sources, count, total in rows
    ]


class ChangedProject(msgspec.Struct, frozen=True):
    """A project's latest change as the change log records it: when, whether the project is
    gone (merged into another or its records removed), and when it was first seen."""

    project_id: str
    changed: dt.datetime
    deleted: bool
    first_seen: dt.datetime | None


def with_dates(project: Project, modified: dt.datetime | None) -> Project:
    """The project with its first-seen and last-seen dates (over its sources) and when its
    merged record last changed."""
    firsts = [p.first_seen for p in project.provenance if p.first_seen]
    lasts = [p.last_seen for p in project.provenance if p.last_seen]
    project.first_seen = min(firsts) if firsts else None
    project.last_seen = max(lasts) if lasts else None
    project.modified = modified
    return project


class WriteCounts(msgspec.Struct):
    new: int = 0
    updated: int = 0
    unchanged: int = 0


class ProjectSummary(msgspec.Struct, frozen=True):
    """What a list of hits shows of a project, read in one query for a whole page."""

    project: Project
    countries: list[str]
    partner_count: int | None
    lead: str | None


class OrganisationRole(msgspec.Struct, frozen=True):
    """One project of an organisation, with its role there."""

    project_id: str
    acronym: str | None
    title: str | None
    label: str | None
    role: str
    start_date: str | None
    eu_contribution_eur: float | None
    programme: str | None
    period: str | None


class BeneficiaryTotals(msgspec.Struct):
    """A beneficiary list's aggregates as published: rows, distinct organisations and euro sums.
    Counted apart from projects, since each row already totals several operations."""

    rows: int
    organisations: int
    projects: int
    total_budget_eur: float
    eu_contribution_eur: float


class LinkFacts(msgspec.Struct, frozen=True):
    """What the twin linker compares of one listed project: its acronym, dates, EU amount (in euro),
    programme, the EU amounts of its partners by country, and whether another id (a CORDIS record
    number, by a table or a link) is already joined to it."""

    id: str
    acronym: str | None
    start_date: str | None
    end_date: str | None
    eu_contribution_eur: float | None
    programme: str | None
    partner_amounts: tuple[tuple[str, float], ...]
    joined: bool


class SourceQuality(msgspec.Struct):
    """How complete one source's listed projects are, and how many other ids (a CORDIS record
    number, an ERC id, a twin record) were merged into them."""

    listed: int
    with_title: int
    with_dates: int
    with_eu_contribution: int
    with_partners: int
    merged_twins: int


class Stats(msgspec.Struct):
    """What the store holds; ``projects`` and the counts by source and fund are listed projects,
    ``unlisted`` the records kept but not listed (named only by topic or web-link tables)."""

    projects: int
    participations: int
    organisations: int
    fragments: int
    rejects: int
    dirty: int
    by_source: dict[str, int]
    by_fund: dict[str, int]
    rejects_by_file: dict[str, int]
    last_ingest: str | None
    beneficiaries: dict[str, BeneficiaryTotals] = {}
    unlisted: int = 0
    quality: dict[str, SourceQuality] = {}


class Records(Protocol):
    """Records and runs: what an ingest writes (fragments, beneficiary rows, rejects, aliases and
    the merged projects rebuilt from them) and the bookkeeping of its runs and files."""

    def begin_run(self, now: dt.datetime) -> int: ...

    def finish_run(self, run_id: int, now: dt.datetime) -> None: ...

    def log_file(self, run_id: int, fmt: str, file: str, path: str, report: bytes) -> None: ...

    def last_report(self, fmt: str, file: str) -> bytes | None:
        """The report of the last run that read this file (as :meth:`log_file` stored it)."""
        ...

    def write(
        self,
        run_id: int,
        fmt: str,
        file: str,
        records: Sequence[PreparedRecord],
        rejects: Sequence[Reject],
        now: dt.datetime,
        beneficiaries: Sequence[PreparedBeneficiary] = (),
    ) -> WriteCounts:
        """Upsert one batch of a file's records, beneficiary rows and rejects in one transaction,
        marking changed projects dirty and merging the beneficiaries' organisations."""
        ...

    def writer_lock(
        self, wait: bool = False, on_wait: Callable[[str], None] | None = None
    ) -> AbstractContextManager[Waited]:
        """Be the store's one writer for the block (an ingest or an index rebuild); raise
        StoreBusy naming the holder when another has it, or wait for it."""
        ...

    def count_stale(self, run_id: int, fmt: str, file: str) -> int:
        """How many records of a file :meth:`remove_stale` would forget."""
        ...

    def withdraw_stale(self, run_id: int, fmt: str, file: str, now: dt.datetime) -> int:
        """Mark the records of a fully read file that this run did not see again as withdrawn
        (kept, not deleted); forget its stale beneficiary rows and rejects."""
        ...

    def remove_stale(self, run_id: int, fmt: str, file: str) -> int:
        """Forget fragments, beneficiary rows and rejects of a fully read file that this run did
        not see again."""
        ...

    def all_dirty(self) -> list[str]: ...

    def link_facts(self, sources: Sequence[str]) -> list[LinkFacts]:
        """The facts the twin linker compares, for every project of these sources."""
        ...

    def add_links(self, links: Sequence[ProjectLink]) -> int:
        """Keep links found by comparing records (beside the aliases tables give), marking their
        projects dirty; drop links whose records are gone. Returns how many links were added or
        dropped."""
        ...

    def aliases_of(self, project_ids: Sequence[str]) -> dict[str, list[str]]:
        """The other ids each of these projects is known by (rcn, joined ERC ids, …)."""
        ...

    def resolve(self, project_id: str) -> str | None:
        """The project an id names now: itself, or the project it is an alias of; None if neither."""
        ...

    def fragments(self, project_ids: Sequence[str]) -> dict[str, list[Fragment]]:
        """Fragments of each canonical project among ``project_ids`` (aliases resolved).

        A requested id that is itself an alias maps to an empty list under its own name
        (the project it named is gone) and its canonical id is included.
        """
        ...

    def save(self, projects: Sequence[Project], deleted: Sequence[str], done: Sequence[str]) -> None:
        """Replace merged projects, delete others, and clear ``done`` from the dirty set."""
        ...

    def save_prepared(self, batch: PreparedBatch) -> None:
        """:meth:`save` of a batch already encoded (by ``codec.prepare_batch``, maybe in another process)."""
        ...


class ChangeLog(Protocol):
    """The log of merged projects' changes, which search indexes (one per node) follow."""

    def seq(self) -> int:
        """The number of the latest change."""
        ...

    def changes_since(self, seq: int) -> tuple[list[Change], int]:
        """Each project changed after change number ``seq``, and the latest number."""
        ...

    def changed_since(self, since: dt.datetime, limit: int = 1000) -> list[ChangedProject]:
        """Projects whose merged record changed after ``since``, latest first."""
        ...


class ProjectReads(ParticipantReads, Protocol):
    """Projects and organisations for reading: what pages, the API, exports and the index read."""

    def project(self, project_id: str) -> Project | None: ...

    def summaries(self, project_ids: Sequence[str]) -> dict[str, ProjectSummary]: ...

    def projects(self, project_ids: Sequence[str]) -> list[Project]: ...

    def iter_projects(self, batch: int = 1000) -> Iterator[Project]: ...

    def project_ids(self) -> list[str]:
        """Every project id, in order."""
        ...

    def indexed_project_ids(self) -> list[str]:
        """The ids of the projects the index holds, in order: the listed ones and the withdrawn
        ones (found on request), not those named only by topic or web-link tables."""
        ...

    def numbers(self, project_ids: Sequence[str]) -> dict[str, int]:
        """A stable small number per project, unique among live projects (for index sort keys)."""
        ...

    def resolve(self, project_id: str) -> str | None:
        """The project an id names now: itself, or the project it is an alias of; None if neither."""
        ...

    def aliases_of(self, project_ids: Sequence[str]) -> dict[str, list[str]]:
        """The other ids each of these projects is known by (rcn, joined ERC ids, …)."""
        ...

    def organisation(self, org_id: str) -> Organisation | None: ...

    def organisation_projects(self, org_id: str) -> list[OrganisationRole]: ...

    def organisation_funding(self, org_id: str) -> list[Beneficiary]:
        """What publishers' beneficiary lists say the organisation received, region by region."""
        ...

    def frequent_partners(self, org_id: str, limit: int = 10) -> list[Partner]: ...

    def programmes(self, name: str | None = None) -> list[Programme]:
        """Programmes by name and period with project counts and EU totals (one programme if named)."""
        ...

    def stats(self) -> Stats: ...

    def rejects(self, limit: int = 100, offset: int = 0, file: str | None = None) -> list[RejectEntry]: ...

    def count_rejects(self, file: str | None = None) -> int: ...


class Store(Records, ChangeLog, ProjectReads, OrganisationResolution, Vectors, Tables, Protocol):
    """A whole backend: records and runs, the change log, reads, organisation resolution, the
    embeddings of semantic search, and whole tables (``euprojects copy``)."""

    url: str

    def close(self) -> None: ...

    def migrate(self) -> list[str]:
        """Apply pending migrations; return the names applied."""
        ...
