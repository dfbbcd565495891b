"""Serving while an ingest writes never shows half a file: another node's index sync, a node
that builds its index from the store and the feed of changes see nothing of a run until it ends;
then they see all of it. On the run's backend (tests/backend.py)."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from euprojects.index.build import rebuild, status, update
from euprojects.store import Store, open_store
from tests.backend import column, new_store_url, scalars
from tests.conftest import data_dir
from tests.ingest.test_kill import environment, index_documents, ingest_command, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.both_backends]

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LISTED = {"listed": "SELECT COUNT(*) FROM projects WHERE listed = 1"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Store, str]]:
    with new_store_url(tmp_path / "ingesting") as url:
        opened = open_store(url)
        yield opened, url
        opened.close()


def test_a_paused_ingest_shows_nothing_of_its_run_until_it_ends(tmp_path: Path, store: tuple[Store, str]) -> None:
    opened, url = store
    ingesting = tmp_path / "ingesting"
    erc = [sys.executable, "-m", "euprojects", "ingest", str(data_dir() / "erc-funded-projects")]
    assert subprocess.run(erc, env=environment(ingesting, url), check=False).returncode == 0
    published = scalars(url, LISTED)["listed"]
    logged = {change.project_id for change in opened.changed_since(EPOCH, 100_000)}
    serving = tmp_path / "serving" / "index"
    assert update(opened, serving).documents == published  # a new node builds its index

    process = subprocess.Popen(
        ingest_command(), env=environment(ingesting, url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(url, "SELECT COUNT(*) FROM projects", published + 2_000, process)
        process.send_signal(signal.SIGSTOP)  # the run holds thousands of new projects, and goes on later
        assert scalars(url, LISTED)["listed"] > published
        assert update(opened, serving).mode == "current"
        assert index_documents(serving.parent) == published
        assert rebuild(opened, tmp_path / "fresh" / "index").documents == published
        assert {change.project_id for change in opened.changed_since(EPOCH, 100_000)} == logged
    finally:
        process.send_signal(signal.SIGCONT)
    assert process.wait(timeout=600) == 0
    everything = scalars(url, LISTED)["listed"]
    assert update(opened, serving).mode in ("updated", "rebuilt")  # rebuilt: more changes than documents
    assert index_documents(serving.parent) == everything
    assert status(opened, serving).state == "current"
    # and the feed of changes lists every project the run brought, those whose partners were
    # matched to known organisations afterwards (a change for the index alone) included
    listed = set(column(url, "SELECT id FROM projects WHERE listed = 1"))
    assert listed <= {change.project_id for change in opened.changed_since(EPOCH, 100_000)}


def test_a_killed_run_stays_hidden_until_a_run_completes_it(tmp_path: Path, store: tuple[Store, str]) -> None:
    opened, url = store
    ingesting = tmp_path / "ingesting"
    serving = tmp_path / "serving" / "index"
    update(opened, serving)
    process = subprocess.Popen(
        ingest_command(), env=environment(ingesting, url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(url, "SELECT COUNT(*) FROM projects", 2_000, process)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert update(opened, serving).mode == "current" and index_documents(serving.parent) == 0
    assert opened.changed_since(EPOCH, 100) == []
    rerun = subprocess.run(ingest_command(), env=environment(ingesting, url), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    update(opened, serving)
    assert index_documents(serving.parent) == scalars(url, LISTED)["listed"] > 30_000
