"""Reads over participations for many projects or organisations at once: who took part in which
project, in which role and from which country, and what organisations did beyond one page.

Partner search, the collaboration network and an organisation's activity each start from a set
of projects or organisations and aggregate over their participations; reading them in chunks of
ids keeps each of those to a handful of indexed queries, whatever the size of the set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import msgspec

from euprojects.model import Organisation

# SQL both stores share. Organisations are the canonical ones the sources' ids resolve to
# (euprojects.orgs): a participation's organisation, and an organisation's record with its merged
# details (``p`` is the participations table).
CANONICAL = "COALESCE(l.canonical, p.org_id)"
LINKED = "LEFT JOIN org_links l ON l.org_id = p.org_id"
RECORDS = (
    "(SELECT o.id AS id, COALESCE(c.country, o.country) AS country, COALESCE(c.type, o.type) AS type,"
    " COALESCE(c.data, o.data) AS data FROM organisations o LEFT JOIN org_canonical c ON c.id = o.id)"
)


class Participant(msgspec.Struct, frozen=True, gc=False):
    """One organisation in one project: its id, role and the country that participation gives."""

    org_id: str
    role: str
    country: str | None


class ProjectBrief(msgspec.Struct, frozen=True):
    """What a list of evidence shows of a project."""

    id: str
    acronym: str | None
    title: str | None
    label: str | None
    start_date: str | None
    end_date: str | None
    programme: str | None
    period: str | None
    eu_contribution_eur: float | None


class ActivityRow(msgspec.Struct, frozen=True, gc=False):
    """One participation of an organisation with what its activity is counted by."""

    project_id: str
    role: str
    eu_contribution_eur: float | None
    programme: str | None
    period: str | None
    nuts: tuple[str, ...]


class OrganisationFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Which organisations to keep: from one of ``countries``, in one of the NUTS regions
    ``nuts`` (or a region below one), of one of ``types``; that took part in at least one listed
    project as lead when ``led``, of one of ``programmes`` and one of ``periods`` when given.
    Empty means any."""

    countries: tuple[str, ...] = ()
    nuts: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    led: bool = False
    programmes: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()

    def by_record(self) -> bool:
        return bool(self.countries or self.nuts or self.types)

    def by_experience(self) -> bool:
        return bool(self.led or self.programmes or self.periods)


class ParticipantReads(Protocol):
    """What partner search, the collaboration network and an organisation's activity read."""

    def participants(self, project_ids: Sequence[str]) -> dict[str, list[Participant]]:
        """Each project's participants, in the project's order; projects without any are absent."""
        ...

    def organisations(self, org_ids: Sequence[str]) -> dict[str, Organisation]:
        """Many organisations by id at once; unknown ids are absent."""
        ...

    def project_briefs(self, project_ids: Sequence[str]) -> dict[str, ProjectBrief]: ...

    def organisation_project_ids(self, org_id: str) -> list[str]: ...

    def country_project_ids(self, country: str) -> list[str]:
        """Listed projects with a participant from ``country`` (as each participation gives it)."""
        ...

    def organisation_activity(self, org_id: str) -> list[ActivityRow]:
        """Every participation of an organisation with its project's programme, period and regions."""
        ...

    def qualified(self, org_ids: Sequence[str], wanted: OrganisationFilter) -> set[str]:
        """The organisations among ``org_ids`` that pass ``wanted``."""
        ...
