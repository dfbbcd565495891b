"""Two ingests of one file at once on PostgreSQL: one waits for the other's advisory lock, and
the file's records are stored once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from euprojects.store import open_store
from tests.conftest import data_dir
from tests.pg.nodes import node
from tests.postgres import fresh_schema

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
LIST = "interreg-north-sea-projects-2025/interreg_projects_20250826_211501.csv"


def test_two_ingests_of_one_file_at_once_store_it_once(postgres_server: str, tmp_path: Path) -> None:
    rows = len((data_dir() / LIST).read_text(encoding="utf-8").splitlines()) - 1
    with fresh_schema(postgres_server, "twice") as url:
        nodes = [node(tmp_path / name, url) for name in ("one", "two")]
        command = [sys.executable, "-m", "euprojects", "ingest", "--wait", "--no-embed", str(data_dir() / LIST)]
        runs = [subprocess.Popen(command, env=n.env, cwd=n.home, stderr=subprocess.PIPE, text=True) for n in nodes]
        errors = [run.communicate(timeout=300)[1] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], errors
        store = open_store(url)
        stats = store.stats()
        assert stats.fragments == rows and stats.projects == rows
        assert len(set(store.project_ids())) == rows
        store.close()


def test_a_second_writer_is_told_who_holds_the_lock(postgres_server: str, tmp_path: Path) -> None:
    with fresh_schema(postgres_server, "busy") as url:
        store = open_store(url)
        with store.writer_lock():
            result = node(tmp_path, url).run("reindex")
        assert result.returncode == 1
        assert "another ingest or index rebuild is running since" in result.stderr
        assert "euprojects PID" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        store.close()
