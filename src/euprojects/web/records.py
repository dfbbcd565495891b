"""Records the API and the pages show, assembled from the store."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

from euprojects.index.build import IndexStatus
from euprojects.model import Project
from euprojects.store import Store
from euprojects.store.base import Stats
from euprojects.web.schemas import OrganisationRecord, ProjectRecord, StatsRecord


def project_url(project_id: str) -> str:
    return "/projects/" + quote(project_id, safe=":")


def organisation_url(org_id: str) -> str:
    return "/organisations/" + quote(org_id, safe=":")


def programme_url(name: str) -> str:
    return "/programmes/" + quote(name, safe="")


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
    organisation = store.organisation(org_id)
    if organisation is None:
        return None
    projects = store.organisation_projects(org_id)
    known = [p.eu_contribution_eur for p in projects if p.eu_contribution_eur is not None]
    total = round(sum(known), 2) if known else None
    return OrganisationRecord(
        organisation=organisation,
        url=organisation_url(org_id),
        projects=projects,
        partners=store.frequent_partners(org_id, 12),
        total_eu_contribution_eur=total,
        roles=dict(Counter(p.role for p in projects)),
        funding=store.organisation_funding(org_id),
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
    )
