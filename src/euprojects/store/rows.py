"""The rows every backend writes and reads, named and typed.

A merged project is encoded once (``codec.prepare_batch``, maybe in a worker process) into these
rows; a backend writes their fields by name into its own tables, so a second backend needs no
knowledge of the first one's column order. They are NamedTuples: a backend may also hand one
as it is to a driver that takes tuples (``executemany``, ``COPY``).
"""

from __future__ import annotations

from typing import NamedTuple

from euprojects.orgs.details import Ranked


class ProjectColumns(NamedTuple):
    """The columns of a merged project beside its JSON: what listings, facets and statistics read."""

    id: str
    source: str
    source_id: str
    acronym: str | None
    title: str | None
    start_date: str | None
    end_date: str | None
    status: str | None
    programme: str | None
    period: str | None
    fund: str | None
    eu_contribution_eur: float | None
    total_cost_eur: float | None
    partner_count: int | None
    lead_country: str | None
    lead_name: str | None
    countries: str  # a JSON list, lead's country first
    listed: int  # 1 when the project is listed (in search, facets, statistics and exports)


class ParticipationRow(NamedTuple):
    """One organisation in one project, at its place in the project's list."""

    project_id: str
    ord: int
    org_id: str
    role: str
    country: str | None
    eu_contribution_eur: float | None
    data: bytes  # the participation's JSON, its organisation only by id and this source's name


class OrganisationRow(NamedTuple):
    """An organisation as merged across its mentions, with the ranks its details came with."""

    id: str
    name: str | None
    country: str | None
    city: str | None
    type: str | None
    data: bytes
    ranks: bytes


class ProjectRow(NamedTuple):
    """A merged project encoded for the store: its columns, JSON and participation rows, and
    the participations' JSON joined (what tells whether a stored project changed)."""

    columns: ProjectColumns
    data: bytes
    participations: list[ParticipationRow]
    participations_blob: bytes


class PreparedBatch(NamedTuple):
    """Merged projects encoded for the store, with their organisations: all the CPU work of a
    save, which can run in another process; what is left is SQL."""

    rows: list[ProjectRow]
    organisations: dict[str, Ranked]
    deleted: list[str]
    done: list[str]


class Change(NamedTuple):
    """A project's entry in the change log: changed (rebuild its document) or deleted (drop it)."""

    project_id: str
    deleted: bool


class ProjectLink(NamedTuple):
    """Two records of one project found by comparing them (the twin linker): ``alias`` is
    merged into ``target``, found by ``method``."""

    alias: str
    target: str
    method: str
