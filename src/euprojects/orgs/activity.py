"""What an organisation did, counted: its projects, how often it led them and the EU contribution
it received, by source, programme and period; the countries of its partners and the regions of
its projects.

Every figure is a sum over the organisation's participations as the store holds them, so the
organisation page, its API record and ``show --json`` agree with the store to the euro.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import msgspec

from euprojects.model import Role
from euprojects.store.participants import ActivityRow, ParticipantReads

NO_VALUE = "(none)"


class Breakdown(msgspec.Struct):
    """One group of an organisation's projects: how many, how many it led, and the EU
    contribution it received over those that publish one (``None`` when none does)."""

    key: str
    projects: int
    led: int
    eu_contribution_eur: float | None


class Count(msgspec.Struct):
    key: str
    projects: int


class Activity(msgspec.Struct):
    """An organisation's activity: ``led`` is how many of its projects it led or coordinated;
    ``partner_countries`` counts, per country, the projects shared with partners from there (its
    own country included when a partner comes from it); ``regions`` counts the projects whose
    record names each NUTS region."""

    projects: int
    led: int
    by_source: list[Breakdown]
    by_programme: list[Breakdown]
    by_period: list[Breakdown]
    partner_countries: list[Count]
    regions: list[Count]


def source_of(project_id: str) -> str:
    """A project id is ``source:source_id``."""
    return project_id.partition(":")[0]


def activity(store: ParticipantReads, org_id: str) -> Activity:
    rows = store.organisation_activity(org_id)
    project_ids = sorted({row.project_id for row in rows})
    return Activity(
        projects=len(project_ids),
        led=len({row.project_id for row in rows if row.role == Role.LEAD}),
        by_source=breakdown(rows, lambda row: source_of(row.project_id)),
        by_programme=breakdown(rows, lambda row: row.programme),
        by_period=breakdown(rows, lambda row: row.period),
        partner_countries=partner_countries(store, org_id, project_ids),
        regions=_counts(Counter(nuts for row in _per_project(rows) for nuts in set(row.nuts))),
    )


def breakdown(rows: Iterable[ActivityRow], key: Callable[[ActivityRow], str | None]) -> list[Breakdown]:
    """Rows grouped by ``key``, most projects first. An organisation listed twice in one project
    (two departments under one PIC) counts that project once and both contributions."""
    groups: dict[str, list[ActivityRow]] = {}
    for row in rows:
        groups.setdefault(key(row) or NO_VALUE, []).append(row)
    found = [_group(name, members) for name, members in groups.items()]
    return sorted(found, key=lambda b: (-b.projects, b.key))


def _group(name: str, rows: list[ActivityRow]) -> Breakdown:
    amounts = [row.eu_contribution_eur for row in rows if row.eu_contribution_eur is not None]
    return Breakdown(
        key=name,
        projects=len({row.project_id for row in rows}),
        led=len({row.project_id for row in rows if row.role == Role.LEAD}),
        eu_contribution_eur=round(sum(amounts), 2) if amounts else None,
    )


def partner_countries(store: ParticipantReads, org_id: str, project_ids: list[str]) -> list[Count]:
    counts: Counter[str] = Counter()
    for participants in store.participants(project_ids).values():
        countries = {p.country for p in participants if p.org_id != org_id and p.country}
        counts.update(countries)
    return _counts(counts)


def _per_project(rows: Iterable[ActivityRow]) -> list[ActivityRow]:
    return list({row.project_id: row for row in rows}.values())


def _counts(counter: Counter[str]) -> list[Count]:
    return [Count(key, n) for key, n in sorted(counter.items(), key=lambda item: (-item[1], item[0]))]
