"""The PostgreSQL side of :class:`~euprojects.store.participants.ParticipantReads`: the SQLite
queries of ``sqlite_participants`` in PostgreSQL's dialect, ids passed as one array."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from euprojects.model import Organisation
from euprojects.store import codec
from euprojects.store.participants import CANONICAL as _CANONICAL
from euprojects.store.participants import LINKED as _LINKED
from euprojects.store.participants import RECORDS as _RECORDS
from euprojects.store.participants import ActivityRow, OrganisationFilter, Participant, ProjectBrief
from euprojects.store.postgres_db import Pools

EXPERIENCE_CACHE = 64
# The mentions resolved to one canonical organisation (itself when no resolution reached it).
MEMBERS = (
    "SELECT org_id FROM org_links WHERE canonical = %(org)s"
    " UNION SELECT %(org)s WHERE NOT EXISTS (SELECT 1 FROM org_links WHERE canonical = %(org)s)"
)
_EXPERIENCE = {
    "led": f"SELECT DISTINCT {_CANONICAL} FROM participations p {_LINKED}"
    " WHERE p.role = 'lead' AND p.project_id IN (SELECT id FROM projects WHERE listed = 1)",
    "programme": f"SELECT DISTINCT {_CANONICAL} FROM projects r JOIN participations p ON p.project_id = r.id"
    f" {_LINKED} WHERE r.programme = %s AND r.listed = 1",
    "period": f"SELECT DISTINCT {_CANONICAL} FROM projects r JOIN participations p ON p.project_id = r.id"
    f" {_LINKED} WHERE r.period = %s AND r.listed = 1",
}


def json_field(column: str, field: str) -> str:
    """SQL for one top-level field of a JSON column kept as bytes, as text (NULL when absent).
    The payload is parsed only when it names the field (most do not name the rarer ones)."""
    return (
        f"CASE WHEN position('\"{field}\"'::bytea IN {column}) > 0"
        f" THEN convert_from({column}, 'UTF8')::jsonb ->> '{field}' END"
    )


def _nuts(column: str) -> str:
    """A JSON column's ``nuts`` list as JSON (NULL when absent)."""
    return (
        f"CASE WHEN position('\"nuts\"'::bytea IN {column}) > 0"
        f" THEN convert_from({column}, 'UTF8')::jsonb -> 'nuts' END"
    )


