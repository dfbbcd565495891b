"""The SQLite side of :class:`~euprojects.store.participants.ParticipantReads`, mixed into the
SQLite store: each read takes its ids in chunks, one indexed query per chunk."""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

import msgspec

from euprojects.model import Organisation
from euprojects.store import codec
from euprojects.store.participants import CANONICAL as _CANONICAL
from euprojects.store.participants import LINKED as _LINKED
from euprojects.store.participants import RECORDS as _RECORDS
from euprojects.store.participants import ActivityRow, OrganisationFilter, Participant, ProjectBrief
from euprojects.store.resolution import MEMBERS

CHUNK = 500
EXPERIENCE_CACHE = 64
# A project's NUTS regions, parsed from its JSON only when the JSON names any (most do not; the
# test is a byte search, the parse reads the whole record).
_NUTS = (
    "CASE WHEN instr(r.data, CAST('\"nuts\"' AS BLOB))"
    " THEN COALESCE(json_extract(r.data, '$.nuts'), '[]') ELSE '[]' END"
)
# The organisations with one kind of experience, in listed projects.
_EXPERIENCE = {
    "led": f"SELECT DISTINCT {_CANONICAL} FROM participations p {_LINKED}"
    " WHERE p.role = 'lead' AND p.project_id IN (SELECT id FROM projects WHERE listed)",
    "programme": f"SELECT DISTINCT {_CANONICAL} FROM projects r JOIN participations p ON p.project_id = r.id"
    f" {_LINKED} WHERE r.programme = ? AND r.listed",
    "period": f"SELECT DISTINCT {_CANONICAL} FROM projects r JOIN participations p ON p.project_id = r.id"
    f" {_LINKED} WHERE r.period = ? AND r.listed",
}
# The label a merge built for an untitled project, read from its JSON only when it is untitled.
_LABEL = "CASE WHEN title IS NULL AND acronym IS NULL THEN json_extract(data, '$.label') END"
_nuts = msgspec.json.Decoder(tuple[str, ...])


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _marks(items: Sequence[object]) -> str:
    return ",".join("?" * len(items))


