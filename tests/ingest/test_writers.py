"""One writer at a time, and no record removed that a file did not really drop: two ingests
started together, truncated re-downloads, and files of the same name from different data sets."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.backend import column, new_store_url, scalars
from tests.conftest import data_dir
from tests.ingest.test_kill import counts, environment, index_documents

pytestmark = pytest.mark.slow

FOLDERS = ("erc-funded-projects", "cordis-h2020-cleantech-subset", "structural-funds-os-data")


class Home(NamedTuple):
    """A portal's home folder (its index) and its store, of the run's backend."""

    path: Path
    url: str


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    with new_store_url(tmp_path / "home") as url:
        yield Home(tmp_path / "home", url)


def ingest(home: Home, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "euprojects", "ingest", *args]
    return subprocess.run(command, env=environment(*home), capture_output=True, text=True, timeout=600)


def start_ingest(home: Home, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "euprojects", "ingest", *args]
    return subprocess.Popen(command, env=environment(*home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def folders() -> list[str]:
    return [str(data_dir() / f) for f in FOLDERS]


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    folder = tmp_path_factory.mktemp("clean")
    with new_store_url(folder) as url:
        assert ingest(Home(folder, url), *folders()).returncode == 0
        yield counts(url)


# On PostgreSQL the writer lock is an advisory lock of the store's schema (store/postgres_lock.py).
HOLDING = (
    "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND objid = (hashtext('euprojects-writer:' || current_schema()))::oid"
)


def holding(home: Home) -> bool:
    """Whether an ingest holds the store's writer lock (on SQLite it writes who it is into the
    lock file beside the store)."""
    if home.url.startswith("sqlite:///"):
        lock = Path(home.url.removeprefix("sqlite:///") + ".lock")
        return lock.exists() and lock.stat().st_size > 0
    return scalars(home.url, {"held": HOLDING})["held"] > 0


def wait_until_holding(home: Home, process: subprocess.Popen[str]) -> None:
    """Until the first ingest holds the writer lock."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if holding(home):
            return
        time.sleep(0.02)
    raise AssertionError("the first ingest never took the lock")


@pytest.mark.parametrize("populated", [False, True], ids=["fresh store", "populated store"])
def test_two_ingests_at_once_end_with_a_clean_runs_counts(
    home: Home, clean_run: dict[str, int], populated: bool
) -> None:
    if populated:
        assert ingest(home, *folders()).returncode == 0
    # --reread: on the populated store both runs read every file again instead of skipping them
    first = start_ingest(home, "--wait", "--reread", *folders())
    wait_until_holding(home, first)
    second = ingest(home, "--wait", "--json", "--reread", *folders())
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    assert "waiting for the ingest or index rebuild running since" in second.stderr
    waited = json.loads(second.stdout)["waited"]
    assert waited["holder"] and f"PID {first.pid}" in waited["holder"]
    assert counts(home.url) == clean_run
    assert index_documents(home.path) == clean_run["listed"]


def test_a_second_ingest_without_wait_stops_and_names_the_running_one(home: Home) -> None:
    first = start_ingest(home, *folders())
    wait_until_holding(home, first)
    second = ingest(home, *folders())
    first.communicate(timeout=600)
    assert second.returncode == 1
    assert "another ingest or index rebuild is running since" in second.stderr
    assert f"PID {first.pid}" in second.stderr and "--wait" in second.stderr
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


def project_count(home: Home) -> int:
    """Listed projects: a record its file no longer holds leaves its project withdrawn, not deleted."""
    return counts(home.url)["listed"]  # on SQLite, after an integrity check


def test_a_truncated_redownload_removes_nothing_and_says_so(home: Home, tmp_path: Path, erc_starting: Path) -> None:
    assert ingest(home, str(erc_starting)).returncode == 0
    before = project_count(home)
    cut = copy_as(erc_starting, tmp_path / "erc-funded-projects" / "erc_starting.csv", size=1_500_000)
    result = ingest(home, str(cut))
    assert result.returncode == 1
    assert f"error: {cut}: nothing was removed: its last line is cut off" in result.stderr
    assert "--allow-removals" in result.stderr
    assert project_count(home) == before


def test_a_file_that_lost_many_rows_needs_allow_removals(home: Home, tmp_path: Path, erc_starting: Path) -> None:
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


def test_a_few_rows_gone_are_removed_without_asking(home: Home, tmp_path: Path, erc_starting: Path) -> None:
    assert ingest(home, str(erc_starting)).returncode == 0
    before = project_count(home)
    lines = erc_starting.read_bytes().count(b"\n")
    fewer = copy_as(erc_starting, tmp_path / "erc-funded-projects" / "erc_starting.csv", lines=lines - 20)
    result = ingest(home, "--json", str(fewer))
    assert result.returncode == 0, result.stderr
    [report] = [f for f in json.loads(result.stdout)["files"] if f["format"]]
    assert 0 < report["removed"] == before - project_count(home) <= 0.05 * before


def test_files_of_one_name_from_two_data_sets_keep_their_own_records(
    home: Home, tmp_path: Path, erc_starting: Path
) -> None:
    assert ingest(home, str(erc_starting)).returncode == 0
    before = project_count(home)
    other = copy_as(erc_starting, tmp_path / "another-capture" / "erc_starting.csv", lines=101)
    result = ingest(home, "--json", str(other))
    assert result.returncode == 0, result.stderr
    [report] = [f for f in json.loads(result.stdout)["files"] if f["format"]]
    assert (report["removed"], report["withheld"], report["unchanged"]) == (0, 0, 0)
    assert project_count(home) == before
    files = set(column(home.url, "SELECT DISTINCT file FROM fragments"))
    assert files == {"erc-funded-projects/erc_starting.csv", "another-capture/erc_starting.csv"}


def test_an_index_behind_the_store_is_reported_and_caught_up(home: Home, tmp_path: Path, erc_starting: Path) -> None:
    from euprojects import ingest as pipeline
    from euprojects.index.build import status
    from euprojects.store import open_store

    assert ingest(home, str(erc_starting)).returncode == 0
    shutil.copy(data_dir() / "erc-funded-projects" / "erc_advanced.csv", tmp_path / "erc_advanced.csv")
    # As after an ingest killed between the store's commit and the index update:
    assert ingest(home, "--no-index", str(tmp_path / "erc_advanced.csv")).returncode == 0
    stats = subprocess.run(
        [sys.executable, "-m", "euprojects", "stats", "--json"], env=environment(*home), capture_output=True, text=True
    )
    index = json.loads(stats.stdout)["index"]
    assert index["state"] == "behind" and index["pending"] == 969 and "euprojects reindex" in index["remedy"]
    store = open_store(home.url)
    report = pipeline.catch_up(store, home.path / "index")
    assert report is not None and report.mode in ("updated", "rebuilt")
    assert status(store, home.path / "index").state == "current"
    store.close()
    assert index_documents(home.path) == counts(home.url)["listed"]
