"""The one data model every layer speaks: sources yield it, the store keeps it, the index and web read it.

msgspec Structs: typed like dataclasses, but encoded to and from JSON an order of magnitude
faster, which matters when an ingest writes hundreds of thousands of records. ``gc=False``:
a record never refers back to itself, so the cycle collector need not walk the hundreds of
thousands an ingest holds (it cost a third of the reading time).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

import msgspec


class Role(StrEnum):
    """What an organisation does in a project. CORDIS' coordinator and keep.eu's lead partner are LEAD."""

    LEAD = "lead"
    PARTNER = "partner"
    ASSOCIATED = "associated"
    THIRD_PARTY = "third_party"


class Status(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class Money(msgspec.Struct, frozen=True, gc=False):
    """An amount in its own currency; ``normalise.money.to_eur`` converts it at fixed rates, for
    sorting and totals only."""

    amount: Decimal
    currency: str = "EUR"


class Organisation(msgspec.Struct, omit_defaults=True, gc=False):
    """A real-world body as one source describes it.

    ``id`` is its identity across sources: ``pic:<PIC>`` when the source gives a Participant
    Identification Code, a national register id (``hr-oib:…``, ``no-orgnr:…``) otherwise, and
    ``name:<country>:<normalised name>`` as the last resort (see normalise.names).
    """

    id: str
    name: str | None = None
    short_name: str | None = None
    country: str | None = None
    country_raw: str | None = None
    nuts: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    type: str | None = None
    sme: bool | None = None
    website: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    identifiers: dict[str, str] = {}


class Participation(msgspec.Struct, omit_defaults=True, gc=False):
    organisation: Organisation
    role: Role = Role.PARTNER
    role_raw: str | None = None
    order: int = 0
    eu_contribution: Money | None = None
    total_cost: Money | None = None


class Link(msgspec.Struct, frozen=True, omit_defaults=True, gc=False):
    """A document, deliverable, logo or web page that belongs to a project."""

    url: str | None = None
    title: str | None = None
    kind: str | None = None
    description: str | None = None


class Flag(msgspec.Struct, frozen=True, gc=False):
    """A data-quality observation shown on the project page, e.g. a date shifted by a time zone."""

    code: str
    message: str


class Provenance(msgspec.Struct, omit_defaults=True, gc=False):
    """Where the facts of a project came from: one entry per source file that contributed."""

    format: str
    file: str
    line: int | None = None
    records: int = 1
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None


class Project(msgspec.Struct, omit_defaults=True, gc=False):
    """A project as one or several source records describe it; ``id`` is ``source:source_id``.

    Loaders fill only what their row knows; the store merges the records that share an id.
    ``raw`` keeps each normalised value as it was published (``eu_contribution`` →
    ``"808 536,81"``) so nothing is lost in normalisation.

    The merge adds what the records imply together: ``label``, what to call a project no source
    gives a title (built from its programme, lead partner and years); ``unlisted``, why a record
    stays out of search (only a topic or a web link names the grant); ``partners_partial``, that
    the partners known are only those one source lists (Norway's), not the whole consortium;
    ``partners_format``, the format whose partner list is shown (how recent its organisations'
    details are decides which mention of an organisation gives its name and address).
    """

    source: str
    source_id: str
    acronym: str | None = None
    title: str | None = None
    summary: str | None = None
    results: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: Status | None = None
    status_source: str | None = None
    programme: str | None = None
    programme_code: str | None = None
    period: str | None = None
    fund: str | None = None
    call: str | None = None
    topic: str | None = None
    topic_title: str | None = None
    funding_scheme: str | None = None
    themes: list[str] = []
    total_cost: Money | None = None
    eu_contribution: Money | None = None
    cofinancing_rate: Decimal | None = None
    website: str | None = None
    declared_partner_count: int | None = None
    nuts: list[str] = []
    participations: list[Participation] = []
    links: list[Link] = []
    flags: list[Flag] = []
    raw: dict[str, str] = {}
    provenance: list[Provenance] = []
    label: str | None = None
    unlisted: str | None = None
    partners_partial: bool = False
    partners_format: str | None = None
    # when every record of the project left its source files; then it stays out of search
    withdrawn: dt.datetime | None = None
    # filled when a project is read from the store: over its sources, and its merged record's last change
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    modified: dt.datetime | None = None

    @property
    def id(self) -> str:
        return f"{self.source}:{self.source_id}"

    def derived_status(self, today: dt.date | None = None) -> Status | None:
        """The status the dates imply, for sources that publish none (or a stale one)."""
        today = today or dt.date.today()
        if self.start_date and self.start_date > today:
            return Status.PLANNED
        if self.end_date and self.end_date < today:
            return Status.FINISHED
        if self.start_date:
            return Status.ONGOING
        return None

    def effective_status(self, today: dt.date | None = None) -> Status | None:
        """The source's status, unless the dates show it is stale (still "ongoing" or "planned"
        after the end date); otherwise, and without one, the status the dates imply."""
        derived = self.derived_status(today)
        if self.status in (Status.ONGOING, Status.PLANNED) and derived is Status.FINISHED:
            return derived
        return self.status or derived

    @property
    def countries(self) -> list[str]:
        """Distinct partner countries in participation order (lead first)."""
        seen: dict[str, None] = {}
        for p in sorted(self.participations, key=_lead_first):
            if p.organisation.country:
                seen.setdefault(p.organisation.country, None)
        return list(seen)

    @property
    def lead(self) -> Participation | None:
        return next((p for p in self.participations if p.role is Role.LEAD), None)

    @property
    def partner_count(self) -> int | None:
        """Partners as listed; the declared count when the source lists none (keep.eu pages);
        unknown when only some partners are known."""
        if self.partners_partial:
            return self.declared_partner_count
        return len(self.participations) or self.declared_partner_count


def _lead_first(p: Participation) -> tuple[int, int]:
    return (0 if p.role is Role.LEAD else 1, p.order)


def split_id(project_id: str) -> tuple[str, str]:
    """``"cordis:101000001"`` → ``("cordis", "101000001")``; the source id may contain colons."""
    source, sep, source_id = project_id.partition(":")
    if not sep or not source or not source_id:
        raise ValueError(f"project id must look like source:id, not {project_id!r}")
    return source, source_id


class Programme(msgspec.Struct, omit_defaults=True):
    """A funding programme in one period, as its projects describe it, with their totals."""

    name: str
    period: str | None = None
    fund: str | None = None
    sources: list[str] = []
    projects: int = 0
    eu_contribution_eur: float = 0.0


class Partner(msgspec.Struct, frozen=True):
    """An organisation that often works with another one, and on how many projects."""

    id: str
    name: str | None
    country: str | None
    projects: int


class Record(msgspec.Struct, omit_defaults=True, gc=False):
    """One usable row (or group of rows) of a source file: a partial project.

    ``key`` identifies the record within its file, so ingesting the same file again finds it;
    ``aliases`` are other ids that name the same project (a CORDIS rcn beside the grant id);
    ``rows`` is how many rows of the file it stands for, when a loader groups rows (one Greek
    operation listed once per region).
    """

    key: str
    project: Project
    line: int
    aliases: list[str] = []
    rows: int = 1


class Reject(msgspec.Struct, omit_defaults=True, gc=False):
    """A row that could not be used, kept with where it was and why."""

    line: int | None
    reason: str
    raw: str = ""


class Beneficiary(msgspec.Struct, omit_defaults=True, gc=False):
    """What one organisation received over its projects in one region, as a publisher totals it
    (Kohesio's beneficiary list): an aggregate, never a project, and never added to project totals.

    ``projects`` is how many operations the publisher counted; ``names`` are other spellings it
    gave (a Latin transliteration of a Cyrillic name).
    """

    source: str
    organisation: Organisation
    region: str | None = None
    total_budget: Money | None = None
    eu_contribution: Money | None = None
    projects: int | None = None
    names: list[str] = []
    raw: dict[str, str] = {}
    flags: list[Flag] = []


class BeneficiaryRecord(msgspec.Struct, omit_defaults=True, gc=False):
    """One usable row of a beneficiary list; ``key`` identifies it within its file."""

    key: str
    beneficiary: Beneficiary
    line: int


class RejectEntry(msgspec.Struct, omit_defaults=True):
    """A reject as the store keeps it, with the file and format it came from."""

    format: str
    file: str
    line: int | None
    reason: str
    raw: str = ""
    first_seen: dt.datetime | None = None
