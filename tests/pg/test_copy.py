"""`euprojects copy` moves a whole store between SQLite and PostgreSQL, verified table by table;
`euprojects migrate` brings either backend's schema up to date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from euprojects.cli import main
from euprojects.store import open_store
from euprojects.store.copy import TABLES, checksum
from tests.pg.conftest import Backend
from tests.postgres import fresh_schema

pytestmark = pytest.mark.postgres


def test_a_store_goes_to_sqlite_and_back_to_postgresql_intact(
    small: dict[str, Backend], postgres_server: str, tmp_path: Path
) -> None:
    source = small["postgresql"]
    copied = f"sqlite:///{tmp_path / 'copied.db'}"
    result = CliRunner().invoke(main, ["copy", source.url, copied])
    assert result.exit_code == 0, result.output
    assert "copied and verified 16 tables" in result.output
    with fresh_schema(postgres_server, "back") as back:
        again = CliRunner().invoke(main, ["copy", copied, back])
        assert again.exit_code == 0, again.output
        there, returned = open_store(copied), open_store(back)
        for table in TABLES:
            columns = source.store.table_columns(table)
            assert checksum(returned, table, columns) == checksum(source.store, table, columns), table
        assert checksum(there, "projects", columns := there.table_columns("projects"))[0] > 2500
        assert checksum(there, "projects", columns) == checksum(source.store, "projects", columns)
        assert there.stats().projects == source.store.stats().projects
        # the copy goes on where the original left off: new runs and numbers do not collide
        assert returned.begin_run(dt.datetime.now(dt.UTC)) > max(
            r for (r,) in next(source.store.table_rows("ingest_runs", ["id"]))
        )
        there.close()
        returned.close()


def test_a_copy_into_a_store_that_holds_records_stops(small: dict[str, Backend]) -> None:
    result = CliRunner().invoke(main, ["copy", small["sqlite"].url, small["postgresql"].url])
    assert result.exit_code == 1
    assert result.output.startswith("Error: the destination fragments table holds")
    assert len(result.output.strip().splitlines()) == 1


def test_migrate_on_postgresql(postgres_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EUPROJECTS_HOME", str(tmp_path))
    with fresh_schema(postgres_server, "migrate") as url:
        monkeypatch.setenv("EUPROJECTS_DATABASE_URL", url)
        first = CliRunner().invoke(main, ["migrate"])
        assert first.exit_code == 0 and first.output.strip() == "applied: 0001_initial.sql", first.output
        second = CliRunner().invoke(main, ["migrate"])
        assert second.output.strip() == "the store is up to date"


def test_an_unreachable_server_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EUPROJECTS_HOME", str(tmp_path))
    monkeypatch.setenv("EUPROJECTS_DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=1")
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot open the store postgresql://nobody@127.0.0.1:1/none")
    assert "secret" not in result.output and len(result.output.strip().splitlines()) == 1