class PostgresParticipantReads:
    """Mixed into the PostgreSQL store; ``pools`` are its connections."""

    pools: Pools

    def participants(self, project_ids: Sequence[str]) -> dict[str, list[Participant]]:
        found: dict[str, list[Participant]] = {}
        with self.pools.read() as db:
            rows = db.execute(
                f"SELECT p.project_id, {_CANONICAL}, p.role, p.country FROM participations p {_LINKED}"
                " WHERE p.project_id = ANY(%s) ORDER BY p.project_id, p.ord",
                (list(project_ids),),
            )
            for project_id, org_id, role, country in rows:
                found.setdefault(project_id, []).append(Participant(org_id, role, country))
        return found

    def organisations(self, org_ids: Sequence[str]) -> dict[str, Organisation]:
        with self.pools.read() as db:
            rows = db.execute(f"SELECT id, data FROM {_RECORDS} r WHERE id = ANY(%s)", (list(org_ids),))
            return {org_id: codec.decode_organisation(data) for org_id, data in rows}

    def project_briefs(self, project_ids: Sequence[str]) -> dict[str, ProjectBrief]:
        label = f"CASE WHEN title IS NULL AND acronym IS NULL THEN {json_field('data', 'label')} END"
        with self.pools.read() as db:
            rows = db.execute(
                f"SELECT id, acronym, title, {label}, start_date, end_date, programme, period, eu_contribution_eur"
                " FROM projects WHERE id = ANY(%s)",
                (list(project_ids),),
            )
            return {row[0]: ProjectBrief(*row) for row in rows}

    def organisation_project_ids(self, org_id: str) -> list[str]:
        with self.pools.read() as db:
            rows = db.execute(
                f"SELECT DISTINCT project_id FROM participations WHERE org_id IN ({MEMBERS}) ORDER BY 1",
                {"org": self._linked(db, org_id)},
            )
            return [project_id for (project_id,) in rows]

    def country_project_ids(self, country: str) -> list[str]:
        with self.pools.read() as db:
            rows = db.execute(
                "SELECT DISTINCT p.project_id FROM participations p JOIN projects r ON r.id = p.project_id"
                " WHERE p.country = %s AND r.listed = 1 ORDER BY 1",
                (country,),
            )
            return [project_id for (project_id,) in rows]

    def organisation_activity(self, org_id: str) -> list[ActivityRow]:
        with self.pools.read() as db:
            rows = db.execute(
                f"SELECT p.project_id, p.role, p.eu_contribution_eur, r.programme, r.period, {_nuts('r.data')}"
                f" FROM participations p JOIN projects r ON r.id = p.project_id WHERE p.org_id IN ({MEMBERS})"
                " ORDER BY p.project_id",
                {"org": self._linked(db, org_id)},
            ).fetchall()
        return [
            ActivityRow(project_id, role, eu, programme, period, tuple(nuts or ()))
            for project_id, role, eu, programme, period, nuts in rows
        ]

    @staticmethod
    def _linked(db: Any, org_id: str) -> str:
        """The canonical organisation an id was resolved to (itself when it is one)."""
        row = db.execute("SELECT canonical FROM org_links WHERE org_id = %s", (org_id,)).fetchone()
        return str(row[0]) if row else org_id

    def qualified(self, org_ids: Sequence[str], wanted: OrganisationFilter) -> set[str]:
        found = set(org_ids)
        if wanted.by_record():
            found = self._matching_records(sorted(found), wanted)
        if wanted.by_experience():
            found &= self._experienced(wanted)
        return found

    def _matching_records(self, org_ids: Sequence[str], wanted: OrganisationFilter) -> set[str]:
        conditions = ["id = ANY(%(ids)s)"]
        args: dict[str, Any] = {"ids": list(org_ids)}
        if wanted.countries:
            conditions.append("country = ANY(%(countries)s)")
            args["countries"] = list(wanted.countries)
        if wanted.types:
            conditions.append("type = ANY(%(types)s)")
            args["types"] = list(wanted.types)
        if wanted.nuts:
            conditions.append(
                f"EXISTS (SELECT 1 FROM unnest(%(nuts)s::text[]) AS n(code) WHERE left({json_field('data', 'nuts')},"
                " length(n.code)) = n.code)"
            )
            args["nuts"] = list(wanted.nuts)
        with self.pools.read() as db:
            rows = db.execute(f"SELECT id FROM {_RECORDS} r WHERE {' AND '.join(conditions)}", args)
            return {org_id for (org_id,) in rows}

    def _experienced(self, wanted: OrganisationFilter) -> set[str]:
        """The organisations with all the experience asked: each condition's organisations are read
        once and kept until the store changes."""
        sets: list[frozenset[str]] = []
        if wanted.led:
            sets.append(self._experience("led", ""))
        if wanted.programmes:
            sets.append(frozenset().union(*(self._experience("programme", v) for v in wanted.programmes)))
        if wanted.periods:
            sets.append(frozenset().union(*(self._experience("period", v) for v in wanted.periods)))
        return set(frozenset.intersection(*sets)) if sets else set()

    def _experience(self, kind: str, value: str) -> frozenset[str]:
        with self.pools.read() as db:
            seq = int(db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()[0])  # type: ignore[index]
            cache: dict[tuple[str, str], tuple[int, frozenset[str]]] = self.__dict__.setdefault("_experience_cache", {})
            known = cache.get((kind, value))
            if known is not None and known[0] == seq:
                return known[1]
            found = frozenset(row[0] for row in db.execute(_EXPERIENCE[kind], (value,) if value else ()))
        if len(cache) >= EXPERIENCE_CACHE:
            cache.clear()
        cache[(kind, value)] = (seq, found)
        return found
