"""The PostgreSQL store: one database for many app nodes, psycopg 3 with connection pools.

It keeps the SQLite store's tables and meanings (migrations/postgresql); what differs is how rows
travel. New rows go in with ``COPY``; a batch of updates is one statement over arrays
(``UPDATE … FROM unnest(…)``), not a statement a row. The writer lock is an advisory lock
(postgres_lock), which every node sees. Reads may go to a streaming replica (``read_url``);
what the ingest reads back (fragments, the dirty set) always comes from the primary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import psycopg

from euprojects.model import Project, Reject
from euprojects.orgs.details import Ranked, mention
from euprojects.store import codec, visibility
from euprojects.store import postgres_writes as writes
from euprojects.store.base import (
    FRAGMENT_COLUMNS,
    ChangedProject,
    Fragment,
    LinkFacts,
    PreparedBeneficiary,
    PreparedRecord,
    WriteCounts,
    fragment_of,
)
from euprojects.store.locking import Waited
from euprojects.store.postgres_db import Pools, copy_rows, migrate
from euprojects.store.postgres_lock import advisory_writer_lock
from euprojects.store.postgres_reads import PostgresReads
from euprojects.store.postgres_resolution import PostgresResolution
from euprojects.store.postgres_tables import PostgresTables
from euprojects.store.postgres_vectors import PostgresVectors
from euprojects.store.rows import Change, PreparedBatch, ProjectLink, ProjectRow

Db = psycopg.Connection[Any]
ORGANISATION_CACHE = 300_000  # organisations kept decoded between batches of one writer
PROJECT_COLUMNS = (
    "id, source, source_id, acronym, title, start_date, end_date, status, programme, period, fund,"
    " eu_contribution_eur, total_cost_eur, partner_count, lead_country, lead_name, countries, listed, data, seq"
)


class PostgresStore(PostgresReads, PostgresResolution, PostgresTables, PostgresVectors):
    """Store backed by a PostgreSQL database (``postgresql://`` URL), reads maybe on a replica."""

    def __init__(self, url: str, read_url: str | None = None) -> None:
        self.url = url
        self.read_url = read_url
        self.pools = Pools(url, read_url)
        self._organisations: dict[str, Ranked] = {}  # as this process last wrote them

    def close(self) -> None:
        self.pools.close()

    def migrate(self) -> list[str]:
        return migrate(self.pools)

    # --- runs -------------------------------------------------------------------------------
    def begin_run(self, now: dt.datetime) -> int:
        with self.pools.transaction() as db:
            row = db.execute("INSERT INTO ingest_runs (started) VALUES (%s) RETURNING id", (now.isoformat(),))
            run_id = int(row.fetchone()[0])  # type: ignore[index]
            db.execute(visibility.HOLD)
            return run_id

    def finish_run(self, run_id: int, now: dt.datetime) -> None:
        with self.pools.transaction() as db:
            db.execute("UPDATE ingest_runs SET finished = %s WHERE id = %s", (now.isoformat(), run_id))
            db.execute(visibility.RELEASE)
        with self.pools.primary() as db:
            # Fresh statistics for the planner after a run's bulk writes, whether autovacuum runs
            # or not: with none, it takes a page of hits for thousands of rows and scans (10x slower).
            db.execute("ANALYZE")

    def log_file(self, run_id: int, fmt: str, file: str, path: str, report: bytes) -> None:
        with self.pools.transaction() as db:
            db.execute(
                "INSERT INTO ingest_files (run_id, format, file, path, report) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (run_id, path) DO UPDATE SET format = EXCLUDED.format, file = EXCLUDED.file,"
                " report = EXCLUDED.report",
                (run_id, fmt, file, path, report.decode("utf-8")),
            )

    def last_report(self, fmt: str, file: str) -> bytes | None:
        with self.pools.primary() as db:
            row = db.execute(
                "SELECT report FROM ingest_files WHERE format = %s AND file = %s ORDER BY run_id DESC LIMIT 1",
                (fmt, file),
            ).fetchone()
        return str(row[0]).encode("utf-8") if row else None

    def writer_lock(
        self, wait: bool = False, on_wait: Callable[[str], None] | None = None
    ) -> AbstractContextManager[Waited]:
        return advisory_writer_lock(self.url, wait=wait, on_wait=on_wait)

    # --- records ----------------------------------------------------------------------------
    def write(
        self,
        run_id: int,
        fmt: str,
        file: str,
        records: Sequence[PreparedRecord],
        rejects: Sequence[Reject],
        now: dt.datetime,
        beneficiaries: Sequence[PreparedBeneficiary] = (),
    ) -> WriteCounts:
        stamp = now.isoformat()
        where = {"fmt": fmt, "file": file, "run": run_id, "stamp": stamp}
        with self.pools.transaction() as db:
            known = dict(
                db.execute(
                    "SELECT record_key, hash FROM fragments WHERE format = %s AND file = %s AND record_key = ANY(%s)",
                    (fmt, file, [r.key for r in records]),
                    prepare=writes.BY_KEYS,
                ).fetchall()
            )
            new = [r for r in records if r.key not in known]
            changed = [r for r in records if r.key in known and known[r.key] != r.hash]
            same = [r for r in records if known.get(r.key) == r.hash]
            writes.mark_moved_and_returned(db, fmt, file, changed, same)
            writes.write_fragments(db, where, new, changed, same)
            touched = [*new, *changed]
            writes.write_aliases(db, fmt, file, touched)
            writes.mark_dirty(db, [pid for r in touched for pid in (r.project_id, *r.aliases)])
            writes.write_rejects(db, where, rejects)
            counts = WriteCounts(new=len(new), updated=len(changed), unchanged=len(same))
            if beneficiaries:
                added = self._write_beneficiaries(db, where, beneficiaries)
                counts.new += added.new
                counts.updated += added.updated
                counts.unchanged += added.unchanged
        return counts

    def _write_beneficiaries(self, db: Db, where: dict[str, Any], rows: Sequence[PreparedBeneficiary]) -> WriteCounts:
        """Upsert beneficiary rows by their hash and merge their organisations into the table."""
        fmt, file, run_id, stamp = where["fmt"], where["file"], where["run"], where["stamp"]
        known = dict(
            db.execute(
                "SELECT record_key, hash FROM beneficiaries WHERE format = %s AND file = %s AND record_key = ANY(%s)",
                (fmt, file, [r.key for r in rows]),
                prepare=writes.BY_KEYS,
            ).fetchall()
        )
        touched = [r for r in rows if known.get(r.key) != r.hash]
        db.execute(
            "DELETE FROM beneficiaries WHERE format = %s AND file = %s AND record_key = ANY(%s)",
            (fmt, file, [r.key for r in touched if r.key in known]),
            prepare=writes.BY_KEYS,
        )
        copy_rows(
            db,
            "beneficiaries",
            "format, file, record_key, org_id, hash, payload, line, run_id, first_seen, last_seen, source, country,"
            " projects, total_budget_eur, eu_contribution_eur",
            [
                (fmt, file, r.key, r.organisation.id, r.hash, r.payload, r.line, run_id, stamp, stamp, *_totals(r))
                for r in touched
            ],
        )
        unchanged = [r for r in rows if known.get(r.key) == r.hash]
        if unchanged:
            db.execute(
                writes.SEEN_AGAIN.format(table="beneficiaries", extra=""),
                {**where, "keys": [r.key for r in unchanged], "lines": [r.line for r in unchanged]},
            )
        organisations: dict[str, Ranked] = {}
        for r in touched:
            codec.add_mention(organisations, mention(r.organisation, fmt))
        self._write_organisations(db, organisations)
        new = sum(1 for r in touched if r.key not in known)
        return WriteCounts(new=new, updated=len(touched) - new, unchanged=len(unchanged))

    def count_stale(self, run_id: int, fmt: str, file: str) -> int:
        with self.pools.primary() as db:
            row = db.execute(
                "SELECT (SELECT COUNT(*) FROM fragments WHERE format = %(f)s AND file = %(n)s AND run_id <> %(r)s"
                " AND withdrawn IS NULL) + (SELECT COUNT(*) FROM beneficiaries WHERE format = %(f)s"
                " AND file = %(n)s AND run_id <> %(r)s)",
                {"f": fmt, "n": file, "r": run_id},
            ).fetchone()
        return int(row[0]) if row else 0

    def _dirty_stale(self, db: Db, args: dict[str, Any], live_only: bool) -> None:
        """Mark dirty the projects (and the aliases) of a file's records this run did not see."""
        live = " AND f.withdrawn IS NULL" if live_only else ""
        db.execute(
            "INSERT INTO dirty (project_id) SELECT DISTINCT f.project_id FROM fragments f"
            f" WHERE f.format = %(f)s AND f.file = %(n)s AND f.run_id <> %(r)s{live}"
            " UNION SELECT a.alias FROM aliases a JOIN fragments f"
            " ON a.format = f.format AND a.file = f.file AND a.record_key = f.record_key"
            f" WHERE f.format = %(f)s AND f.file = %(n)s AND f.run_id <> %(r)s{live} ON CONFLICT DO NOTHING",
            args,
        )

    def withdraw_stale(self, run_id: int, fmt: str, file: str, now: dt.datetime) -> int:
        args = {"f": fmt, "n": file, "r": run_id, "now": now.isoformat()}
        with self.pools.transaction() as db:
            self._dirty_stale(db, args, live_only=True)
            withdrawn = db.execute(
                "UPDATE fragments SET withdrawn = %(now)s"
                " WHERE format = %(f)s AND file = %(n)s AND run_id <> %(r)s AND withdrawn IS NULL",
                args,
            ).rowcount
            stale = "WHERE format = %(f)s AND file = %(n)s AND run_id <> %(r)s"
            withdrawn += db.execute(f"DELETE FROM beneficiaries {stale}", args).rowcount
            db.execute(f"DELETE FROM rejects {stale}", args)
        return withdrawn

    def remove_stale(self, run_id: int, fmt: str, file: str) -> int:
        args = {"f": fmt, "n": file, "r": run_id}
        stale = "WHERE format = %(f)s AND file = %(n)s AND run_id <> %(r)s"
        with self.pools.transaction() as db:
            self._dirty_stale(db, args, live_only=False)
            db.execute(
                "DELETE FROM aliases WHERE (format, file, record_key) IN"
                f" (SELECT format, file, record_key FROM fragments {stale})",
                args,
            )
            removed = db.execute(f"DELETE FROM fragments {stale}", args).rowcount
            removed += db.execute(f"DELETE FROM beneficiaries {stale}", args).rowcount
            db.execute(f"DELETE FROM rejects {stale}", args)
        return removed

    def all_dirty(self) -> list[str]:
        with self.pools.primary() as db:
            return [row[0] for row in db.execute("SELECT project_id FROM dirty")]

    def link_facts(self, sources: Sequence[str]) -> list[LinkFacts]:
        with self.pools.primary() as db:
            joined = {row[0] for row in db.execute("SELECT DISTINCT project_id FROM aliases")}
            rows = db.execute(
                "SELECT id, acronym, start_date, end_date, eu_contribution_eur, programme FROM projects"
                " WHERE listed = 1 AND source = ANY(%s)",
                (list(sources),),
            ).fetchall()
            amounts: dict[str, list[tuple[str, float]]] = {}
            for pid, country, amount in db.execute(
                "SELECT a.project_id, a.country, a.eu_contribution_eur FROM participations a"
                " JOIN projects p ON p.id = a.project_id WHERE p.listed = 1 AND p.source = ANY(%s)"
                " AND a.country IS NOT NULL AND a.eu_contribution_eur IS NOT NULL ORDER BY a.project_id, a.ord",
                (list(sources),),
            ):
                amounts.setdefault(pid, []).append((country, amount))
        return [
            LinkFacts(pid, acronym, start, end, eu, programme, tuple(amounts.get(pid, ())), pid in joined)
            for pid, acronym, start, end, eu, programme in rows
        ]

    def add_links(self, links: Sequence[ProjectLink]) -> int:
        with self.pools.transaction() as db:
            old = {
                ProjectLink(*row)
                for row in db.execute("SELECT alias, project_id, file FROM aliases WHERE format = 'link'")
            }
            added = {ProjectLink(*link) for link in links} - old
            recorded = {
                row[0]
                for row in db.execute(
                    "SELECT DISTINCT project_id FROM fragments WHERE project_id = ANY(%s)",
                    ([pid for link in old for pid in (link.alias, link.target)],),
                )
            }
            dead = [link for link in old if link.alias not in recorded or link.target not in recorded]
            for link in dead:
                db.execute(
                    "DELETE FROM aliases WHERE format = 'link' AND alias = %s AND file = %s", (link.alias, link.method)
                )
            for link in added:
                db.execute(
                    "INSERT INTO aliases (alias, format, file, record_key, project_id) VALUES (%s, 'link', %s, %s, %s)"
                    " ON CONFLICT (alias, format, file, record_key) DO UPDATE SET project_id = EXCLUDED.project_id",
                    (link.alias, link.method, link.alias, link.target),
                )
            writes.mark_dirty(db, [pid for link in [*dead, *added] for pid in (link.alias, link.target)])
        return len(dead) + len(added)

    def fragments(self, project_ids: Sequence[str]) -> dict[str, list[Fragment]]:
        with self.pools.primary() as db:
            canonical = {pid: pid for pid in project_ids}
            canonical.update(
                db.execute(
                    "SELECT alias, MIN(project_id) FROM aliases WHERE alias = ANY(%s) GROUP BY alias",
                    (list(project_ids),),
                ).fetchall()
            )
            result: dict[str, list[Fragment]] = {pid: [] for pid, target in canonical.items() if target != pid}
            targets = sorted(set(canonical.values()))
            owner = {target: target for target in targets}
            for alias, target in db.execute(
                "SELECT alias, project_id FROM aliases WHERE project_id = ANY(%s)", (targets,)
            ):
                owner.setdefault(alias, target)
            result.update({target: [] for target in targets})
            rows = db.execute(
                f"SELECT {FRAGMENT_COLUMNS} FROM fragments WHERE project_id = ANY(%s)",
                (list(owner),),
            )
            for row in rows:
                pid, fragment = fragment_of(row)
                result[owner[pid]].append(fragment)
        return result

    # --- merged projects --------------------------------------------------------------------
    def save(self, projects: Sequence[Project], deleted: Sequence[str], done: Sequence[str]) -> None:
        self.save_prepared(codec.prepare_batch(projects, deleted, done))

    def save_prepared(self, batch: PreparedBatch) -> None:
        with self.pools.transaction() as db:
            # the row lock orders concurrent savers: each change number is given once
            seq = int(db.execute("SELECT value FROM meta WHERE key = 'seq' FOR UPDATE").fetchone()[0]) + 1  # type: ignore[index]
            stamp = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
            changed = self._write_projects(db, batch.rows, seq)
            if changed:
                db.execute(
                    "INSERT INTO project_numbers (id) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING", (changed,)
                )
            gone = self._delete_projects(db, batch.deleted)
            renamed = self._write_organisations(db, batch.organisations)
            logged = [Change(pid, False) for pid in changed] + [Change(pid, True) for pid in gone]
            if logged:
                db.execute(
                    "INSERT INTO changes (project_id, seq, deleted, changed)"
                    " SELECT p, %s, d, %s FROM unnest(%s::text[], %s::int[]) AS u(p, d)"
                    " ON CONFLICT (project_id) DO UPDATE SET seq = EXCLUDED.seq, deleted = EXCLUDED.deleted,"
                    " changed = EXCLUDED.changed",
                    (seq, stamp, [c.project_id for c in logged], [int(c.deleted) for c in logged]),
                )
            if renamed:
                db.execute(
                    "INSERT INTO changes (project_id, seq, deleted, changed)"
                    " SELECT DISTINCT project_id, %s, 0, %s FROM participations WHERE org_id = ANY(%s)"
                    " ON CONFLICT (project_id) DO UPDATE SET seq = EXCLUDED.seq, deleted = 0,"
                    " changed = EXCLUDED.changed",
                    (seq, stamp, renamed),
                )
            if batch.done:
                db.execute("DELETE FROM dirty WHERE project_id = ANY(%s)", (batch.done,))
            if changed or gone or renamed:
                db.execute("UPDATE meta SET value = %s WHERE key = 'seq'", (str(seq),))

    def _write_projects(self, db: Db, prepared: Sequence[ProjectRow], seq: int) -> list[str]:
        rows = {row.columns.id: row for row in prepared}
        current = self._current_data(db, list(rows))
        changed = [pid for pid, row in rows.items() if current.get(pid) != (row.data, row.participations_blob)]
        if not changed:
            return changed
        db.execute("DELETE FROM projects WHERE id = ANY(%s)", (changed,))
        db.execute("DELETE FROM participations WHERE project_id = ANY(%s)", (changed,))
        copy_rows(db, "projects", PROJECT_COLUMNS, [(*rows[pid].columns, rows[pid].data, seq) for pid in changed])
        copy_rows(
            db,
            "participations",
            "project_id, ord, org_id, role, country, eu_contribution_eur, data",
            [participation for pid in changed for participation in rows[pid].participations],
        )
        return changed

    def _current_data(self, db: Db, ids: list[str]) -> dict[str, tuple[bytes, bytes]]:
        current = dict(db.execute("SELECT id, data FROM projects WHERE id = ANY(%s)", (ids,)).fetchall())
        parts: dict[str, list[bytes]] = {}
        for pid, data in db.execute(
            "SELECT project_id, data FROM participations WHERE project_id = ANY(%s) ORDER BY project_id, ord", (ids,)
        ):
            parts.setdefault(pid, []).append(data)
        return {pid: (data, codec.join_blobs(parts.get(pid, []))) for pid, data in current.items()}

    def _delete_projects(self, db: Db, deleted: Sequence[str]) -> list[str]:
        if not deleted:
            return []
        gone = [row[0] for row in db.execute("DELETE FROM projects WHERE id = ANY(%s) RETURNING id", (list(deleted),))]
        db.execute("DELETE FROM participations WHERE project_id = ANY(%s)", (gone,))
        return gone

    def _write_organisations(self, db: Db, seen: dict[str, Ranked]) -> list[str]:
        """Merge these organisations into the table; return ids whose name changed. What this
        process last wrote of each is kept (it is the one writer while it holds the writer lock)."""
        cache = self._organisations
        known = {oid: cache[oid] for oid in seen if oid in cache}
        missing = [oid for oid in seen if oid not in known]
        if missing:
            for oid, data, ranks in db.execute(
                "SELECT id, data, ranks FROM organisations WHERE id = ANY(%s)", (missing,)
            ):
                known[oid] = codec.decode_ranked(data, ranks)
        renamed, changed, written = codec.merge_organisations(known, seen)
        if changed:
            db.execute("DELETE FROM organisations WHERE id = ANY(%s)", ([row.id for row in changed],))
            copy_rows(db, "organisations", "id, name, country, city, type, data, ranks", changed)
        if len(cache) > ORGANISATION_CACHE:
            cache.clear()
        cache.update(known)
        cache.update(written)
        return renamed

    # --- the change log ---------------------------------------------------------------------
    def seq(self) -> int:
        with self.pools.read() as db:
            return int(db.execute(f"SELECT {visibility.VISIBLE}").fetchone()[0])  # type: ignore[index]

    def changes_since(self, seq: int) -> tuple[list[Change], int]:
        with self.pools.read() as db:
            rows = db.execute(
                f"SELECT project_id, deleted, seq FROM changes WHERE seq > %s AND seq <= {visibility.VISIBLE}"
                " ORDER BY seq",
                (seq,),
            ).fetchall()
        latest = max((row[2] for row in rows), default=seq)
        return [Change(pid, bool(deleted)) for pid, deleted, _ in rows], int(latest)

    def changed_since(self, since: dt.datetime, limit: int = 1000) -> list[ChangedProject]:
        with self.pools.read() as db:
            rows = db.execute(
                "SELECT c.project_id, c.changed, c.deleted, p.source,"
                " (SELECT MIN(f.first_seen) FROM fragments f WHERE f.project_id = c.project_id)"
                " FROM changes c LEFT JOIN projects p ON p.id = c.project_id"
                f" WHERE c.changed > %s AND c.seq <= {visibility.VISIBLE}"
                " ORDER BY c.changed DESC, c.project_id LIMIT %s",
                (since.astimezone(dt.UTC).isoformat(timespec="microseconds"), limit),
            ).fetchall()
        return [
            ChangedProject(
                project_id=pid,
                changed=dt.datetime.fromisoformat(changed),
                deleted=bool(deleted) or source is None,
                first_seen=dt.datetime.fromisoformat(first) if first else None,
            )
            for pid, changed, deleted, source, first in rows
        ]


def _totals(row: PreparedBeneficiary) -> tuple[object, ...]:
    """A beneficiary row's columns that listings and totals read."""
    return (row.source, row.organisation.country, row.projects, row.total_budget_eur, row.eu_contribution_eur)
