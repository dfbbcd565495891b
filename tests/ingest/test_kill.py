"""An ingest killed with SIGKILL half-way leaves a consistent store, and re-running it ends
with exactly the counts of a clean run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backend import new_store_url, scalars
from tests.conftest import data_dir

pytestmark = pytest.mark.slow

FOLDERS = ("cordis-h2020-participations-derived", "cordis-h2020-cleantech-subset", "cordis-fp7-samples")
COUNTS = {
    "projects": "SELECT COUNT(*) FROM projects",
    "listed": "SELECT COUNT(*) FROM projects WHERE listed = 1",
    "participations": "SELECT COUNT(*) FROM participations",
    "organisations": "SELECT COUNT(*) FROM organisations",
    "fragments": "SELECT COUNT(*) FROM fragments",
    "aliases": "SELECT COUNT(*) FROM aliases",
    "rejects": "SELECT COUNT(*) FROM rejects",
    "dirty": "SELECT COUNT(*) FROM dirty",
    "projects checksum": "SELECT SUM(LENGTH(data)) FROM projects",
}


def environment(home: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EUPROJECTS_")}
    return {**env, "EUPROJECTS_HOME": str(home), "EUPROJECTS_DATABASE_URL": url}


def ingest_command() -> list[str]:
    return [sys.executable, "-m", "euprojects", "ingest", *(str(data_dir() / f) for f in FOLDERS)]


def counts(url: str) -> dict[str, int]:
    return scalars(url, COUNTS)


def index_documents(home: Path) -> int:
    from euprojects.index import open_index

    index = open_index(home / "index")
    assert index is not None
    return int(index.searcher().num_docs)


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    home = tmp_path_factory.mktemp("clean")
    with new_store_url(home) as url:
        subprocess.run(ingest_command(), env=environment(home, url), check=True, capture_output=True)
        result = counts(url)
        assert result["dirty"] == 0 and result["projects"] > 30_000
        assert index_documents(home) == result["listed"]
        yield result


@pytest.fixture
def killed(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """The home and store of the ingest a test interrupts."""
    with new_store_url(tmp_path / "killed") as url:
        yield tmp_path / "killed", url


def wait_for(url: str, sql: str, threshold: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the ingest finished before it could be killed"
        try:
            if scalars(url, {"value": sql})["value"] >= threshold:
                return
        except Exception:  # not created yet, or busy, on either backend
            pass
        time.sleep(0.05)
    raise AssertionError("the ingest never reached the point to kill it at")


def workers_of(home: Path) -> list[int]:
    """Processes started for the ingest in ``home``: its environment names that home."""
    marker = f"EUPROJECTS_HOME={home}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


def assert_workers_exit(home: Path) -> None:
    """The worker processes of a killed ingest notice and exit instead of waiting forever."""
    deadline = time.monotonic() + 15
    while workers_of(home) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers_of(home) == [], "worker processes outlived the killed ingest"


@pytest.mark.parametrize(
    ("moment", "sql", "threshold"),
    [
        ("while reading a file", "SELECT COUNT(*) FROM fragments", 5_000),
        ("while merging projects", "SELECT COUNT(*) FROM projects", 2_000),
    ],
)
def test_sigkill_then_rerun_matches_a_clean_run(
    killed: tuple[Path, str], clean_run: dict[str, int], moment: str, sql: str, threshold: int
) -> None:
    home, url = killed
    process = subprocess.Popen(
        ingest_command(), env=environment(home, url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(url, sql, threshold, process)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert_workers_exit(home)
    half = counts(url)  # the store is consistent (integrity check) and readable
    assert half["fragments"] <= clean_run["fragments"]
    rerun = subprocess.run(ingest_command(), env=environment(home, url), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert counts(url) == clean_run, moment
    assert index_documents(home) == clean_run["listed"]


def test_ctrl_c_stops_the_ingest_at_once_and_a_rerun_matches_a_clean_run(
    killed: tuple[Path, str], clean_run: dict[str, int]
) -> None:
    """SIGINT to the ingest alone (as a supervisor sends it): its readers stop instead of waiting
    on a queue nobody reads, and it ends with a one-line message."""
    home, url = killed
    process = subprocess.Popen(
        ingest_command(),
        env=environment(home, url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        # Whatever this test run inherited (`nohup … &` ignores SIGINT), the ingest takes Ctrl-C
        # as a terminal gives it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.default_int_handler),
    )
    try:
        wait_for(url, "SELECT COUNT(*) FROM fragments", 5_000, process)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 1
    assert "Traceback" not in stderr.decode() and "Aborted!" in stderr.decode()
    assert_workers_exit(home)
    counts(url)  # consistent
    rerun = subprocess.run(ingest_command(), env=environment(home, url), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert counts(url) == clean_run
