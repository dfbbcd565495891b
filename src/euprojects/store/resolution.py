"""What the SQLite store keeps of the resolution of organisations (``euprojects.orgs.resolve``):
each mention's link to its canonical organisation and the canonical records, written in one
transaction that also tells the search index which projects now name another organisation."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import NamedTuple, Protocol


class MentionRow(NamedTuple):
    """An organisation as the sources name it, with its stored ranks and how many rows name it."""

    id: str
    data: bytes
    ranks: bytes | None
    weight: int


class LinkRow(NamedTuple):
    org_id: str
    canonical: str
    method: str
    confidence: float
    hash: str


class CanonicalRow(NamedTuple):
    id: str
    name: str | None
    country: str | None
    city: str | None
    type: str | None
    data: bytes
    extra: bytes


CHUNK = 500
MEMBERS = (
    "SELECT org_id FROM org_links WHERE canonical = ?1"
    " UNION SELECT ?1 WHERE NOT EXISTS (SELECT 1 FROM org_links WHERE canonical = ?1)"
)


class _HasDb(Protocol):
    @property
    def db(self) -> sqlite3.Connection: ...

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...


class OrganisationResolution(Protocol):
    """What the resolution of organisations reads and writes, beside the Store's own methods."""

    def organisation_mentions(self) -> Iterator[MentionRow]: ...

    def organisation_links(self) -> list[LinkRow]: ...

    def canonical_data(self) -> dict[str, tuple[bytes, bytes]]: ...

    def meta_value(self, key: str) -> str | None: ...

    def save_resolution(
        self,
        links: Sequence[LinkRow],
        unlinked: Sequence[str],
        canonical: Sequence[CanonicalRow],
        uncanonical: Sequence[str],
        touched: Sequence[str],
        meta: dict[str, str],
    ) -> int: ...

    def resolve_organisation(self, org_id: str) -> str | None: ...

    def organisation_extra(self, org_id: str) -> bytes | None: ...

    def organisation_mention_links(self, org_id: str) -> list[tuple[str, str, float, int]]: ...

    def canonical_organisations(self) -> Iterator[tuple[bytes, bytes]]: ...


class ResolutionTables:
    """Mixed into the SQLite store: reads and writes of ``org_links`` and ``org_canonical``."""

    def organisation_mentions(self: _HasDb) -> Iterator[MentionRow]:
        db = self.db
        weights = dict(db.execute("SELECT org_id, COUNT(*) FROM participations GROUP BY org_id").fetchall())
        for oid, n in db.execute("SELECT org_id, COUNT(*) FROM beneficiaries GROUP BY org_id").fetchall():
            weights[oid] = weights.get(oid, 0) + n
        for oid, data, ranks in db.execute("SELECT id, data, ranks FROM organisations"):
            yield MentionRow(oid, data, ranks, weights.get(oid, 0))

    def organisation_links(self: _HasDb) -> list[LinkRow]:
        return [
            LinkRow(*row)
            for row in self.db.execute("SELECT org_id, canonical, method, confidence, hash FROM org_links")
        ]

    def canonical_data(self: _HasDb) -> dict[str, tuple[bytes, bytes]]:
        return {oid: (data, extra) for oid, data, extra in self.db.execute("SELECT id, data, extra FROM org_canonical")}

    def meta_value(self: _HasDb, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def save_resolution(
        self: _HasDb,
        links: Sequence[LinkRow],
        unlinked: Sequence[str],
        canonical: Sequence[CanonicalRow],
        uncanonical: Sequence[str],
        touched: Sequence[str],
        meta: dict[str, str],
    ) -> int:
        """Write links and canonical records, forget those gone, and log a change for every
        project that names one of the ``touched`` mentions; return how many projects that is."""
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO org_links VALUES (?,?,?,?,?)", links)
            db.executemany("DELETE FROM org_links WHERE org_id = ?", [(oid,) for oid in unlinked])
            db.executemany("INSERT OR REPLACE INTO org_canonical VALUES (?,?,?,?,?,?,?)", canonical)
            db.executemany("DELETE FROM org_canonical WHERE id = ?", [(oid,) for oid in uncanonical])
            db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(meta.items()))
            projects: set[str] = set()
            for start in range(0, len(touched), CHUNK):
                part = touched[start : start + CHUNK]
                marks = ",".join("?" * len(part))
                sql = f"SELECT DISTINCT project_id FROM participations WHERE org_id IN ({marks})"
                projects.update(row[0] for row in db.execute(sql, part))
            if projects:
                seq = int(db.execute("SELECT value FROM meta WHERE key='seq'").fetchone()[0]) + 1
                # for the index only: the time of the project's last change, which the feed of
                # changes lists, stays that of its record
                db.executemany(
                    "INSERT INTO changes (project_id, seq, deleted) VALUES (?, ?, 0)"
                    " ON CONFLICT (project_id) DO UPDATE SET seq = excluded.seq, deleted = 0",
                    [(pid, seq) for pid in sorted(projects)],
                )
                db.execute("UPDATE meta SET value=? WHERE key='seq'", (str(seq),))
            return len(projects)

    # --- reading ----------------------------------------------------------------------------
    def resolve_organisation(self: _HasDb, org_id: str) -> str | None:
        """The canonical organisation an id names now: itself, the one it was merged into, or
        None when no organisation has that id."""
        row = self.db.execute("SELECT canonical FROM org_links WHERE org_id = ?", (org_id,)).fetchone()
        if row:
            return str(row[0])
        found = self.db.execute("SELECT 1 FROM organisations WHERE id = ?", (org_id,)).fetchone()
        return org_id if found else None

    def organisation_extra(self: _HasDb, org_id: str) -> bytes | None:
        row = self.db.execute("SELECT extra FROM org_canonical WHERE id = ?", (org_id,)).fetchone()
        return bytes(row[0]) if row else None

    def canonical_organisations(self: _HasDb) -> Iterator[tuple[bytes, bytes]]:
        """Every organisation as resolved (data, extra): canonical ones, and those no resolution
        has reached yet (extra empty)."""
        yield from self.db.execute("SELECT data, extra FROM org_canonical")
        yield from self.db.execute(
            "SELECT o.data, X'' FROM organisations o WHERE NOT EXISTS (SELECT 1 FROM org_links l WHERE l.org_id = o.id)"
        )

    def organisation_mention_links(self: _HasDb, org_id: str) -> list[tuple[str, str, float, int]]:
        """Each mention of a canonical organisation: (id, method, confidence, rows naming it)."""
        rows = self.db.execute(
            "SELECT l.org_id, l.method, l.confidence,"
            " (SELECT COUNT(*) FROM participations p WHERE p.org_id = l.org_id)"
            " + (SELECT COUNT(*) FROM beneficiaries b WHERE b.org_id = l.org_id)"
            " FROM org_links l WHERE l.canonical = ? ORDER BY l.org_id",
            (org_id,),
        )
        return [(oid, method, float(confidence), int(n)) for oid, method, confidence, n in rows]
