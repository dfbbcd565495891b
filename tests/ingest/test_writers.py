"""One writer at a time, and no record removed that a file did not really drop: two ingests
started together, truncated re-downloads, and files of the same name from different data sets."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import data_dir
from tests.ingest.test_kill import counts, environment, index_documents

pytestmark = pytest.mark.slow

FOLDERS = ("erc-funded-projects", "cordis-h2020-cleantech-subset", "structural-funds-os-data")


def ingest(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "euprojects", "ingest", *args]
    return subprocess.run(command, env=environment(home), capture_output=True, text=True, timeout=600)


def start_ingest(home: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "euprojects", "ingest", *args]
    return subprocess.Popen(command, env=environment(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def folders() -> list[str]:
    return [str(data_dir() / f) for f in FOLDERS]


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    home = tmp_path_factory.mktemp("clean")
    assert ingest(home, *folders()).returncode == 0
    return counts(home)


def wait_until_holding(home: Path, process: subprocess.Popen[str]) -> None:
    """Until the first ingest holds the writer lock (it writes who it is into the lock file)."""
    lock = home / "euprojects.db.lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if lock.exists() and lock.stat().st_size > 0:
            return
        time.sleep(0.02)
    raise AssertionError("the first ingest never took the lock")


@pytest.mark.parametrize("populated", [False, True], ids=["fresh store", "populated store"])
def test_two_ingests_at_once_end_with_a_clean_runs_counts(
    tmp_path: Path, clean_run: dict[str, int], populated: bool
) -> None:
    if populated:
        assert ingest(tmp_path, *folders()).returncode == 0
    # --reread: on the populated store both runs read every file again instead of skipping them
    first = start_ingest(tmp_path, "--wait", "--reread", *folders())
    wait_until_holding(tmp_path, first)
    second = ingest(tmp_path, "--wait", "--json", "--reread", *folders())
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    assert "waiting for the ingest or index rebuild running since" in second.stderr
    waited = json.loads(second.stdout)["waited"]
    assert waited["holder"] and f"PID {first.pid}" in waited["holder"]
    assert counts(tmp_path) == clean_run
    assert index_documents(tmp_path) == clean_run["listed"]


def test_a_second_ingest_without_wait_stops_and_names_the_running_one(tmp_path: Path) -> None:
    first = start_ingest(tmp_path, *folders())
    wait_until_holding(tmp_path, first)
    second = ingest(tmp_path, *folders())
    first.communicate(timeout=600)
    assert second.returncode == 1
    assert "another ingest or index rebuild is running since" in second.stderr
    assert f"started by PID {first.pid}" in second.stderr and "--wait" in second.stderr
    assert "Traceback" not in second.stderr


@pytest.fixture
def erc_starting() -> Path:
    return data_dir() / "erc-funded-projects" / "erc_starting.csv"


def copy_as(source: Path, target: Path, lines: int | None = None, size: int | None = None) -> Path:
    """A copy of a real file in a folder of the same data set's name, whole or cut short."""
    target.parent.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    if lines is not None:
        data = b"".join(data.splitlines(keepends=True)[:lines])
    if size is not None:
        data = data[:size]
    target.write_bytes(data)
    return target


def project_count(home: Path) -> int:
    """Listed projects: a record its file no longer holds leaves its project withdrawn, not deleted."""
    counts(home)  # checks the store's integrity
    db = sqlite3.connect(home / "euprojects.db")
    try:
        return int(db.execute("SELECT COUNT(*) FROM projects WHERE listed").fetchone()[0])
    finally:
        db.close()


def test_a_truncated_redownload_removes_nothing_and_says_so(tmp_path: Path, erc_starting: Path) -> None:
    home = tmp_path / "home"
    assert ingest(home, str(erc_starting)).returncode == 0
    before = project_count(home)
    cut = copy_as(erc_starting, tmp_path / "erc-funded-projects" / "erc_starting.csv", size=1_500_000)
    result = ingest(home, str(cut))
    assert result.returncode == 1
    assert f"error: {cut}: nothing was removed: its last line is cut off" in result.stderr
    assert "--allow-removals" in result.stderr
    assert project_count(home) == before


