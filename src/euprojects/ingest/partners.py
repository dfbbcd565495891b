"""A project's partner list when several sources give one: the most complete list wins, and
lists that cover only some partners (Norway's register names its own organisations) enrich it
instead of standing for the whole consortium.

Lists rank by what their format can give (every partner with identifiers or amounts, every
partner by name, only some partners), then by how many of their partners carry an identifier,
a country and an amount, then by the format's priority. A partner of a partial list is found in
the chosen list by its country and EU contribution (to the cent), or by its folded name and
country; it then lends its name and identifiers to that partner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import msgspec

from euprojects.model import Participation
from euprojects.normalise.places import fold
from euprojects.orgs.details import merge_organisation
from euprojects.sources.roles import FormatRole
from euprojects.store.base import Fragment

RANK = {"full": 3, "names": 2, "partial": 1, "none": 0}
CENT = Decimal("0.01")


def choose(
    ordered: Sequence[Fragment], roles: Mapping[str, FormatRole]
) -> tuple[list[Participation], bool, str | None]:
    """The partner list to show, whether it is only part of the consortium, and its format."""
    lists: dict[str, list[Participation]] = {}
    for fragment in ordered:
        if fragment.project.participations:
            lists.setdefault(fragment.format, []).extend(fragment.project.participations)
    if not lists:
        return [], False, None
    best = max(lists, key=lambda fmt: _score(fmt, lists[fmt], roles))
    chosen = _unique(lists[best])
    for fmt, listed in lists.items():
        if fmt != best and _kind(fmt, roles) == "partial":
            chosen = _enrich(chosen, listed)
    return chosen, _kind(best, roles) == "partial", best


def _kind(fmt: str, roles: Mapping[str, FormatRole]) -> str:
    role = roles.get(fmt)
    return role.partners if role else "none"


def _score(fmt: str, listed: list[Participation], roles: Mapping[str, FormatRole]) -> tuple[int, float, int]:
    role = roles.get(fmt)
    return (RANK[_kind(fmt, roles)], _completeness(listed), role.priority if role else 0)


def _completeness(listed: list[Participation]) -> float:
    """Share of the partners with an identifier, a country and an amount (a third for each)."""
    points = sum(
        bool(p.organisation.identifiers) + bool(p.organisation.country) + (p.eu_contribution is not None)
        for p in listed
    )
    return points / (3 * len(listed))


def _unique(listed: list[Participation]) -> list[Participation]:
    """The same partner listed by two files of one format (two editions of a CORDIS table) is one
    participation; the same organisation twice in one list (a third party of two beneficiaries)
    is two, told apart by the order the source gave them."""
    if any(p.order for p in listed):
        listed = sorted(listed, key=lambda p: p.order)
    unique: dict[tuple[str, str, int], Participation] = {}
    for participation in listed:
        unique.setdefault((participation.organisation.id, participation.role.value, participation.order), participation)
    return list(unique.values())


def _enrich(chosen: list[Participation], partial: list[Participation]) -> list[Participation]:
    enriched = list(chosen)
    taken: set[int] = set()
    for partner in partial:
        index = _find(enriched, partner, taken)
        if index is None:
            continue
        taken.add(index)
        known = enriched[index]
        organisation = merge_organisation(known.organisation, partner.organisation)
        enriched[index] = msgspec.structs.replace(known, organisation=organisation)
    return enriched


def _find(chosen: list[Participation], partner: Participation, taken: set[int]) -> int | None:
    org = partner.organisation
    amount = partner.eu_contribution.amount.quantize(CENT) if partner.eu_contribution else None
    name = fold(org.name) if org.name else None
    for index, known in enumerate(chosen):
        if index in taken or known.organisation.country != org.country:
            continue
        same_amount = amount is not None and known.eu_contribution is not None
        if same_amount and known.eu_contribution is not None and known.eu_contribution.amount.quantize(CENT) == amount:
            return index
        if name and known.organisation.name and fold(known.organisation.name) == name:
            return index
    return None
