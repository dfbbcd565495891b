"""The figures of a set of projects computed directly from the store, with SQL over its tables
and, for what only the stored records hold (organisation types, NUTS codes, statuses), from the
records themselves: what every figure of the statistics must equal."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from euprojects.normalise.money import to_eur
from euprojects.store import Store


@dataclass
class Truth:
    projects: int = 0
    eu: float = 0.0
    eu_known: int = 0
    participations: int = 0
    organisations: int = 0
    by_project: dict[str, Counter[str]] = field(default_factory=dict)
    eu_by: dict[str, defaultdict[str, float]] = field(default_factory=dict)
    participations_by: dict[str, Counter[str]] = field(default_factory=dict)
    organisations_by: dict[str, Counter[str]] = field(default_factory=dict)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    places: Counter[tuple[str, str]] = field(default_factory=Counter)


# An organisation is the canonical one its id was resolved to (euprojects.orgs), as pages show it.
_ORGANISATION = "COALESCE(l.canonical, p.org_id)"
_RESOLVED = (
    "LEFT JOIN org_links l ON l.org_id = p.org_id LEFT JOIN org_canonical c ON c.id = l.canonical"
    " LEFT JOIN organisations o ON o.id = p.org_id"
)
# Its country is the canonical record's (resolution can give a country to a mention without one).
_COUNTRY = "CASE WHEN c.id IS NOT NULL THEN c.country ELSE o.country END"


def _db(store: Store) -> sqlite3.Connection:
    return store.db  # type: ignore[attr-defined,no-any-return]


def truth(store: Store, ids: Sequence[str] | None) -> Truth:
    """Figures of the listed projects ``ids`` (all listed projects when None)."""
    db = _db(store)
    db.execute("CREATE TEMP TABLE IF NOT EXISTS chosen (id TEXT PRIMARY KEY)")
    db.execute("DELETE FROM chosen")
    if ids is None:
        db.execute("INSERT INTO chosen SELECT id FROM projects WHERE listed")
    else:
        db.executemany("INSERT INTO chosen VALUES (?)", [(i,) for i in ids])
    found = Truth()
    found.projects, found.eu, found.eu_known = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(eu_contribution_eur), 0), COUNT(eu_contribution_eur)"
        " FROM projects JOIN chosen USING (id)"
    ).fetchone()
    for name, column in (
        ("source", "source"),
        ("fund", "fund"),
        ("period", "period"),
        ("programme", "programme"),
        ("start_year", "CAST(substr(start_date, 1, 4) AS INTEGER)"),
    ):
        rows = db.execute(
            f"SELECT {column}, COUNT(*), COALESCE(SUM(eu_contribution_eur), 0) FROM projects JOIN chosen USING (id)"
            f" WHERE {column} IS NOT NULL GROUP BY 1"
        ).fetchall()
        found.by_project[name] = Counter({str(k): n for k, n, _ in rows})
        found.eu_by[name] = defaultdict(float, {str(k): eu for k, _, eu in rows})
    found.participations, found.organisations = db.execute(
        f"SELECT COUNT(*), COUNT(DISTINCT {_ORGANISATION}) FROM participations p {_RESOLVED}"
        " JOIN chosen ON chosen.id = p.project_id"
    ).fetchone()
    for name, column in (("role", "p.role"), ("country", _COUNTRY)):
        rows = db.execute(
            f"SELECT {column}, COUNT(*), COUNT(DISTINCT {_ORGANISATION}) FROM participations p {_RESOLVED}"
            f" JOIN chosen ON chosen.id = p.project_id WHERE {column} IS NOT NULL GROUP BY 1"
        ).fetchall()
        found.participations_by[name] = Counter({k: n for k, n, _ in rows})
        found.organisations_by[name] = Counter({k: d for k, _, d in rows})
    _from_records(store, [i for (i,) in db.execute("SELECT id FROM chosen")], found)
    return found


def _from_records(store: Store, ids: list[str], found: Truth) -> None:
    """Partner countries, organisation types, NUTS regions and statuses, read from the records."""
    for name in ("country", "lead_country", "org_type", "nuts", "status"):
        found.by_project.setdefault(name, Counter())
        found.eu_by.setdefault(name, defaultdict(float))
    type_orgs: defaultdict[str, set[str]] = defaultdict(set)
    type_parts: Counter[str] = Counter()
    nuts_parts: Counter[str] = Counter()
    for start in range(0, len(ids), 500):
        for project in store.projects(ids[start : start + 500]):
            eu = to_eur(project.eu_contribution)
            status = project.effective_status()
            orgs = [p.organisation for p in project.participations]
            types = {o.type for o in orgs if o.type}
            regions = {o.nuts[:n] for o in orgs if o.nuts for n in (3, 4, 5) if len(o.nuts) >= n}
            regions |= {code[:n] for code in project.nuts for n in (3, 4, 5) if len(code) >= n}
            lead = project.lead
            groups = {
                "country": set(project.countries),
                "lead_country": {lead.organisation.country} if lead and lead.organisation.country else set(),
                "org_type": types,
                "nuts": regions,
                "status": {status.value} if status else set(),
            }
            for name, values in groups.items():
                for value in values:
                    found.by_project[name][value] += 1
                    found.eu_by[name][value] += eu or 0.0
            for org in orgs:
                for n in (3, 4, 5):
                    if org.nuts and len(org.nuts) >= n:
                        nuts_parts[org.nuts[:n]] += 1
                if org.type:
                    type_parts[org.type] += 1
                    type_orgs[org.type].add(org.id)
            located = {(f"{o.latitude:.1f}", f"{o.longitude:.1f}") for o in orgs if o.latitude is not None}
            found.places.update(located)
            countries = sorted(project.countries)
            for i, a in enumerate(countries):
                for b in countries[i + 1 :]:
                    found.pairs[a, b] += 1
    found.participations_by["org_type"] = type_parts
    found.participations_by["nuts"] = nuts_parts
    found.organisations_by["org_type"] = Counter({k: len(v) for k, v in type_orgs.items()})
