"""The PostgreSQL side of :class:`~euprojects.store.resolution.OrganisationResolution`: the links of
organisation mentions to canonical organisations, and the canonical records, written in one
transaction with the change log entries of the projects that now name another organisation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from euprojects.store.postgres_db import Pools, copy_rows
from euprojects.store.resolution import CanonicalRow, LinkRow, MentionRow


class PostgresResolution:
    """Mixed into the PostgreSQL store; ``pools`` are its connections."""

    pools: Pools

    def organisation_mentions(self) -> Iterator[MentionRow]:
        # a named (server-side) cursor streams the table, within a transaction
        with self.pools.primary() as db, db.transaction(), db.cursor(name="mentions") as cursor:
            weights: dict[str, int] = {}
            for table in ("participations", "beneficiaries"):
                for oid, n in db.execute(f"SELECT org_id, COUNT(*) FROM {table} GROUP BY org_id"):
                    weights[oid] = weights.get(oid, 0) + int(n)
            cursor.execute("SELECT id, data, ranks FROM organisations")
            for oid, data, ranks in cursor:
                yield MentionRow(oid, data, ranks, weights.get(oid, 0))

    def organisation_links(self) -> list[LinkRow]:
        with self.pools.primary() as db:
            rows = db.execute("SELECT org_id, canonical, method, confidence, hash FROM org_links")
            return [LinkRow(*row) for row in rows]

    def canonical_data(self) -> dict[str, tuple[bytes, bytes]]:
        with self.pools.primary() as db:
            return {oid: (data, extra) for oid, data, extra in db.execute("SELECT id, data, extra FROM org_canonical")}

    def meta_value(self, key: str) -> str | None:
        with self.pools.primary() as db:
            row = db.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return str(row[0]) if row else None

    def save_resolution(
        self,
        links: Sequence[LinkRow],
        unlinked: Sequence[str],
        canonical: Sequence[CanonicalRow],
        uncanonical: Sequence[str],
        touched: Sequence[str],
        meta: dict[str, str],
    ) -> int:
        """Write links and canonical records, forget those gone, and log a change for every
        project that names one of the ``touched`` mentions; return how many projects that is."""
        with self.pools.transaction() as db:
            db.execute(
                "DELETE FROM org_links WHERE org_id = ANY(%s)", ([row.org_id for row in links] + list(unlinked),)
            )
            copy_rows(db, "org_links", "org_id, canonical, method, confidence, hash", links)
            db.execute(
                "DELETE FROM org_canonical WHERE id = ANY(%s)", ([row.id for row in canonical] + list(uncanonical),)
            )
            copy_rows(db, "org_canonical", "id, name, country, city, type, data, extra", canonical)
            db.cursor().executemany(
                "INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                list(meta.items()),
            )
            projects = sorted(
                row[0]
                for row in db.execute(
                    "SELECT DISTINCT project_id FROM participations WHERE org_id = ANY(%s)", (list(touched),)
                )
            )
            if projects:
                seq = int(db.execute("SELECT value FROM meta WHERE key = 'seq' FOR UPDATE").fetchone()[0]) + 1  # type: ignore[index]
                # for the index only: the time of the project's last change, which the feed of
                # changes lists, stays that of its record
                db.execute(
                    "INSERT INTO changes (project_id, seq, deleted) SELECT unnest(%s::text[]), %s, 0"
                    " ON CONFLICT (project_id) DO UPDATE SET seq = EXCLUDED.seq, deleted = 0",
                    (projects, seq),
                )
                db.execute("UPDATE meta SET value = %s WHERE key = 'seq'", (str(seq),))
            return len(projects)

    # --- reading ----------------------------------------------------------------------------
    def resolve_organisation(self, org_id: str) -> str | None:
        with self.pools.read() as db:
            row = db.execute("SELECT canonical FROM org_links WHERE org_id = %s", (org_id,)).fetchone()
            if row:
                return str(row[0])
            found = db.execute("SELECT 1 FROM organisations WHERE id = %s", (org_id,)).fetchone()
        return org_id if found else None

    def organisation_extra(self, org_id: str) -> bytes | None:
        with self.pools.read() as db:
            row = db.execute("SELECT extra FROM org_canonical WHERE id = %s", (org_id,)).fetchone()
        return bytes(row[0]) if row else None

    def canonical_organisations(self) -> Iterator[tuple[bytes, bytes]]:
        """Every organisation as resolved (data, extra): canonical ones, and those no resolution
        has reached yet (extra empty)."""
        with self.pools.read() as db, db.cursor(name="canonical") as cursor:
            cursor.execute(
                "SELECT data, extra FROM org_canonical UNION ALL SELECT o.data, ''::bytea FROM organisations o"
                " WHERE NOT EXISTS (SELECT 1 FROM org_links l WHERE l.org_id = o.id)"
            )
            yield from cursor

    def organisation_mention_links(self, org_id: str) -> list[tuple[str, str, float, int]]:
        with self.pools.read() as db:
            rows = db.execute(
                "SELECT l.org_id, l.method, l.confidence,"
                " (SELECT COUNT(*) FROM participations p WHERE p.org_id = l.org_id)"
                " + (SELECT COUNT(*) FROM beneficiaries b WHERE b.org_id = l.org_id)"
                " FROM org_links l WHERE l.canonical = %s ORDER BY l.org_id",
                (org_id,),
            ).fetchall()
        return [(oid, method, float(confidence), int(n)) for oid, method, confidence, n in rows]