def test_a_file_that_lost_many_rows_needs_allow_removals(tmp_path: Path, erc_starting: Path) -> None:
    home = tmp_path / "home"
    assert ingest(home, str(erc_starting)).returncode == 0
    before = project_count(home)
    shorter = copy_as(erc_starting, tmp_path / "erc-funded-projects" / "erc_starting.csv", lines=1001)
    refused = ingest(home, "--json", str(shorter))
    assert refused.returncode == 1
    [report] = [f for f in json.loads(refused.stdout)["files"] if f["format"]]
    kept = report["unchanged"]
    assert report["removed"] == 0 and report["withheld"] == before - kept > 0.05 * before
    assert project_count(home) == before
    allowed = ingest(home, "--json", "--allow-removals", str(shorter))
    assert allowed.returncode == 0
    [report] = [f for f in json.loads(allowed.stdout)["files"] if f["format"]]
    assert report["removed"] == before - kept
    assert project_count(home) == kept


def test_a_few_rows_gone_are_removed_without_asking(tmp_path: Path, erc_starting: Path) -> None:
    home = tmp_path / "home"
    assert ingest(home, str(erc_starting)).returncode == 0
    before = project_count(home)
    lines = erc_starting.read_bytes().count(b"\n")
    fewer = copy_as(erc_starting, tmp_path / "erc-funded-projects" / "erc_starting.csv", lines=lines - 20)
    result = ingest(home, "--json", str(fewer))
    assert result.returncode == 0, result.stderr
    [report] = [f for f in json.loads(result.stdout)["files"] if f["format"]]
    assert 0 < report["removed"] == before - project_count(home) <= 0.05 * before


def test_files_of_one_name_from_two_data_sets_keep_their_own_records(tmp_path: Path, erc_starting: Path) -> None:
    home = tmp_path / "home"
    assert ingest(home, str(erc_starting)).returncode == 0
    before = project_count(home)
    other = copy_as(erc_starting, tmp_path / "another-capture" / "erc_starting.csv", lines=101)
    result = ingest(home, "--json", str(other))
    assert result.returncode == 0, result.stderr
    [report] = [f for f in json.loads(result.stdout)["files"] if f["format"]]
    assert (report["removed"], report["withheld"], report["unchanged"]) == (0, 0, 0)
    assert project_count(home) == before
    db = sqlite3.connect(home / "euprojects.db")
    files = {row[0] for row in db.execute("SELECT DISTINCT file FROM fragments")}
    db.close()
    assert files == {"erc-funded-projects/erc_starting.csv", "another-capture/erc_starting.csv"}


def test_an_index_behind_the_store_is_reported_and_caught_up(tmp_path: Path, erc_starting: Path) -> None:
    from euprojects import ingest as pipeline
    from euprojects.index.build import status
    from euprojects.store import open_store

    home = tmp_path / "home"
    assert ingest(home, str(erc_starting)).returncode == 0
    shutil.copy(data_dir() / "erc-funded-projects" / "erc_advanced.csv", tmp_path / "erc_advanced.csv")
    # As after an ingest killed between the store's commit and the index update:
    assert ingest(home, "--no-index", str(tmp_path / "erc_advanced.csv")).returncode == 0
    stats = subprocess.run(
        [sys.executable, "-m", "euprojects", "stats", "--json"], env=environment(home), capture_output=True, text=True
    )
    index = json.loads(stats.stdout)["index"]
    assert index["state"] == "behind" and index["pending"] == 969 and "euprojects reindex" in index["remedy"]
    store = open_store(f"sqlite:///{home / 'euprojects.db'}")
    report = pipeline.catch_up(store, home / "index")
    assert report is not None and report.mode in ("updated", "rebuilt")
    assert status(store, home / "index").state == "current"
    store.close()
    assert index_documents(home) == counts(home)["listed"]
