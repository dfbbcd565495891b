"""An organisation's details as several sources give them, merged into one record.

Sources describe one body differently: Horizon Europe's table gives a PIC's legal name, address
and website, the 2020 H2020 table only its country and type, and FP1–FP3 rows each spell the
address their project gave (``DUN LAOGHAIRE`` in one, ``Dun Laoghaire-Co Dublin`` in another).
Each mention is ranked: by how complete it is, then by how recent its source is (``as_of`` in
``sources/roles.py``), then by the date of the project that mentions it. Each detail comes from
the best-ranked mention that gives it; the street, postcode and city come together, as do the
coordinates, so an address is never pieced together from two rows. Equal ranks are decided by
the values themselves.

The choice is a maximum over a total order, so the record is the same whatever order the
mentions arrive in: projects are rebuilt in batches, in worker processes, over many ingests.
For that the record keeps, per detail, the rank of the mention that gave it (stored beside the
organisation), so a later mention is weighed against the one that won, not against whatever
was seen first.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from operator import attrgetter, is_not

import msgspec

from euprojects.model import Organisation, Project
from euprojects.sources.roles import ROLES

# (completeness, the source's year, the mentioning project's day); a detail stored before ranks
# were kept has the lowest, so any mention that gives the detail replaces it.
Rank = tuple[int, int, int]
UNRANKED: Rank = (-1, -1, -1)

# Details that come from one mention each, by name; a group is given when any of its fields is.
DETAILS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "short_name": ("short_name",),
    "country": ("country", "country_raw"),
    "nuts": ("nuts",),
    "address": ("street", "postcode", "city"),
    "position": ("latitude", "longitude"),
    "type": ("type",),
    "sme": ("sme",),
    "website": ("website",),
}
_GROUPS = tuple(DETAILS.items())
_FIELDS = tuple(f for fields in DETAILS.values() for f in fields)
# What makes a mention complete: the details a reader is shown, field by field.
_COUNTED = frozenset(_FIELDS) - {"country_raw"}
IDENTIFIER = "identifiers."  # rank key of one identifier: identifiers.vat, identifiers.pic

_value_encoder = msgspec.json.Encoder(order="deterministic")


class Ranked(msgspec.Struct, frozen=True, gc=False):
    """An organisation with the rank of the mention each of its details came from."""

    organisation: Organisation
    ranks: dict[str, Rank] = {}


def mention_day(project: Project) -> int:
    """When the mentioning project took place: its start, else the first year of its period."""
    if project.start_date is not None:
        return project.start_date.toordinal()
    first = (project.period or "")[:4]
    return dt.date(int(first), 1, 1).toordinal() if first.isdigit() and int(first) > 0 else 0


def mention(org: Organisation, fmt: str | None, day: int = 0) -> Ranked:
    """One source's mention of an organisation, every detail it gives ranked alike."""
    role = ROLES.get(fmt or "")
    completeness, groups = _shape(tuple(map(is_not, _details_of(org), _NONES)))
    # completeness: how many of the details a reader is shown it gives, identifiers counted once
    rank: Rank = (completeness + bool(org.identifiers), role.as_of if role else 0, day)
    ranks = dict.fromkeys(groups, rank)
    for key in org.identifiers:
        ranks[IDENTIFIER + key] = rank
    return Ranked(org, ranks)


_details_of = attrgetter(*_FIELDS)
_NONES = (None,) * len(_FIELDS)


@cache
def _shape(given: tuple[bool, ...]) -> tuple[int, tuple[str, ...]]:
    """For the details a mention gives (one flag per field of ``_FIELDS``): how many a reader
    is shown, and the groups it gives. Every mention is ranked, and few shapes occur."""
    present = {f for f, there in zip(_FIELDS, given, strict=True) if there}
    groups = tuple(group for group, fields in _GROUPS if not present.isdisjoint(fields))
    return len(present & _COUNTED), groups


