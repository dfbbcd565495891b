"""The PostgreSQL store's reads of projects and organisations (:class:`ProjectReads`): the SQLite
store's queries in PostgreSQL's dialect, each read in one snapshot of the reading pool (a replica
when one is configured). Ids go to the server as one array (``= ANY(%s)``), not in chunks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from euprojects.model import Beneficiary, Organisation, Partner, Programme, Project, Provenance, RejectEntry
from euprojects.store import codec, visibility
from euprojects.store.base import (
    BeneficiaryTotals,
    OrganisationRole,
    ProjectSummary,
    SourceQuality,
    Stats,
    programmes_of,
    rejects_of,
    with_dates,
)
from euprojects.store.postgres_db import Pools
from euprojects.store.postgres_participants import MEMBERS, PostgresParticipantReads, json_field


def _partner_countries() -> str:
    """A project's partner countries as ``Project.countries`` gives them (lead first, then the
    source's order), from the canonical organisations, as an array."""
    order = f"COALESCE(({json_field('p.data', 'order')})::numeric, 0)"
    return (
        "SELECT array_agg(CASE WHEN c.id IS NOT NULL THEN c.country ELSE o.country END"
        f" ORDER BY p.role <> 'lead', {order}, p.ord)"
        " FROM participations p LEFT JOIN organisations o ON o.id = p.org_id"
        " LEFT JOIN org_links l ON l.org_id = p.org_id LEFT JOIN org_canonical c ON c.id = l.canonical"
        " WHERE p.project_id = projects.id"
    )


# A lead its own source does not name is called what another source calls that organisation.
_LEAD_NAME = (
    "SELECT o.name FROM participations p JOIN organisations o ON o.id = p.org_id"
    " WHERE p.project_id = projects.id AND p.role = 'lead' ORDER BY p.ord LIMIT 1"
)


