"""The API's response envelopes. One shape for every result: ``{"ok": true, "data": …}``;
every error: ``{"ok": false, "error": {"status", "message", "parameter"}}``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from euprojects.model import Programme
from euprojects.orgs.network import Network
from euprojects.orgs.partners import PartnerResult
from euprojects.search.engine import Hit, SearchResult
from euprojects.search.facets import FacetValue
from euprojects.views import OrganisationRecord, ProjectRecord, StatsRecord

Kind = Literal["new", "changed", "withdrawn", "removed"]


class Change(msgspec.Struct):
    id: str
    change: Kind
    changed: dt.datetime
    url: str | None = None
    title: str | None = None
    acronym: str | None = None
    source: str | None = None
    first_seen: dt.datetime | None = None
    withdrawn: dt.datetime | None = None


class ChangesPage(msgspec.Struct):
    since: dt.datetime
    count: int
    changes: list[Change]


class ChangesEnvelope(msgspec.Struct):
    ok: bool
    data: ChangesPage


class Problem(msgspec.Struct):
    status: int
    message: str
    parameter: str | None = None


class ErrorEnvelope(msgspec.Struct):
    ok: bool
    error: Problem


class FacetValues(msgspec.Struct):
    name: str
    values: list[FacetValue]


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


class PartnersEnvelope(msgspec.Struct):
    ok: bool
    data: PartnerResult


class NetworkEnvelope(msgspec.Struct):
    ok: bool
    data: Network


ENVELOPES: tuple[type, ...] = (
    ErrorEnvelope,
    SearchEnvelope,
    ProjectEnvelope,
    SimilarEnvelope,
    OrganisationEnvelope,
    ProgrammesEnvelope,
    FacetEnvelope,
    StatsEnvelope,
    PartnersEnvelope,
    NetworkEnvelope,
    ChangesEnvelope,
)
