"""The SQLite store: one file, stdlib ``sqlite3``, WAL so readers never wait for the ingest."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from euprojects.model import Beneficiary, Organisation, Partner, Programme, Project, Provenance, Reject, RejectEntry
from euprojects.orgs.details import Ranked, mention
from euprojects.store import codec, locking, visibility
from euprojects.store.base import (
    FRAGMENT_COLUMNS,
    BeneficiaryTotals,
    ChangedProject,
    Fragment,
    LinkFacts,
    OrganisationRole,
    PreparedBeneficiary,
    PreparedRecord,
    ProjectSummary,
    SourceQuality,
    Stats,
    WriteCounts,
    fragment_of,
    programmes_of,
    rejects_of,
    with_dates,
)
from euprojects.store.locking import Waited
from euprojects.store.resolution import MEMBERS, ResolutionTables
from euprojects.store.rows import Change, PreparedBatch, ProjectLink, ProjectRow
from euprojects.store.sqlite_participants import SQLiteParticipantReads
from euprojects.store.sqlite_tables import SQLiteTables
from euprojects.store.sqlite_vectors import SQLiteVectors

T = TypeVar("T")
CHUNK = 500
ORGANISATION_CACHE = 300_000  # organisations kept decoded between batches of one writer


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def marks(items: Sequence[object]) -> str:
    return ",".join("?" * len(items))


# A project's partner countries as ``Project.countries`` gives them (lead first, then the source's
# order), from the canonical organisations: resolution can give a country to a mention that had
# none, and search filters on the canonical one. Read beside the project: one query a page of hits.
_PARTNER_COUNTRIES = (
    "SELECT json_group_array(country) FROM (SELECT CASE WHEN c.id IS NOT NULL THEN c.country ELSE o.country END"
    " AS country FROM participations p LEFT JOIN organisations o ON o.id = p.org_id"
    " LEFT JOIN org_links l ON l.org_id = p.org_id LEFT JOIN org_canonical c ON c.id = l.canonical"
    " WHERE p.project_id = projects.id"
    " ORDER BY p.role <> 'lead', COALESCE(json_extract(p.data, '$.order'), 0), p.ord)"
)


class SQLiteStore(ResolutionTables, SQLiteParticipantReads, SQLiteTables, SQLiteVectors):
    """Store backed by one SQLite file; each thread gets its own connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._organisations: dict[str, Ranked] = {}  # as this process last wrote them

    # --- connection -------------------------------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("PRAGMA temp_store=MEMORY")
            # Checkpoint the WAL every ~40 MB rather than every 4 MB: an ingest writes a lot, and
            # each checkpoint waits for the disk.
            conn.execute("PRAGMA wal_autocheckpoint=10000")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            self._organisations.clear()  # it may hold what the rolled-back transaction wrote
            raise
        db.execute("COMMIT")

    def migrate(self) -> list[str]:
        db = self.db
        db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
        done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
        folder = resources.files("euprojects.store") / "migrations" / "sqlite"
        applied = []
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".sql") or entry.name in done:
                continue
            now = dt.datetime.now(dt.UTC).isoformat()
            script = entry.read_text(encoding="utf-8")
            db.executescript(f"BEGIN;\n{script}\nINSERT INTO _migrations VALUES ('{entry.name}', '{now}');\nCOMMIT;")
            applied.append(entry.name)
        return applied

    # --- ingest -----------------------------------------------------------------------------
    def begin_run(self, now: dt.datetime) -> int:
        with self.transaction() as db:
            cursor = db.execute("INSERT INTO ingest_runs (started) VALUES (?)", (now.isoformat(),))
            db.execute(visibility.HOLD)
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, now: dt.datetime) -> None:
        with self.transaction() as db:
            db.execute("UPDATE ingest_runs SET finished = ? WHERE id = ?", (now.isoformat(), run_id))
            db.execute(visibility.RELEASE)

    def log_file(self, run_id: int, fmt: str, file: str, path: str, report: bytes) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO ingest_files (run_id, format, file, path, report) VALUES (?, ?, ?, ?, ?)",
                (run_id, fmt, file, path, report.decode("utf-8")),
            )

    def last_report(self, fmt: str, file: str) -> bytes | None:
        row = self.db.execute(
            "SELECT report FROM ingest_files WHERE format = ? AND file = ? ORDER BY run_id DESC LIMIT 1", (fmt, file)
        ).fetchone()
        return str(row[0]).encode("utf-8") if row else None

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
        counts = WriteCounts()
        stamp = now.isoformat()
        with self.transaction() as db:
            known = self._known_hashes(db, fmt, file, [r.key for r in records])
            new, changed, same = [], [], []
            for record in records:
                previous = known.get(record.key)
                if previous is None:
                    new.append(record)
                elif previous != record.hash:
                    changed.append(record)
                else:
                    same.append(record)
            db.executemany(
                "INSERT INTO fragments (format, file, record_key, project_id, hash, payload, line, run_id,"
                " first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(fmt, file, r.key, r.project_id, r.hash, r.payload, r.line, run_id, stamp, stamp) for r in new],
            )
            self._mark_dirty_old_projects(db, fmt, file, changed)
            self._mark_dirty_returned(db, fmt, file, same)
            db.executemany(
                "UPDATE fragments SET project_id=?, hash=?, payload=?, line=?, run_id=?, last_seen=?, withdrawn=NULL"
                " WHERE format=? AND file=? AND record_key=?",
                [(r.project_id, r.hash, r.payload, r.line, run_id, stamp, fmt, file, r.key) for r in changed],
            )
            db.executemany(
                "UPDATE fragments SET line=?, run_id=?, last_seen=?, withdrawn=NULL"
                " WHERE format=? AND file=? AND record_key=?",
                [(r.line, run_id, stamp, fmt, file, r.key) for r in same],
            )
            touched = [*new, *changed]
            self._write_aliases(db, fmt, file, touched)
            db.executemany(
                "INSERT OR IGNORE INTO dirty (project_id) VALUES (?)",
                [(pid,) for r in touched for pid in (r.project_id, *r.aliases)],
            )
            db.executemany(
                "INSERT INTO rejects (format, file, line, reason, raw, run_id, first_seen) VALUES (?,?,?,?,?,?,?)"
                " ON CONFLICT (format, file, line, reason) DO UPDATE SET raw=excluded.raw, run_id=excluded.run_id",
                [(fmt, file, r.line or 0, r.reason, r.raw, run_id, stamp) for r in rejects],
            )
            counts.new, counts.updated, counts.unchanged = len(new), len(changed), len(same)
            if beneficiaries:
                added = self._write_beneficiaries(db, run_id, fmt, file, beneficiaries, stamp)
                counts.new += added.new
                counts.updated += added.updated
                counts.unchanged += added.unchanged
        return counts

    def _write_beneficiaries(
        self,
        db: sqlite3.Connection,
        run_id: int,
        fmt: str,
        file: str,
        rows: Sequence[PreparedBeneficiary],
        stamp: str,
    ) -> WriteCounts:
        """Upsert beneficiary rows by their hash and merge their organisations into the table."""
        known: dict[str, str] = {}
        for part in chunks([r.key for r in rows]):
            known.update(
                db.execute(
                    "SELECT record_key, hash FROM beneficiaries"
                    f" WHERE format=? AND file=? AND record_key IN ({marks(part)})",
                    (fmt, file, *part),
                )
            )
        touched = [r for r in rows if known.get(r.key) != r.hash]
        db.executemany(
            "INSERT INTO beneficiaries (format, file, record_key, org_id, hash, payload, line, run_id, first_seen,"
            " last_seen, source, country, projects, total_budget_eur, eu_contribution_eur)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (format, file, record_key) DO UPDATE SET"
            " org_id=excluded.org_id, hash=excluded.hash, payload=excluded.payload, line=excluded.line,"
            " run_id=excluded.run_id, last_seen=excluded.last_seen, source=excluded.source,"
            " country=excluded.country, projects=excluded.projects, total_budget_eur=excluded.total_budget_eur,"
            " eu_contribution_eur=excluded.eu_contribution_eur",
            [
                (
                    fmt,
                    file,
                    r.key,
                    r.organisation.id,
                    r.hash,
                    r.payload,
                    r.line,
                    run_id,
                    stamp,
                    stamp,
                    r.source,
                    r.organisation.country,
                    r.projects,
                    r.total_budget_eur,
                    r.eu_contribution_eur,
                )
                for r in touched
            ],
        )
        db.executemany(
            "UPDATE beneficiaries SET line=?, run_id=?, last_seen=? WHERE format=? AND file=? AND record_key=?",
            [(r.line, run_id, stamp, fmt, file, r.key) for r in rows if known.get(r.key) == r.hash],
        )
        organisations: dict[str, Ranked] = {}
        for r in touched:
            codec.add_mention(organisations, mention(r.organisation, fmt))
        self._write_organisations(db, organisations)
        new = sum(1 for r in touched if r.key not in known)
        return WriteCounts(new=new, updated=len(touched) - new, unchanged=len(rows) - len(touched))

    def _known_hashes(self, db: sqlite3.Connection, fmt: str, file: str, keys: Sequence[str]) -> dict[str, str]:
        known: dict[str, str] = {}
        for part in chunks(keys):
            rows = db.execute(
                f"SELECT record_key, hash FROM fragments WHERE format=? AND file=? AND record_key IN ({marks(part)})",
                (fmt, file, *part),
            )
            known.update(rows)
        return known

    def _mark_dirty_old_projects(
        self, db: sqlite3.Connection, fmt: str, file: str, changed: Sequence[PreparedRecord]
    ) -> None:
        """A record that moved to another project leaves its old project to be rebuilt too."""
        for part in chunks([r.key for r in changed]):
            db.execute(
                "INSERT OR IGNORE INTO dirty (project_id) SELECT project_id FROM fragments"
                f" WHERE format=? AND file=? AND record_key IN ({marks(part)})",
                (fmt, file, *part),
            )

    def _mark_dirty_returned(self, db: sqlite3.Connection, fmt: str, file: str, same: Sequence[PreparedRecord]) -> None:
        """A withdrawn record that its file holds again makes its project live again."""
        for part in chunks([r.key for r in same]):
            db.execute(
                "INSERT OR IGNORE INTO dirty (project_id) SELECT project_id FROM fragments"
                f" WHERE format=? AND file=? AND withdrawn IS NOT NULL AND record_key IN ({marks(part)})",
                (fmt, file, *part),
            )

    def _write_aliases(self, db: sqlite3.Connection, fmt: str, file: str, records: Sequence[PreparedRecord]) -> None:
        for part in chunks([r.key for r in records]):
            db.execute(
                f"DELETE FROM aliases WHERE format=? AND file=? AND record_key IN ({marks(part)})",
                (fmt, file, *part),
            )
        db.executemany(
            "INSERT OR IGNORE INTO aliases (alias, project_id, format, file, record_key) VALUES (?,?,?,?,?)",
            [(alias, r.project_id, fmt, file, r.key) for r in records for alias in r.aliases],
        )

    def writer_lock(
        self, wait: bool = False, on_wait: Callable[[str], None] | None = None
    ) -> AbstractContextManager[Waited]:
        return locking.writer_lock(self.path.with_name(self.path.name + ".lock"), wait=wait, on_wait=on_wait)

    def count_stale(self, run_id: int, fmt: str, file: str) -> int:
        args = (fmt, file, run_id)
        live = {"fragments": " AND withdrawn IS NULL", "beneficiaries": ""}
        return sum(
            int(
                self.db.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE format=? AND file=? AND run_id<>?{extra}", args
                ).fetchone()[0]
            )
            for table, extra in live.items()
        )

    def withdraw_stale(self, run_id: int, fmt: str, file: str, now: dt.datetime) -> int:
        """Mark the records of a fully read file that this run did not see again as withdrawn
        (their projects are rebuilt, and kept as withdrawn when no live record is left); its stale
        beneficiary rows and rejects, which are no records, are forgotten."""
        with self.transaction() as db:
            where = "format=? AND file=? AND run_id<>? AND withdrawn IS NULL"
            args = (fmt, file, run_id)
            db.execute(f"INSERT OR IGNORE INTO dirty (project_id) SELECT project_id FROM fragments WHERE {where}", args)
            db.execute(
                "INSERT OR IGNORE INTO dirty (project_id) SELECT a.alias FROM aliases a JOIN fragments f"
                " ON a.format=f.format AND a.file=f.file AND a.record_key=f.record_key"
                " WHERE f.format=? AND f.file=? AND f.run_id<>? AND f.withdrawn IS NULL",
                args,
            )
            withdrawn = db.execute(f"UPDATE fragments SET withdrawn=? WHERE {where}", (now.isoformat(), *args)).rowcount
            withdrawn += db.execute("DELETE FROM beneficiaries WHERE format=? AND file=? AND run_id<>?", args).rowcount
            db.execute("DELETE FROM rejects WHERE format=? AND file=? AND run_id<>?", args)
        return withdrawn

    def remove_stale(self, run_id: int, fmt: str, file: str) -> int:
        with self.transaction() as db:
            where = "format=? AND file=? AND run_id<>?"
            args = (fmt, file, run_id)
            db.execute(f"INSERT OR IGNORE INTO dirty (project_id) SELECT project_id FROM fragments WHERE {where}", args)
            db.execute(
                "INSERT OR IGNORE INTO dirty (project_id) SELECT a.alias FROM aliases a JOIN fragments f"
                " ON a.format=f.format AND a.file=f.file AND a.record_key=f.record_key"
                " WHERE f.format=? AND f.file=? AND f.run_id<>?",
                args,
            )
            db.execute(
                "DELETE FROM aliases WHERE (format, file, record_key) IN"
                f" (SELECT format, file, record_key FROM fragments WHERE {where})",
                args,
            )
            removed = db.execute(f"DELETE FROM fragments WHERE {where}", args).rowcount
            removed += db.execute(f"DELETE FROM beneficiaries WHERE {where}", args).rowcount
            db.execute(f"DELETE FROM rejects WHERE {where}", args)
        return removed

    def link_facts(self, sources: Sequence[str]) -> list[LinkFacts]:
        db = self.db
        joined = {row[0] for row in db.execute("SELECT DISTINCT project_id FROM aliases")}
        amounts: dict[str, list[tuple[str, float]]] = {}
        facts = []
        rows = db.execute(
            "SELECT id, acronym, start_date, end_date, eu_contribution_eur, programme FROM projects"
            f" WHERE listed AND source IN ({marks(sources)})",
            tuple(sources),
        ).fetchall()
        for pid, country, amount in db.execute(
            "SELECT a.project_id, a.country, a.eu_contribution_eur FROM participations a"
            " JOIN projects p ON p.id = a.project_id"
            f" WHERE p.listed AND p.source IN ({marks(sources)})"
            " AND a.country IS NOT NULL AND a.eu_contribution_eur IS NOT NULL ORDER BY a.project_id, a.ord",
            tuple(sources),
        ):
            amounts.setdefault(pid, []).append((country, amount))
        for pid, acronym, start, end, eu, programme in rows:
            partners = tuple(amounts.get(pid, ()))
            facts.append(LinkFacts(pid, acronym, start, end, eu, programme, partners, pid in joined))
        return facts

    def add_links(self, links: Sequence[ProjectLink]) -> int:
        with self.transaction() as db:
            old = set(db.execute("SELECT alias, project_id, file FROM aliases WHERE format = 'link'"))
            added = set(links) - old
            dead = [
                (alias, target, method)
                for alias, target, method in old
                if not db.execute("SELECT 1 FROM fragments WHERE project_id = ? LIMIT 1", (alias,)).fetchone()
                or not db.execute("SELECT 1 FROM fragments WHERE project_id = ? LIMIT 1", (target,)).fetchone()
            ]
            db.executemany(
                "DELETE FROM aliases WHERE format = 'link' AND alias = ? AND file = ?", [(a, m) for a, _, m in dead]
            )
            db.executemany(
                "INSERT OR REPLACE INTO aliases (alias, format, file, record_key, project_id)"
                " VALUES (?, 'link', ?, ?, ?)",
                [(a, m, a, t) for a, t, m in added],
            )
            db.executemany(
                "INSERT OR IGNORE INTO dirty (project_id) VALUES (?)",
                [(pid,) for a, t, _ in [*dead, *added] for pid in (a, t)],
            )
        return len(dead) + len(added)

    def aliases_of(self, project_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for part in chunks(list(project_ids)):
            rows = self.db.execute(
                f"SELECT DISTINCT project_id, alias FROM aliases WHERE project_id IN ({marks(part)})", part
            )
            for pid, alias in rows:
                found.setdefault(pid, []).append(alias)
        return found

    def resolve(self, project_id: str) -> str | None:
        db = self.db
        if db.execute("SELECT 1 FROM projects WHERE id = ?", (project_id,)).fetchone():
            return project_id
        row = db.execute("SELECT MIN(project_id) FROM aliases WHERE alias = ?", (project_id,)).fetchone()
        return str(row[0]) if row and row[0] else None

    def all_dirty(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT project_id FROM dirty")]

    def fragments(self, project_ids: Sequence[str]) -> dict[str, list[Fragment]]:
        db = self.db
        canonical = {pid: pid for pid in project_ids}
        for part in chunks(list(project_ids)):
            rows = db.execute(
                f"SELECT alias, MIN(project_id) FROM aliases WHERE alias IN ({marks(part)}) GROUP BY alias", part
            )
            canonical.update(rows)
        result: dict[str, list[Fragment]] = {pid: [] for pid, target in canonical.items() if target != pid}
        targets = sorted(set(canonical.values()))
        owner = {target: target for target in targets}
        for part in chunks(targets):
            rows = db.execute(f"SELECT alias, project_id FROM aliases WHERE project_id IN ({marks(part)})", part)
            owner.update((alias, target) for alias, target in rows if alias not in owner)
        result.update({target: [] for target in targets})
        keys = list(owner)
        for part in chunks(keys):
            rows = db.execute(
                f"SELECT {FRAGMENT_COLUMNS} FROM fragments WHERE project_id IN ({marks(part)})",
                part,
            )
            for row in rows:
                pid, fragment = fragment_of(row)
                result[owner[pid]].append(fragment)
        return result

    def save(self, projects: Sequence[Project], deleted: Sequence[str], done: Sequence[str]) -> None:
        self.save_prepared(codec.prepare_batch(projects, deleted, done))

    def save_prepared(self, batch: PreparedBatch) -> None:
        with self.transaction() as db:
            seq = int(db.execute("SELECT value FROM meta WHERE key='seq'").fetchone()[0]) + 1
            stamp = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
            changed = self._write_projects(db, batch.rows, seq)
            db.executemany("INSERT OR IGNORE INTO project_numbers (id) VALUES (?)", [(pid,) for pid in changed])
            gone = self._delete_projects(db, batch.deleted)
            renamed = self._write_organisations(db, batch.organisations)
            db.executemany(
                "INSERT OR REPLACE INTO changes (project_id, seq, deleted, changed) VALUES (?, ?, ?, ?)",
                [(pid, seq, 0, stamp) for pid in changed] + [(pid, seq, 1, stamp) for pid in gone],
            )
            for part in chunks(renamed):
                db.execute(
                    "INSERT OR REPLACE INTO changes (project_id, seq, deleted, changed)"
                    " SELECT DISTINCT project_id, ?, 0, ?"
                    f" FROM participations WHERE org_id IN ({marks(part)})",
                    (seq, stamp, *part),
                )
            for part in chunks(batch.done):
                db.execute(f"DELETE FROM dirty WHERE project_id IN ({marks(part)})", part)
            if changed or gone or renamed:
                db.execute("UPDATE meta SET value=? WHERE key='seq'", (str(seq),))

    def _write_projects(self, db: sqlite3.Connection, prepared: Sequence[ProjectRow], seq: int) -> list[str]:
        rows = {row.columns.id: row for row in prepared}
        current = self._current_data(db, list(rows))
        changed = [pid for pid, row in rows.items() if current.get(pid) != (row.data, row.participations_blob)]
        db.executemany(
            "INSERT OR REPLACE INTO projects (id, source, source_id, acronym, title, start_date, end_date,"
            " status, programme, period, fund, eu_contribution_eur, total_cost_eur, partner_count,"
            " lead_country, lead_name, countries, listed, data, seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(*rows[pid].columns, rows[pid].data, seq) for pid in changed],
        )
        for part in chunks(changed):
            db.execute(f"DELETE FROM participations WHERE project_id IN ({marks(part)})", part)
        db.executemany(
            "INSERT INTO participations (project_id, ord, org_id, role, country, eu_contribution_eur, data)"
            " VALUES (?,?,?,?,?,?,?)",
            [participation for pid in changed for participation in rows[pid].participations],
        )
        return changed

    def _current_data(self, db: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[bytes, bytes]]:
        current: dict[str, bytes] = {}
        parts: dict[str, list[bytes]] = {}
        for part in chunks(ids):
            for pid, data in db.execute(f"SELECT id, data FROM projects WHERE id IN ({marks(part)})", part):
                current[pid] = data
            for pid, data in db.execute(
                f"SELECT project_id, data FROM participations WHERE project_id IN ({marks(part)})"
                " ORDER BY project_id, ord",
                part,
            ):
                parts.setdefault(pid, []).append(data)
        return {pid: (data, codec.join_blobs(parts.get(pid, []))) for pid, data in current.items()}

    def _delete_projects(self, db: sqlite3.Connection, deleted: Sequence[str]) -> list[str]:
        gone = []
        for part in chunks(list(deleted)):
            existing = [row[0] for row in db.execute(f"SELECT id FROM projects WHERE id IN ({marks(part)})", part)]
            if existing:
                db.execute(f"DELETE FROM projects WHERE id IN ({marks(existing)})", existing)
                db.execute(f"DELETE FROM participations WHERE project_id IN ({marks(existing)})", existing)
            gone.extend(existing)
        return gone

    def _write_organisations(self, db: sqlite3.Connection, seen: dict[str, Ranked]) -> list[str]:
        """Merge the organisations of these projects into the table; return ids whose name changed.

        An ingest names the same organisations in batch after batch: what this process last
        wrote of each is kept (it is the only writer while it holds the writer lock), so an
        organisation is read and decoded from the table once a run, not once a batch."""
        cache = self._organisations
        known = {oid: cache[oid] for oid in seen if oid in cache}
        missing = [oid for oid in seen if oid not in known]
        for part in chunks(missing):
            rows = db.execute(f"SELECT id, data, ranks FROM organisations WHERE id IN ({marks(part)})", part)
            for oid, data, ranks in rows:
                known[oid] = codec.decode_ranked(data, ranks)
        renamed, changed, written = codec.merge_organisations(known, seen)
        db.executemany(
            "INSERT OR REPLACE INTO organisations (id, name, country, city, type, data, ranks) VALUES (?,?,?,?,?,?,?)",
            changed,
        )
        if len(cache) > ORGANISATION_CACHE:
            cache.clear()
        cache.update(known)
        cache.update(written)
        return renamed

    # --- reading ----------------------------------------------------------------------------
    def project(self, project_id: str) -> Project | None:
        row = self.db.execute("SELECT data FROM projects WHERE id=?", (project_id,)).fetchone()
        if row is None:
            return None
        project = codec.decode_project(row[0])
        project.participations = self._participations([project_id]).get(project_id, [])
        project.provenance = self._provenance(project_id) or project.provenance
        return with_dates(project, self._modified(project_id))

    def _modified(self, project_id: str) -> dt.datetime | None:
        row = self.db.execute("SELECT changed FROM changes WHERE project_id = ?", (project_id,)).fetchone()
        return dt.datetime.fromisoformat(row[0]) if row and row[0] else None

    def changed_since(self, since: dt.datetime, limit: int = 1000) -> list[ChangedProject]:
        rows = self.db.execute(
            "SELECT c.project_id, c.changed, c.deleted, p.source,"
            " (SELECT MIN(f.first_seen) FROM fragments f WHERE f.project_id = c.project_id)"
            " FROM changes c LEFT JOIN projects p ON p.id = c.project_id"
            f" WHERE c.changed > ? AND c.seq <= {visibility.VISIBLE}"
            " ORDER BY c.changed DESC, c.project_id LIMIT ?",
            (since.astimezone(dt.UTC).isoformat(timespec="microseconds"), limit),
        )
        return [
            ChangedProject(
                project_id=pid,
                changed=dt.datetime.fromisoformat(changed),
                deleted=bool(deleted) or source is None,
                first_seen=dt.datetime.fromisoformat(first) if first else None,
            )
            for pid, changed, deleted, source, first in rows
        ]

    def _provenance(self, project_id: str) -> list[Provenance]:
        """Sources of a project as they stand now: last_seen moves on with every ingest of a file,
        even when nothing in it changed and the merged record was not rebuilt."""
        rows = self.db.execute(
            "SELECT format, file, MIN(line), COUNT(*), MIN(first_seen), MAX(last_seen) FROM fragments"
            " WHERE project_id = ? OR project_id IN (SELECT alias FROM aliases WHERE project_id = ?)"
            " GROUP BY format, file",
            (project_id, project_id),
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

    def _participations(self, ids: Sequence[str]) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        for part in chunks(list(ids)):
            rows = self.db.execute(
                "SELECT p.project_id, p.data, COALESCE(c.data, o.data) FROM participations p"
                " LEFT JOIN organisations o ON o.id = p.org_id LEFT JOIN org_links l ON l.org_id = p.org_id"
                " LEFT JOIN org_canonical c ON c.id = l.canonical"
                f" WHERE p.project_id IN ({marks(part)}) ORDER BY p.project_id, p.ord",
                part,
            )
            for pid, data, org in rows:
                found.setdefault(pid, []).append(codec.decode_participation(data, org))
        return found

    def summaries(self, project_ids: Sequence[str]) -> dict[str, ProjectSummary]:
        found: dict[str, ProjectSummary] = {}
        for part in chunks(list(project_ids)):
            rows = self.db.execute(
                f"SELECT id, data, ({_PARTNER_COUNTRIES}), partner_count, COALESCE(lead_name, ({_LEAD_NAME}))"
                f" FROM projects WHERE id IN ({marks(part)})",
                part,
            )
            for pid, data, countries, partner_count, lead in rows:
                found[pid] = ProjectSummary(
                    project=codec.decode_project(data),
                    countries=list(dict.fromkeys(c for c in json.loads(countries) if c)),
                    partner_count=partner_count,
                    lead=lead,
                )
        return found

    def projects(self, project_ids: Sequence[str]) -> list[Project]:
        """Whole projects with their participations, in two queries per 500 ids."""
        found = []
        for part in chunks(list(project_ids)):
            rows = self.db.execute(f"SELECT id, data FROM projects WHERE id IN ({marks(part)})", part).fetchall()
            parts = self._participations([pid for pid, _ in rows])
            for pid, data in rows:
                project = codec.decode_project(data)
                project.participations = parts.get(pid, [])
                found.append(project)
        return found

    def iter_projects(self, batch: int = 1000) -> Iterator[Project]:
        after = ""
        while True:
            rows = self.db.execute(
                "SELECT id, data FROM projects WHERE id > ? ORDER BY id LIMIT ?", (after, batch)
            ).fetchall()
            if not rows:
                return
            parts = self._participations([pid for pid, _ in rows])
            for pid, data in rows:
                project = codec.decode_project(data)
                project.participations = parts.get(pid, [])
                yield project
            after = rows[-1][0]

    def project_ids(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT id FROM projects ORDER BY id")]

    def indexed_project_ids(self) -> list[str]:
        rows = self.db.execute(
            "SELECT id FROM projects WHERE (listed OR json_extract(data, '$.withdrawn') IS NOT NULL)"
            f" AND seq <= {visibility.VISIBLE} ORDER BY id"
        )
        return [row[0] for row in rows]

    def numbers(self, project_ids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for part in chunks(list(project_ids)):
            found.update(self.db.execute(f"SELECT id, num FROM project_numbers WHERE id IN ({marks(part)})", part))
        return found

    def seq(self) -> int:
        return int(self.db.execute(f"SELECT {visibility.VISIBLE}").fetchone()[0])

    def changes_since(self, seq: int) -> tuple[list[Change], int]:
        rows = self.db.execute(
            f"SELECT project_id, deleted, seq FROM changes WHERE seq > ? AND seq <= {visibility.VISIBLE} ORDER BY seq",
            (seq,),
        ).fetchall()
        latest = max((row[2] for row in rows), default=seq)
        return [Change(pid, bool(deleted)) for pid, deleted, _ in rows], latest

    # An organisation is read as the canonical organisation its id resolves to (euprojects.orgs):
    # an id merged into another answers with that one (its id tells the caller to redirect), and
    # its projects, funding and partners are those of all the mentions resolved to it.
    def organisation(self, org_id: str) -> Organisation | None:
        row = self.db.execute(
            "SELECT COALESCE(c.data, o.data) FROM organisations o LEFT JOIN org_links l ON l.org_id = o.id"
            " LEFT JOIN org_canonical c ON c.id = l.canonical WHERE o.id=?",
            (org_id,),
        ).fetchone()
        return codec.decode_organisation(row[0]) if row else None

    def organisation_projects(self, org_id: str) -> list[OrganisationRole]:
        rows = self.db.execute(
            "SELECT p.project_id, r.acronym, r.title, json_extract(r.data, '$.label'), p.role, r.start_date,"
            " p.eu_contribution_eur,"
            " r.programme, r.period"
            f" FROM participations p JOIN projects r ON r.id = p.project_id WHERE p.org_id IN ({MEMBERS})"
            " ORDER BY r.start_date DESC, p.project_id, p.ord",
            (self.resolve_organisation(org_id) or org_id,),
        )
        found: dict[str, OrganisationRole] = {}  # a project naming two mentions of one organisation: once
        for row in rows:
            found.setdefault(row[0], OrganisationRole(*row))
        return list(found.values())

    def organisation_funding(self, org_id: str) -> list[Beneficiary]:
        rows = self.db.execute(
            f"SELECT payload FROM beneficiaries WHERE org_id IN ({MEMBERS}) ORDER BY eu_contribution_eur DESC, line",
            (self.resolve_organisation(org_id) or org_id,),
        )
        return [codec.decode_beneficiary(payload) for (payload,) in rows]

    def frequent_partners(self, org_id: str, limit: int = 10) -> list[Partner]:
        canonical = self.resolve_organisation(org_id) or org_id
        rows = self.db.execute(
            "SELECT COALESCE(l.canonical, other.org_id) AS cid, COALESCE(c.name, o.name),"
            " COALESCE(c.country, o.country), COUNT(DISTINCT other.project_id) AS n"
            " FROM participations mine JOIN participations other ON other.project_id = mine.project_id"
            " LEFT JOIN org_links l ON l.org_id = other.org_id LEFT JOIN org_canonical c ON c.id = l.canonical"
            " LEFT JOIN organisations o ON o.id = other.org_id"
            f" WHERE mine.org_id IN ({MEMBERS}) AND COALESCE(l.canonical, other.org_id) <> ?1"
            " GROUP BY cid ORDER BY n DESC, cid LIMIT ?2",
            (canonical, limit),
        )
        return [Partner(id=oid, name=name, country=country, projects=n) for oid, name, country, n in rows]

    def programmes(self, name: str | None = None) -> list[Programme]:
        where, args = (
            ("WHERE listed AND programme = ?", (name,)) if name else ("WHERE listed AND programme IS NOT NULL", ())
        )
        rows = self.db.execute(
            "SELECT programme, period, MIN(fund), GROUP_CONCAT(DISTINCT source), COUNT(*),"
            f" COALESCE(SUM(eu_contribution_eur), 0) FROM projects {where}"
            " GROUP BY programme, period ORDER BY programme, period",
            args,
        )
        return programmes_of(rows)

    def stats(self) -> Stats:
        db = self.db

        def count(sql: str) -> int:
            return int(db.execute(sql).fetchone()[0])

        def grouped(sql: str) -> dict[str, int]:
            return {str(key): int(n) for key, n in db.execute(sql)}

        last = db.execute("SELECT MAX(finished) FROM ingest_runs").fetchone()[0]
        return Stats(
            projects=count("SELECT COUNT(*) FROM projects WHERE listed"),
            unlisted=count("SELECT COUNT(*) FROM projects WHERE NOT listed"),
            participations=count("SELECT COUNT(*) FROM participations"),
            organisations=count(
                "SELECT COUNT(*) FROM organisations o"
                " WHERE NOT EXISTS (SELECT 1 FROM org_links l WHERE l.org_id = o.id AND l.canonical <> o.id)"
            ),
            fragments=count("SELECT COUNT(*) FROM fragments"),
            rejects=count("SELECT COUNT(*) FROM rejects"),
            dirty=count("SELECT COUNT(*) FROM dirty"),
            by_source=grouped("SELECT source, COUNT(*) FROM projects WHERE listed GROUP BY source ORDER BY 2 DESC"),
            by_fund=grouped(
                "SELECT COALESCE(fund, '(none)'), COUNT(*) FROM projects WHERE listed GROUP BY 1 ORDER BY 2 DESC"
            ),
            rejects_by_file=grouped("SELECT file, COUNT(*) FROM rejects GROUP BY file ORDER BY 2 DESC"),
            last_ingest=last,
            quality=self._quality(),
            beneficiaries={
                source: BeneficiaryTotals(rows, orgs, projects, round(total, 2), round(eu, 2))
                for source, rows, orgs, projects, total, eu in db.execute(
                    "SELECT source, COUNT(*), COUNT(DISTINCT org_id), COALESCE(SUM(projects), 0),"
                    " COALESCE(SUM(total_budget_eur), 0), COALESCE(SUM(eu_contribution_eur), 0)"
                    " FROM beneficiaries GROUP BY source ORDER BY source"
                )
            },
        )

    def _quality(self) -> dict[str, SourceQuality]:
        db = self.db
        twins = dict(
            db.execute(
                "SELECT p.source, COUNT(DISTINCT a.alias) FROM aliases a JOIN projects p ON p.id = a.project_id"
                " WHERE p.listed GROUP BY p.source"
            )
        )
        rows = db.execute(
            "SELECT source, COUNT(*), SUM(title IS NOT NULL), SUM(start_date IS NOT NULL AND end_date IS NOT NULL),"
            " SUM(eu_contribution_eur IS NOT NULL),"
            " SUM(EXISTS (SELECT 1 FROM participations x WHERE x.project_id = projects.id))"
            " FROM projects WHERE listed GROUP BY source ORDER BY 2 DESC"
        )
        return {
            source: SourceQuality(listed, titled, dated, eu, partners, int(twins.get(source, 0)))
            for source, listed, titled, dated, eu, partners in rows
        }

    def rejects(self, limit: int = 100, offset: int = 0, file: str | None = None) -> list[RejectEntry]:
        where, args = _file_filter(file)
        rows = self.db.execute(
            f"SELECT format, file, line, reason, raw, first_seen FROM rejects {where}"
            " ORDER BY file, line LIMIT ? OFFSET ?",
            (*args, limit, offset),
        )
        return rejects_of(rows)

    def count_rejects(self, file: str | None = None) -> int:
        where, args = _file_filter(file)
        return int(self.db.execute(f"SELECT COUNT(*) FROM rejects {where}", args).fetchone()[0])


# A lead its own source does not name (CORDIS' H2020 participation table gives only PICs) is
# called what another source calls that organisation, as the project's partner list does.
_LEAD_NAME = (
    "SELECT o.name FROM participations p JOIN organisations o ON o.id = p.org_id"
    " WHERE p.project_id = projects.id AND p.role = 'lead' ORDER BY p.ord LIMIT 1"
)


def _file_filter(file: str | None) -> tuple[str, tuple[str, ...]]:
    """A file by its stored key (``data-set/name``) or by its name alone."""
    return ("WHERE file = ? OR substr(file, -length(?) - 1) = '/' || ?", (file, file, file)) if file else ("", ())