def _iso(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


class PostgresReads(PostgresParticipantReads):
    """Mixed into the PostgreSQL store; ``pools`` are its connections."""

    pools: Pools

    def project(self, project_id: str) -> Project | None:
        with self.pools.read() as db:
            row = db.execute("SELECT data FROM projects WHERE id = %s", (project_id,)).fetchone()
            if row is None:
                return None
            project = codec.decode_project(row[0])
            project.participations = _participations(db, [project_id]).get(project_id, [])
            project.provenance = _provenance(db, project_id) or project.provenance
            changed = db.execute("SELECT changed FROM changes WHERE project_id = %s", (project_id,)).fetchone()
        return with_dates(project, _iso(changed[0]) if changed else None)

    def summaries(self, project_ids: Sequence[str]) -> dict[str, ProjectSummary]:
        with self.pools.read_one() as db:
            rows = db.execute(
                f"SELECT id, data, ({_partner_countries()}), partner_count, COALESCE(lead_name, ({_LEAD_NAME}))"
                " FROM projects WHERE id = ANY(%s)",
                (list(project_ids),),
            ).fetchall()
        return {
            pid: ProjectSummary(
                project=codec.decode_project(data),
                countries=list(dict.fromkeys(c for c in countries or () if c)),
                partner_count=partner_count,
                lead=lead,
            )
            for pid, data, countries, partner_count, lead in rows
        }

    def projects(self, project_ids: Sequence[str]) -> list[Project]:
        with self.pools.read() as db:
            rows = db.execute("SELECT id, data FROM projects WHERE id = ANY(%s)", (list(project_ids),)).fetchall()
            return _whole(db, rows)

    def iter_projects(self, batch: int = 1000) -> Iterator[Project]:
        after = ""
        while True:
            with self.pools.read() as db:
                rows = db.execute(
                    'SELECT id, data FROM projects WHERE id > %s COLLATE "C" ORDER BY id COLLATE "C" LIMIT %s',
                    (after, batch),
                ).fetchall()
                projects = _whole(db, rows)
            if not rows:
                return
            yield from projects
            after = rows[-1][0]

    def project_ids(self) -> list[str]:
        with self.pools.read() as db:
            return [row[0] for row in db.execute('SELECT id FROM projects ORDER BY id COLLATE "C"')]

    def indexed_project_ids(self) -> list[str]:
        withdrawn = json_field("data", "withdrawn")
        with self.pools.read() as db:
            rows = db.execute(
                f"SELECT id FROM projects WHERE (listed = 1 OR {withdrawn} IS NOT NULL)"
                f' AND seq <= {visibility.VISIBLE} ORDER BY id COLLATE "C"'
            )
            return [row[0] for row in rows]

    def numbers(self, project_ids: Sequence[str]) -> dict[str, int]:
        with self.pools.read() as db:
            rows = db.execute("SELECT id, num FROM project_numbers WHERE id = ANY(%s)", (list(project_ids),))
            return {pid: int(num) for pid, num in rows}

    def resolve(self, project_id: str) -> str | None:
        with self.pools.read() as db:
            if db.execute("SELECT 1 FROM projects WHERE id = %s", (project_id,)).fetchone():
                return project_id
            row = db.execute("SELECT MIN(project_id) FROM aliases WHERE alias = %s", (project_id,)).fetchone()
        return str(row[0]) if row and row[0] else None

    def aliases_of(self, project_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        with self.pools.read() as db:
            rows = db.execute(
                "SELECT DISTINCT project_id, alias FROM aliases WHERE project_id = ANY(%s)", (list(project_ids),)
            )
            for pid, alias in rows:
                found.setdefault(pid, []).append(alias)
        return found

    # --- organisations ----------------------------------------------------------------------
    def organisation(self, org_id: str) -> Organisation | None:
        with self.pools.read() as db:
            row = db.execute(
                "SELECT COALESCE(c.data, o.data) FROM organisations o LEFT JOIN org_links l ON l.org_id = o.id"
                " LEFT JOIN org_canonical c ON c.id = l.canonical WHERE o.id = %s",
                (org_id,),
            ).fetchone()
        return codec.decode_organisation(row[0]) if row else None

    def organisation_projects(self, org_id: str) -> list[OrganisationRole]:
        label = json_field("r.data", "label")
        with self.pools.read() as db:
            rows = db.execute(
                f"SELECT p.project_id, r.acronym, r.title, {label}, p.role, r.start_date, p.eu_contribution_eur,"
                f" r.programme, r.period FROM participations p JOIN projects r ON r.id = p.project_id"
                f" WHERE p.org_id IN ({MEMBERS}) ORDER BY r.start_date DESC NULLS LAST, p.project_id, p.ord",
                {"org": self._linked(db, org_id)},
            ).fetchall()
        found: dict[str, OrganisationRole] = {}  # a project naming two mentions of one organisation: once
        for row in rows:
            found.setdefault(row[0], OrganisationRole(*row))
        return list(found.values())

    def organisation_funding(self, org_id: str) -> list[Beneficiary]:
        with self.pools.read() as db:
            rows = db.execute(
                f"SELECT payload FROM beneficiaries WHERE org_id IN ({MEMBERS})"
                " ORDER BY eu_contribution_eur DESC NULLS LAST, line",
                {"org": self._linked(db, org_id)},
            ).fetchall()
        return [codec.decode_beneficiary(payload) for (payload,) in rows]

    def frequent_partners(self, org_id: str, limit: int = 10) -> list[Partner]:
        with self.pools.read() as db:
            rows = db.execute(
                "SELECT COALESCE(l.canonical, other.org_id) AS cid, MIN(COALESCE(c.name, o.name)),"
                " MIN(COALESCE(c.country, o.country)), COUNT(DISTINCT other.project_id) AS n"
                " FROM participations mine JOIN participations other ON other.project_id = mine.project_id"
                " LEFT JOIN org_links l ON l.org_id = other.org_id LEFT JOIN org_canonical c ON c.id = l.canonical"
                " LEFT JOIN organisations o ON o.id = other.org_id"
                f" WHERE mine.org_id IN ({MEMBERS}) AND COALESCE(l.canonical, other.org_id) <> %(org)s"
                " GROUP BY cid ORDER BY n DESC, cid LIMIT %(limit)s",
                {"org": self._linked(db, org_id), "limit": limit},
            ).fetchall()
        return [Partner(id=oid, name=name, country=country, projects=n) for oid, name, country, n in rows]

    def programmes(self, name: str | None = None) -> list[Programme]:
        where, args = ("programme = %s", (name,)) if name else ("programme IS NOT NULL", ())
        with self.pools.read() as db:
            rows = db.execute(
                "SELECT programme, period, MIN(fund), string_agg(DISTINCT source, ','), COUNT(*),"
                f" COALESCE(SUM(eu_contribution_eur), 0) FROM projects WHERE listed = 1 AND {where}"
                " GROUP BY programme, period ORDER BY programme, period NULLS FIRST",
                args,
            ).fetchall()
        return programmes_of(rows)

    # --- statistics and rejects -------------------------------------------------------------
    def stats(self) -> Stats:
        with self.pools.read() as db:

            def count(sql: str) -> int:
                return int(db.execute(sql).fetchone()[0])  # type: ignore[index]

            def grouped(sql: str) -> dict[str, int]:
                return {str(key): int(n) for key, n in db.execute(sql)}

            return Stats(
                projects=count("SELECT COUNT(*) FROM projects WHERE listed = 1"),
                unlisted=count("SELECT COUNT(*) FROM projects WHERE listed = 0"),
                participations=count("SELECT COUNT(*) FROM participations"),
                organisations=count(
                    "SELECT COUNT(*) FROM organisations o"
                    " WHERE NOT EXISTS (SELECT 1 FROM org_links l WHERE l.org_id = o.id AND l.canonical <> o.id)"
                ),
                fragments=count("SELECT COUNT(*) FROM fragments"),
                rejects=count("SELECT COUNT(*) FROM rejects"),
                dirty=count("SELECT COUNT(*) FROM dirty"),
                by_source=grouped(
                    "SELECT source, COUNT(*) FROM projects WHERE listed = 1 GROUP BY source ORDER BY 2 DESC, 1"
                ),
                by_fund=grouped(
                    "SELECT COALESCE(fund, '(none)'), COUNT(*) FROM projects WHERE listed = 1 GROUP BY 1"
                    " ORDER BY 2 DESC, 1"
                ),
                rejects_by_file=grouped("SELECT file, COUNT(*) FROM rejects GROUP BY file ORDER BY 2 DESC, 1"),
                last_ingest=db.execute("SELECT MAX(finished) FROM ingest_runs").fetchone()[0],  # type: ignore[index]
                quality=_quality(db),
                beneficiaries={
                    source: BeneficiaryTotals(int(rows), int(orgs), int(projects), round(total, 2), round(eu, 2))
                    for source, rows, orgs, projects, total, eu in db.execute(
                        "SELECT source, COUNT(*), COUNT(DISTINCT org_id), COALESCE(SUM(projects), 0),"
                        " COALESCE(SUM(total_budget_eur), 0), COALESCE(SUM(eu_contribution_eur), 0)"
                        " FROM beneficiaries GROUP BY source ORDER BY source"
                    )
                },
            )

    def rejects(self, limit: int = 100, offset: int = 0, file: str | None = None) -> list[RejectEntry]:
        where, args = _file_filter(file)
        with self.pools.read() as db:
            rows = db.execute(
                f"SELECT format, file, line, reason, raw, first_seen FROM rejects {where}"
                " ORDER BY file, line LIMIT %s OFFSET %s",
                (*args, limit, offset),
            ).fetchall()
        return rejects_of(rows)

    def count_rejects(self, file: str | None = None) -> int:
        where, args = _file_filter(file)
        with self.pools.read() as db:
            return int(db.execute(f"SELECT COUNT(*) FROM rejects {where}", args).fetchone()[0])  # type: ignore[index]


def _participations(db: Any, ids: Sequence[str]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    rows = db.execute(
        "SELECT p.project_id, p.data, COALESCE(c.data, o.data) FROM participations p"
        " LEFT JOIN organisations o ON o.id = p.org_id LEFT JOIN org_links l ON l.org_id = p.org_id"
        " LEFT JOIN org_canonical c ON c.id = l.canonical"
        " WHERE p.project_id = ANY(%s) ORDER BY p.project_id, p.ord",
        (list(ids),),
    )
    for pid, data, org in rows:
        found.setdefault(pid, []).append(codec.decode_participation(data, org))
    return found


def _whole(db: Any, rows: Sequence[tuple[str, bytes]]) -> list[Project]:
    """Projects with their participations, read in one more query."""
    parts = _participations(db, [pid for pid, _ in rows])
    found = []
    for pid, data in rows:
        project = codec.decode_project(data)
        project.participations = parts.get(pid, [])
        found.append(project)
    return found


def _provenance(db: Any, project_id: str) -> list[Provenance]:
    """Sources of a project as they stand now (last_seen moves on with every ingest of a file)."""
    rows = db.execute(
        "SELECT format, file, MIN(line), COUNT(*), MIN(first_seen), MAX(last_seen) FROM fragments"
        " WHERE project_id IN (SELECT %(p)s UNION SELECT alias FROM aliases WHERE project_id = %(p)s)"
        " GROUP BY format, file ORDER BY format, file",
        {"p": project_id},
    )
    return [
        Provenance(
            format=fmt,
            file=file,
            line=line,
            records=count,
            first_seen=dt.datetime.fromisoformat(first),
            last_seen=dt.datetime.fromisoformat(last),
        )
        for fmt, file, line, count, first, last in rows
    ]


def _quality(db: Any) -> dict[str, SourceQuality]:
    twins = dict(
        db.execute(
            "SELECT p.source, COUNT(DISTINCT a.alias) FROM aliases a JOIN projects p ON p.id = a.project_id"
            " WHERE p.listed = 1 GROUP BY p.source"
        ).fetchall()
    )
    rows = db.execute(
        "SELECT source, COUNT(*), COUNT(title),"
        " COUNT(*) FILTER (WHERE start_date IS NOT NULL AND end_date IS NOT NULL), COUNT(eu_contribution_eur),"
        " COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM participations x WHERE x.project_id = projects.id))"
        " FROM projects WHERE listed = 1 GROUP BY source ORDER BY 2 DESC, 1"
    )
    return {
        source: SourceQuality(int(listed), int(titled), int(dated), int(eu), int(partners), int(twins.get(source, 0)))
        for source, listed, titled, dated, eu, partners in rows
    }


def _file_filter(file: str | None) -> tuple[str, tuple[str, ...]]:
    """A file by its stored key (``data-set/name``) or by its name alone."""
    return ("WHERE file = %s OR right(file, length(%s) + 1) = '/' || %s", (file, file, file)) if file else ("", ())
