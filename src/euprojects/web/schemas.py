"""The API's response envelopes. One shape for every result: ``{"ok": true, "data": …}``;
every error: ``{"ok": false, "error": {"status", "message", "parameter"}}``."""

from __future__ import annotations

import msgspec

from euprojects.index.build import IndexStatus
from euprojects.model import Beneficiary, Organisation, Partner, Programme, Project
from euprojects.search.engine import Hit, SearchResult
from euprojects.search.facets import FacetValue
from euprojects.store.base import BeneficiaryTotals, OrganisationRole


class Problem(msgspec.Struct):
    status: int
    message: str
    parameter: str | None = None


class ErrorEnvelope(msgspec.Struct):
    ok: bool
    error: Problem


class ProjectRecord(Project, kw_only=True):
    """A project as the API gives it: the model plus its id, portal address, the status its dates
    imply and the status shown (the source's when it has one, else the derived one)."""

    id: str
    url: str
    status_derived: str | None
    status_effective: str | None


class OrganisationRecord(msgspec.Struct):
    organisation: Organisation
    url: str
    projects: list[OrganisationRole]
    partners: list[Partner]
    total_eu_contribution_eur: float | None
    roles: dict[str, int]
    funding: list[Beneficiary] = []


class FacetValues(msgspec.Struct):
    name: str
    values: list[FacetValue]


class StatsRecord(msgspec.Struct):
    projects: int
    participations: int
    organisations: int
    source_records: int
    rejected_rows: int
    by_source: dict[str, int]
    by_fund: dict[str, int]
    last_ingest: str | None
    beneficiaries: dict[str, BeneficiaryTotals] = {}
    index: IndexStatus | None = None


class SearchEnvelope(msgspec.Struct):
    ok: bool
    data: SearchResult


class ProjectEnvelope(msgspec.Struct):
    ok: bool
    data: ProjectRecord


class SimilarEnvelope(msgspec.Struct):
    ok: bool
    data: list[Hit]


class OrganisationEnvelope(msgspec.Struct):
    ok: bool
    data: OrganisationRecord


class ProgrammesEnvelope(msgspec.Struct):
    ok: bool
    data: list[Programme]


class FacetEnvelope(msgspec.Struct):
    ok: bool
    data: FacetValues


class StatsEnvelope(msgspec.Struct):
    ok: bool
    data: StatsRecord


ENVELOPES: tuple[type, ...] = (
    ErrorEnvelope,
    SearchEnvelope,
    ProjectEnvelope,
    SimilarEnvelope,
    OrganisationEnvelope,
    ProgrammesEnvelope,
    FacetEnvelope,
    StatsEnvelope,
)
