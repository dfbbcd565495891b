"""What a project's records imply together, added once they are merged: whether it is listed,
what to call it when no source gives a title, and its EU contribution when only its partners'
amounts are published. Each derived value says so (a flag, a raw note), so a reader can tell
it from a published one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from euprojects.ingest.canonical import canonicalise
from euprojects.model import Flag, Money, Project
from euprojects.sources.roles import FormatRole
from euprojects.store.base import Fragment
from euprojects.vocabulary import FUNDS, SOURCES

UNLISTED = "only tables that describe a project others name ({formats}) name this one: no title, partners or money"
COMPUTED_EU = "computed: the sum of the partners' EU contributions"


def unlisted_reason(fragments: Sequence[Fragment], roles: Mapping[str, FormatRole]) -> str | None:
    """Why the project stays out of search: none of its records comes from a table that
    establishes a project (a topic, a programme part or a web link alone do not)."""
    if any(roles[f.format].establishes for f in fragments if f.format in roles):
        return None
    return UNLISTED.format(formats=", ".join(sorted({f.format for f in fragments})))


def label(project: Project) -> str | None:
    """What to call a project no source gives a title or acronym: its programme, lead partner
    and years, e.g. "Marie Skłodowska-Curie Actions (MSCA) project led by UNIVERSITY OF OSLO,
    2016–2018"."""
    if project.title or project.acronym:
        return None
    kind = project.programme or FUNDS.get(project.fund or "") or SOURCES.get(project.source, project.source)
    parts = [f"{kind} project"]
    lead = project.lead
    if lead and lead.organisation.name:
        parts.append(f"led by {lead.organisation.name}")
    text = " ".join(parts)
    years = _years(project) or project.period
    return f"{text}, {years}" if years else text


def _years(project: Project) -> str | None:
    start = project.start_date.year if project.start_date else None
    end = project.end_date.year if project.end_date else None
    if start and end and end != start:
        return f"{start}–{end}"
    return str(start or end) if start or end else None


def computed_eu_contribution(project: Project) -> tuple[Money, Flag] | None:
    """The sum of the partners' EU contributions, for a project whose sources publish only those
    (Horizon Europe's organisation table); None when the project has its own amount or a partner's
    amount is missing or in another currency."""
    if project.eu_contribution is not None or project.partners_partial or not project.participations:
        return None
    amounts = [p.eu_contribution for p in project.participations]
    known = [a for a in amounts if a is not None]
    if not known or len({a.currency for a in known}) != 1:
        return None
    total = sum((a.amount for a in known), Decimal(0))
    if not total:
        return None
    missing = len(amounts) - len(known)
    note = f" ({missing} partner(s) without an amount)" if missing else ""
    flag = Flag("eu_contribution_computed", f"The EU contribution is the sum of the partners' contributions{note}.")
    return Money(total, known[0].currency), flag


def finish(project: Project, fragments: Sequence[Fragment], roles: Mapping[str, FormatRole]) -> Project:
    """Add the derived values to a merged project (in place) and return it."""
    project.unlisted = unlisted_reason(fragments, roles)
    canonicalise(project)  # before the label, which names the programme
    computed = computed_eu_contribution(project)
    if computed is not None:
        project.eu_contribution, flag = computed
        project.raw = {**project.raw, "eu_contribution": COMPUTED_EU}
        project.flags = [*project.flags, flag]
    project.label = label(project)
    return project