def combine(a: Ranked, b: Ranked) -> Ranked:
    """Two rankings of one organisation as one: each detail from the mention ranked higher.

    Commutative and associative, so any order of mentions gives the same record."""
    if a.organisation == b.organisation:  # the common case: one body described alike
        return a if a.ranks == b.ranks else Ranked(a.organisation, _higher(a.ranks, b.ranks))
    if outranks(a, b):  # every detail b gives, a gives ranked higher: a wins them all
        return a
    if outranks(b, a):
        return b
    values: dict[str, object] = {}
    ranks: dict[str, Rank] = {}
    for group, fields in _GROUPS:
        winner = _better(a, b, group, fields)
        if winner is not None:
            values.update({f: getattr(winner.organisation, f) for f in fields})
            _keep(ranks, group, winner)
    identifiers: dict[str, str] = {}
    for key in sorted({*a.organisation.identifiers, *b.organisation.identifiers}):
        winner = _better_identifier(a, b, key)
        identifiers[key] = winner.organisation.identifiers[key]
        _keep(ranks, IDENTIFIER + key, winner)
    org = Organisation(id=a.organisation.id, identifiers=identifiers, **values)  # type: ignore[arg-type]
    return Ranked(org, ranks)


def outranks(known: Ranked, mention: Ranked) -> bool:
    """Whether every detail a mention gives is already held at a strictly higher rank, so that
    combining them changes nothing: the usual case once an organisation has been seen, decided
    without comparing a single value."""
    ranks = known.ranks
    return all(ranks.get(key, UNRANKED) > rank for key, rank in mention.ranks.items())


def _higher(a: dict[str, Rank], b: dict[str, Rank]) -> dict[str, Rank]:
    return {key: max(a.get(key, UNRANKED), b.get(key, UNRANKED)) for key in a.keys() | b.keys()}


def _keep(ranks: dict[str, Rank], key: str, winner: Ranked) -> None:
    """The winner's rank of a detail; none is kept for a detail stored before ranks were."""
    rank = winner.ranks.get(key)
    if rank is not None:
        ranks[key] = rank


def _gives(org: Organisation, fields: tuple[str, ...]) -> bool:
    return any(getattr(org, f) is not None for f in fields)


def _better(a: Ranked, b: Ranked, group: str, fields: tuple[str, ...]) -> Ranked | None:
    """Which of the two gives this detail, the better-ranked one when both do."""
    a_gives, b_gives = _gives(a.organisation, fields), _gives(b.organisation, fields)
    if not (a_gives and b_gives):
        return a if a_gives else b if b_gives else None
    return a if _key(a, group, fields) >= _key(b, group, fields) else b


def _key(ranked: Ranked, group: str, fields: tuple[str, ...]) -> tuple[Rank, bytes]:
    """The detail's rank, then its values: equal ranks are decided by the text, never by order."""
    values = tuple(getattr(ranked.organisation, f) for f in fields)
    return ranked.ranks.get(group, UNRANKED), _value_encoder.encode(values)


def _better_identifier(a: Ranked, b: Ranked, key: str) -> Ranked:
    a_value, b_value = a.organisation.identifiers.get(key), b.organisation.identifiers.get(key)
    if a_value is None or b_value is None:
        return a if b_value is None else b
    a_key = (a.ranks.get(IDENTIFIER + key, UNRANKED), a_value)
    b_key = (b.ranks.get(IDENTIFIER + key, UNRANKED), b_value)
    return a if a_key >= b_key else b


def merge_organisation(known: Organisation, new: Organisation) -> Organisation:
    """Within one project: a partner of a partial list (Norway's register) lends what the chosen
    list's partner lacks, and never overwrites what that list gives."""
    changes: dict[str, object] = {}
    for name in Organisation.__struct_fields__:
        if name in ("id", "identifiers"):
            continue
        if getattr(known, name) is None and getattr(new, name) is not None:
            changes[name] = getattr(new, name)
    identifiers = {**new.identifiers, **known.identifiers}
    if identifiers != known.identifiers:
        changes["identifiers"] = identifiers
    return msgspec.structs.replace(known, **changes) if changes else known
