"""A store written by an earlier version is migrated in place and keeps every record."""

from __future__ import annotations

import datetime as dt
import sqlite3
from importlib import resources
from pathlib import Path

import pytest

from euprojects import ingest
from euprojects.store import open_store
from tests.conftest import data_dir

pytestmark = pytest.mark.slow

FILES = ("cordis-h2020-cleantech-subset", "cordis-fp7-samples")


def migrations() -> list[str]:
    folder = resources.files("euprojects.store") / "migrations" / "sqlite"
    return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".sql"))


def store_without(path: Path, missing: str) -> None:
    """A store file with every migration but ``missing`` applied: the schema that migration
    found, with the tables of later, unrelated migrations that today's ingest writes to."""
    folder = resources.files("euprojects.store") / "migrations" / "sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)")
    for name in migrations():
        if name == missing:
            continue
        script = (folder / name).read_text(encoding="utf-8")
        db.executescript(f"BEGIN;\n{script}\nINSERT INTO _migrations VALUES ('{name}', '{dt.date.today()}');\nCOMMIT;")
    db.close()


def snapshot(path: Path) -> dict[str, object]:
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {
            "fragments": db.execute(
                "SELECT format, file, record_key, project_id, hash, payload, line FROM fragments"
                " ORDER BY format, file, record_key"
            ).fetchall(),
            "projects": db.execute("SELECT id, data FROM projects ORDER BY id").fetchall(),
        }
    finally:
        db.close()


def test_fragments_move_to_a_rowid_table_and_keep_every_record(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store_without(path, "0003_fragments_rowid.sql")
    old = open_store(f"sqlite:///{path}", migrate=False)
    first = ingest.run(old, [data_dir() / name for name in FILES], workers=1)
    assert first.projects_rebuilt > 0 and not first.failed
    old.close()
    before = snapshot(path)
    assert before["fragments"]

    store = open_store(f"sqlite:///{path}")  # applies what is missing
    assert store.migrate() == []
    columns = [row[1] for row in store.db.execute("PRAGMA table_info(fragments)")]
    assert columns[0] == "id"
    assert snapshot(path) == before
    # This store had 0008 (withdrawn records) before 0003, which rebuilt the table without its
    # column; a real store gets them in order, so the column is given back as 0008 would.
    store.db.execute("ALTER TABLE fragments ADD COLUMN withdrawn TEXT")
    again = ingest.run(store, [data_dir() / name for name in FILES], workers=1, reread=True)
    assert again.projects_rebuilt == 0
    assert sum(f.unchanged for f in again.files) == sum(f.new for f in first.files) > 0
    assert sum(f.new + f.updated for f in again.files) == 0
    store.close()


def test_files_known_by_name_alone_get_their_data_set_from_the_ingest_log(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store_without(path, "0005_files_by_data_set.sql")
    store = open_store(f"sqlite:///{path}", migrate=False)
    assert not ingest.run(store, [data_dir() / name for name in FILES], workers=1).failed
    store.close()
    expected = snapshot(path)
    db = sqlite3.connect(path)
    tables = ("fragments", "aliases", "rejects", "ingest_files")
    with db:  # as the version before 0005 wrote them: by the file's name alone
        for table in tables:
            db.execute(f"UPDATE {table} SET file = substr(file, instr(file, '/') + 1)")
    assert {row[0] for row in db.execute("SELECT DISTINCT file FROM fragments")} == {
        "fp7_projects_shortened.csv",
        "fp7_test_projects.csv",
        "marzeelabs_projects.json",
        "marzeelabs_projects_big.json",
        "cleantechtag_joint_results.csv",
        "inner_table.csv",
        "tech.csv",
    }
    db.close()

    store = open_store(f"sqlite:///{path}")
    assert snapshot(path) == expected
    again = ingest.run(store, [data_dir() / name for name in FILES], workers=1, reread=True)
    assert sum(f.new + f.updated + f.removed for f in again.files) == 0
    store.close()


def test_organisations_stored_before_ranks_are_ranked_anew(tmp_path: Path) -> None:
    """A store whose organisations were merged first-seen-first (no ranks): the migration marks
    every project and beneficiary row to be read again, and the next ingest gives the same
    organisations as a fresh store."""
    paths = [data_dir() / name for name in (*FILES, "kohesio-beneficiaries-cee-2023")]
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert not ingest.run(fresh, paths, workers=1).failed
    expected = fresh.db.execute("SELECT id, data, ranks FROM organisations ORDER BY id").fetchall()
    fresh.close()

    path = tmp_path / "old.db"
    old = open_store(f"sqlite:///{path}")
    assert not ingest.run(old, paths, workers=1).failed
    old.close()
    db = sqlite3.connect(path, isolation_level=None)
    # as the version before 0007 left it: no ranks, and other details than the best ones
    db.executescript(
        "UPDATE organisations SET data = json_object('id', id, 'name', 'first seen'), name = 'first seen';"
        " ALTER TABLE organisations DROP COLUMN ranks;"
        " DELETE FROM _migrations WHERE name = '0007_organisation_ranks.sql';"
    )
    db.close()

    store = open_store(f"sqlite:///{path}")  # applies 0007
    assert store.db.execute("SELECT COUNT(*) FROM organisations WHERE ranks IS NOT NULL").fetchone()[0] == 0
    again = ingest.run(store, paths, workers=1)
    assert not again.failed and again.projects_rebuilt > 0
    assert store.db.execute("SELECT id, data, ranks FROM organisations ORDER BY id").fetchall() == expected
    store.close()