class SQLiteParticipantReads(ABC):
    """Mixed into the SQLite store; ``db`` is its connection for this thread."""

    @property
    @abstractmethod
    def db(self) -> sqlite3.Connection: ...

    def participants(self, project_ids: Sequence[str]) -> dict[str, list[Participant]]:
        """Each project's participants, in the project's order; projects without any are absent."""
        found: dict[str, list[Participant]] = {}
        for part in _chunks(list(project_ids)):
            rows = self.db.execute(
                f"SELECT p.project_id, {_CANONICAL}, p.role, p.country FROM participations p {_LINKED}"
                f" WHERE p.project_id IN ({_marks(part)}) ORDER BY p.project_id, p.ord",
                part,
            )
            for project_id, org_id, role, country in rows:
                found.setdefault(project_id, []).append(Participant(org_id, role, country))
        return found

    def organisations(self, org_ids: Sequence[str]) -> dict[str, Organisation]:
        """Many organisations by id at once; unknown ids are absent."""
        found: dict[str, Organisation] = {}
        for part in _chunks(list(org_ids)):
            rows = self.db.execute(f"SELECT id, data FROM {_RECORDS} WHERE id IN ({_marks(part)})", part)
            found.update((org_id, codec.decode_organisation(data)) for org_id, data in rows)
        return found

    def project_briefs(self, project_ids: Sequence[str]) -> dict[str, ProjectBrief]:
        found: dict[str, ProjectBrief] = {}
        for part in _chunks(list(project_ids)):
            rows = self.db.execute(
                f"SELECT id, acronym, title, {_LABEL}, start_date, end_date, programme, period, eu_contribution_eur"
                f" FROM projects WHERE id IN ({_marks(part)})",
                part,
            )
            found.update((row[0], ProjectBrief(*row)) for row in rows)
        return found

    def organisation_project_ids(self, org_id: str) -> list[str]:
        rows = self.db.execute(
            f"SELECT DISTINCT project_id FROM participations WHERE org_id IN ({MEMBERS}) ORDER BY 1",
            (self._canonical(org_id),),
        )
        return [project_id for (project_id,) in rows]

    def country_project_ids(self, country: str) -> list[str]:
        """Listed projects with a participant from ``country`` (as each participation gives it)."""
        rows = self.db.execute(
            "SELECT DISTINCT p.project_id FROM participations p JOIN projects r ON r.id = p.project_id"
            " WHERE p.country = ? AND r.listed ORDER BY 1",
            (country,),
        )
        return [project_id for (project_id,) in rows]

    def organisation_activity(self, org_id: str) -> list[ActivityRow]:
        """Every participation of an organisation with its project's programme, period and
        regions: what its activity is counted by."""
        rows = self.db.execute(
            "SELECT p.project_id, p.role, p.eu_contribution_eur, r.programme, r.period,"
            f" {_NUTS}"
            f" FROM participations p JOIN projects r ON r.id = p.project_id WHERE p.org_id IN ({MEMBERS})"
            " ORDER BY p.project_id",
            (self._canonical(org_id),),
        )
        return [
            ActivityRow(project_id, role, eu, programme, period, _nuts.decode(nuts))
            for project_id, role, eu, programme, period, nuts in rows
        ]

    def _canonical(self, org_id: str) -> str:
        """The canonical organisation an id was resolved to (itself when it is one)."""
        row = self.db.execute("SELECT canonical FROM org_links WHERE org_id = ?", (org_id,)).fetchone()
        return str(row[0]) if row else org_id

    def qualified(self, org_ids: Sequence[str], wanted: OrganisationFilter) -> set[str]:
        found = set(org_ids)
        if wanted.by_record():
            found = self._matching_records(sorted(found), wanted)
        if wanted.by_experience():
            found = self._experienced(sorted(found), wanted)
        return found

    def _matching_records(self, org_ids: Sequence[str], wanted: OrganisationFilter) -> set[str]:
        conditions: list[str] = []
        args: list[str] = []
        if wanted.countries:
            conditions.append(f"country IN ({_marks(wanted.countries)})")
            args += wanted.countries
        if wanted.types:
            conditions.append(f"type IN ({_marks(wanted.types)})")
            args += wanted.types
        if wanted.nuts:
            regions = " OR ".join("substr(json_extract(data, '$.nuts'), 1, ?) = ?" for _ in wanted.nuts)
            conditions.append(f"({regions})")
            args += [value for code in wanted.nuts for value in (str(len(code)), code)]
        return self._select(
            f"SELECT id FROM {_RECORDS} WHERE id IN ({{marks}})" + "".join(f" AND {c}" for c in conditions),
            org_ids,
            args,
        )

    def _experienced(self, org_ids: Sequence[str], wanted: OrganisationFilter) -> set[str]:
        """Which of ``org_ids`` have the experience asked. Each condition's organisations are read
        once and kept until the store changes: asking the store per organisation costs a scan of
        each one's participations (thousands for a large university), per search."""
        found = set(org_ids)
        if wanted.led:
            found &= self._experience("led", "")
        if wanted.programmes:
            found &= set().union(*(self._experience("programme", value) for value in wanted.programmes))
        if wanted.periods:
            found &= set().union(*(self._experience("period", value) for value in wanted.periods))
        return found

    def _experience(self, kind: str, value: str) -> frozenset[str]:
        seq = int(self.db.execute("SELECT value FROM meta WHERE key='seq'").fetchone()[0])
        cache: dict[tuple[str, str], tuple[int, frozenset[str]]] = self.__dict__.setdefault("_experience_cache", {})
        known = cache.get((kind, value))
        if known is not None and known[0] == seq:
            return known[1]
        found = frozenset(row[0] for row in self.db.execute(_EXPERIENCE[kind], (value,) if value else ()))
        if len(cache) >= EXPERIENCE_CACHE:
            cache.clear()
        cache[(kind, value)] = (seq, found)
        return found

    def _select(self, sql: str, org_ids: Sequence[str], args: Sequence[str]) -> set[str]:
        """The first column of ``sql`` over ``org_ids`` a chunk at a time (``{marks}`` holds their
        places), with ``args`` after them."""
        found: set[str] = set()
        for part in _chunks(list(org_ids)):
            rows = self.db.execute(sql.format(marks=_marks(part)), [*part, *args])
            found.update(org_id for (org_id,) in rows)
        return found
