"""How model objects become rows and back, the same for every backend.

A project's JSON excludes its participations, which live in their own table so organisation
pages and statistics can query them; organisations are merged across all their projects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import msgspec

from euprojects.model import Beneficiary, Organisation, Participation, Project
from euprojects.normalise.money import to_eur
from euprojects.orgs.details import Rank, Ranked, combine, mention, mention_day, outranks
from euprojects.store.rows import OrganisationRow, ParticipationRow, ProjectColumns, ProjectRow
from euprojects.store.rows import PreparedBatch as PreparedBatch  # the ingest names it here

_encoder = msgspec.json.Encoder(decimal_format="string", order="deterministic")
_project_decoder = msgspec.json.Decoder(Project)
_participation_decoder = msgspec.json.Decoder(Participation)
_organisation_decoder = msgspec.json.Decoder(Organisation)
_beneficiary_decoder = msgspec.json.Decoder(Beneficiary)
_ranks_decoder = msgspec.json.Decoder(dict[str, Rank])


def encode(value: object) -> bytes:
    return _encoder.encode(value)


def decode_project(data: bytes) -> Project:
    return _project_decoder.decode(data)


def decode_beneficiary(data: bytes) -> Beneficiary:
    return _beneficiary_decoder.decode(data)


def decode_organisation(data: bytes) -> Organisation:
    return _organisation_decoder.decode(data)


def decode_ranked(data: bytes, ranks: bytes | None) -> Ranked:
    """An organisation as stored, with the ranks of the mentions that gave its details (none
    for one stored before ranks were kept: any mention then replaces its details)."""
    return Ranked(decode_organisation(data), _ranks_decoder.decode(ranks) if ranks else {})


def decode_participation(data: bytes, organisation: bytes | None) -> Participation:
    """A participation with the organisation as merged across sources, named as this project's
    source named it (names differ between sources; the one beside the project is its own)."""
    participation = _participation_decoder.decode(data)
    if organisation is not None:
        merged = decode_organisation(organisation)
        if participation.organisation.name:
            merged = msgspec.structs.replace(merged, name=participation.organisation.name)
        participation.organisation = merged
    return participation


def project_row(project: Project) -> ProjectRow:
    """Columns of the projects table, the project's JSON and its participation rows."""
    bare = msgspec.structs.replace(project, participations=[])
    data = encode(bare)
    lead = project.lead
    status = project.effective_status()
    columns = ProjectColumns(
        project.id,
        project.source,
        project.source_id,
        project.acronym,
        project.title,
        project.start_date.isoformat() if project.start_date else None,
        project.end_date.isoformat() if project.end_date else None,
        status.value if status else None,
        project.programme,
        project.period,
        project.fund,
        to_eur(project.eu_contribution),
        to_eur(project.total_cost),
        project.partner_count,
        lead.organisation.country if lead else None,
        lead.organisation.name if lead else None,
        json.dumps(project.countries),
        int(project.unlisted is None),
    )
    blobs = [encode(_slim(p)) for p in project.participations]
    rows = [
        ParticipationRow(
            project_id=project.id,
            ord=position,
            org_id=p.organisation.id,
            role=p.role.value,
            country=p.organisation.country,
            eu_contribution_eur=to_eur(p.eu_contribution),
            data=blob,
        )
        for position, (p, blob) in enumerate(zip(project.participations, blobs, strict=True))
    ]
    return ProjectRow(columns, data, rows, join_blobs(blobs))


def prepare_batch(projects: Sequence[Project], deleted: Sequence[str], done: Sequence[str]) -> PreparedBatch:
    return PreparedBatch([project_row(p) for p in projects], organisations_of(projects), list(deleted), list(done))


def _slim(participation: Participation) -> Participation:
    """A participation as stored: its organisation only by id and the name this source gave it;
    the organisation's other details live once in the organisations table."""
    org = participation.organisation
    return msgspec.structs.replace(participation, organisation=Organisation(id=org.id, name=org.name))


def join_blobs(blobs: Sequence[bytes]) -> bytes:
    return b"\x1e".join(blobs)


def organisations_of(projects: Sequence[Project]) -> dict[str, Ranked]:
    """The organisations these projects mention, each ranked by the partner list that names it
    and the project's date, merged across the projects."""
    seen: dict[str, Ranked] = {}
    for project in projects:
        day = mention_day(project)
        for participation in project.participations:
            add_mention(seen, mention(participation.organisation, project.partners_format, day))
    return seen


def add_mention(seen: dict[str, Ranked], ranked: Ranked) -> None:
    """Weigh one more mention of an organisation against those seen so far."""
    oid = ranked.organisation.id
    known = seen.get(oid)
    seen[oid] = ranked if known is None else combine(known, ranked)


def merge_organisations(
    known: dict[str, Ranked], seen: dict[str, Ranked]
) -> tuple[list[str], list[OrganisationRow], dict[str, Ranked]]:
    """Rows to write for organisations new, improved or better ranked, the ids whose name
    changed, and the organisations as written. A rank that rose is written even when no detail
    changed: a later mention must be weighed against it."""
    renamed: list[str] = []
    rows: list[OrganisationRow] = []
    written: dict[str, Ranked] = {}
    for oid, ranked in seen.items():
        before = known.get(oid)
        if before is not None and outranks(before, ranked):
            continue
        after = ranked if before is None else combine(before, ranked)
        if before is not None and after == before:
            continue
        org = after.organisation
        if before is not None and before.organisation.name != org.name:
            renamed.append(oid)
        rows.append(OrganisationRow(oid, org.name, org.country, org.city, org.type, encode(org), encode(after.ranks)))
        written[oid] = after
    return renamed, rows, written
