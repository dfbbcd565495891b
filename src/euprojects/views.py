"""What a reader is shown of a project, an organisation or the whole store: one shape for the
API, the pages, the CLI's ``--json`` and exports, assembled from the store.

Each view keeps the model's fields and adds what a reader needs beside them: the portal address,
the status the dates imply, an organisation's projects and partners, whether the index is in step.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

import msgspec

from euprojects.index.build import IndexStatus
from euprojects.model import Beneficiary, Organisation, Partner, Project
from euprojects.normalise.names import is_unnamed
from euprojects.orgs.activity import Activity, activity
from euprojects.orgs.resolve import Extra
from euprojects.stats.compute import Statistics
from euprojects.store import Store
from euprojects.store.base import BeneficiaryTotals, OrganisationRole, SourceQuality, Stats


def project_url(project_id: str) -> str:
    return "/projects/" + quote(project_id, safe=":")


def organisation_url(org_id: str) -> str:
    return "/organisations/" + quote(org_id, safe=":")


def programme_url(name: str) -> str:
    return "/programmes/" + quote(name, safe="")


UNNAMED = "Unnamed organisation (as published)"
_decode_extra = msgspec.json.Decoder(Extra)


def organisation_name(org_id: str, name: str | None) -> str:
    """What to call an organisation: its name, else what :func:`unnamed` says, else its id (a
    PIC no source names), which is what a reader can look up."""
    return name or unnamed(org_id) or org_id


def unnamed(org_id: str) -> str | None:
    """A participant its source left unnamed (FP1–FP3's ``N/A``) says so rather than show an id."""
    return UNNAMED if is_unnamed(org_id) else None


class ProjectRecord(Project, kw_only=True):
    """A project with its id, portal address, the status its dates imply and the status shown
    (the source's when it has one, else the derived one)."""

    id: str
    url: str
    status_derived: str | None
    status_effective: str | None


class MentionLink(msgspec.Struct):
    """How one of the ids the sources use for an organisation was resolved to it."""

    id: str
    method: str
    confidence: float
    rows: int  # participations and beneficiary rows that name it


class OrganisationRecord(msgspec.Struct):
    """An organisation with its projects and roles there, its most frequent partners, the EU
    contribution it received over them, beneficiary totals publishers give for it, and its
    activity counted by source, programme, period, partner country and region; with its
    identifiers by kind, the names the sources give it, and how each of their ids was resolved
    to it (``euprojects.orgs``)."""

    organisation: Organisation
    url: str
    projects: list[OrganisationRole]
    partners: list[Partner]
    total_eu_contribution_eur: float | None
    roles: dict[str, int]
    funding: list[Beneficiary] = []
    identifiers: dict[str, list[str]] = {}
    names: list[str] = []
    type_labels: list[str] = []
    links: list[MentionLink] = []
    activity: Activity | None = None


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
    unlisted: int = 0
    quality: dict[str, SourceQuality] = {}
    statistics: Statistics | None = None


def project_record(project: Project) -> ProjectRecord:
    fields = {name: getattr(project, name) for name in project.__struct_fields__}
    derived, effective = project.derived_status(), project.effective_status()
    return ProjectRecord(
        **fields,
        id=project.id,
        url=project_url(project.id),
        status_derived=derived.value if derived else None,
        status_effective=effective.value if effective else None,
    )


def organisation_record(store: Store, org_id: str) -> OrganisationRecord | None:
    """The organisation an id names now: an id merged into another organisation gives that one
    (its ``organisation.id`` differs from the id asked for: the address to redirect to)."""
    organisation = store.organisation(org_id)
    if organisation is None:
        return None
    org_id = organisation.id
    projects = store.organisation_projects(org_id)
    known = [p.eu_contribution_eur for p in projects if p.eu_contribution_eur is not None]
    extra = store.organisation_extra(org_id)
    resolved = _decode_extra.decode(extra) if extra else Extra()
    return OrganisationRecord(
        organisation=organisation,
        url=organisation_url(org_id),
        projects=projects,
        partners=store.frequent_partners(org_id, 12),
        total_eu_contribution_eur=round(sum(known), 2) if known else None,
        roles=dict(Counter(p.role for p in projects)),
        funding=store.organisation_funding(org_id),
        identifiers=resolved.identifiers or {k: [v] for k, v in organisation.identifiers.items()},
        names=resolved.names or ([organisation.name] if organisation.name else []),
        type_labels=resolved.type_labels,
        links=[MentionLink(*row) for row in store.organisation_mention_links(org_id)],
        activity=activity(store, org_id),
    )


def stats_record(stats: Stats, index: IndexStatus | None = None) -> StatsRecord:
    return StatsRecord(
        projects=stats.projects,
        participations=stats.participations,
        organisations=stats.organisations,
        source_records=stats.fragments,
        rejected_rows=stats.rejects,
        by_source=stats.by_source,
        by_fund=stats.by_fund,
        last_ingest=stats.last_ingest,
        beneficiaries=stats.beneficiaries,
        index=index,
        unlisted=stats.unlisted,
        quality=stats.quality,
    )


def address_of(store: Store, text: str) -> str | None:
    """The page a typed id names: a project (by its id, an alias, or a bare CORDIS grant number)
    or an organisation (by its id or a bare PIC); None when the text names neither."""
    typed = text.strip()
    if not typed or " " in typed:
        return None
    candidates = [typed, f"cordis:{typed}"] if typed.isdigit() else [typed]
    for candidate in candidates:
        project_id = store.resolve(candidate)
        if project_id is not None:
            return project_url(project_id)
    organisations = [typed, f"pic:{typed}"] if typed.isdigit() else [typed]
    found = next((org for org in organisations if store.organisation(org) is not None), None)
    return organisation_url(found) if found else None
