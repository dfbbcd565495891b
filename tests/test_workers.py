"""The one way stages run over worker processes: every result arrives, little waits in memory,
a failing task is named, and a consumer that stops leaves no worker behind."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from euprojects.workers import IN_FLIGHT, StageFailed, stream


def squares(task: int) -> Iterator[int]:
    for n in range(task):
        yield n * n


def logged(task: tuple[str, int]) -> Iterator[int]:
    """Results that leave a line in a file as they are produced."""
    path, count = task
    for n in range(count):
        with open(path, "a") as handle:
            handle.write(f"{n}\n")
        yield n


def failing(task: int) -> Iterator[int]:
    yield task
    if task == 2:
        raise ValueError("no such column 'acronym'")


@pytest.mark.parametrize("parallel", [False, True], ids=["in process", "in workers"])
def test_every_result_of_every_task_arrives_with_its_task_number(parallel: bool) -> None:
    results = list(stream([3, 0, 5, 4], squares, workers=2, parallel=parallel))
    assert sorted(results) == sorted((number, n * n) for number, task in enumerate([3, 0, 5, 4]) for n in range(task))


def test_workers_wait_for_a_slow_consumer_instead_of_piling_results_up(tmp_path: Path) -> None:
    logs = [str(tmp_path / "a"), str(tmp_path / "b")]
    results = stream([(logs[0], 1000), (logs[1], 1000)], logged, workers=2, parallel=True)
    next(results)
    time.sleep(1.0)  # room for the workers to run ahead as far as they can
    produced = sum(len(Path(log).read_text().splitlines()) for log in logs if Path(log).exists())
    assert produced <= IN_FLIGHT * 2 + 2 + 1  # the queue, one blocked result per worker, the one read
    assert len(list(results)) == 1999


@pytest.mark.parametrize("parallel", [False, True], ids=["in process", "in workers"])
def test_a_failing_task_stops_the_stage_with_its_error(parallel: bool) -> None:
    with pytest.raises((StageFailed, ValueError), match="no such column 'acronym'"):
        list(stream([0, 1, 2, 3], failing, workers=2, parallel=parallel))


def test_a_consumer_that_stops_early_leaves_no_worker_behind(tmp_path: Path) -> None:
    results = stream([(str(tmp_path / "a"), 100_000), (str(tmp_path / "b"), 100_000)], logged, workers=2, parallel=True)
    next(results)
    results.close()
    deadline = time.monotonic() + 15
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert multiprocessing.active_children() == []
