#!/usr/bin/env python3
"""The full ingest of two commits side by side: is a change slower?

    .venv/bin/python bench/commits.py OLD NEW [OLD NEW ...] [--repeat 3] [--data DIR]

Each commit is checked out once into its own worktree (bench/.cache/commits/<sha>) and run from
this venv with its own ``src`` first on the path, so both sides use the same Python, SQLite,
Tantivy and parsers' versions. A run is one child process that makes a fresh SQLite store, runs
``ingest.run`` over the data folder and ``../shared/seeds``, then ``index.update`` — the whole
job of ``euprojects ingest``. Runs are interleaved (old, new, old, new, …) so that a change in the
machine's load falls on both sides. Wall seconds and CPU seconds (the child and the worker
processes it reaped, from ``wait4``) are printed per run, then the medians and new ÷ old.

Commits older than the redesign cannot read every data set of ../shared/data: give ``--data`` a
folder of symlinks to the readable ones (a real folder, as old code does not walk into a
symlinked one) so that both sides read the same files.
"""

from __future__ import annotations

# ruff: noqa: E402
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path.append(sys.path.pop(0))

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from typing import Any

if str(_HERE) not in sys.path:
    sys.path.append(str(_HERE))

from common import CACHE, RESULTS, data_dir, load, machine, seeds_dir, table

REPOSITORY = _HERE.parent
TREES = CACHE / "commits"

# The child: the whole ingest as the command line runs it, timed inside; the same code works on
# every commit since ingest.run and index.update were named (before the ingest/ package too).
CHILD = """
import json, sys, time
from pathlib import Path

def main():
    from euprojects import ingest
    from euprojects.index import update
    from euprojects.store import open_store

    folder = Path(sys.argv[1])
    started = time.perf_counter()
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    ingest.run(store, [Path(p) for p in sys.argv[3:]])
    ingested = time.perf_counter()
    update(store, folder / "index")
    finished = time.perf_counter()
    stats = store.stats()
    store.close()
    Path(sys.argv[2]).write_text(json.dumps({
        "ingest_s": ingested - started, "index_s": finished - ingested,
        "projects": stats.projects, "participations": stats.participations,
    }))

if __name__ == "__main__":
    main()
"""


def tree(commit: str) -> Path:
    """A worktree of this commit, made once."""
    sha = subprocess.run(
        ["git", "-C", str(REPOSITORY), "rev-parse", commit], check=True, capture_output=True, text=True
    ).stdout.strip()
    folder = TREES / sha[:12]
    if not (folder / "src").exists():
        TREES.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "-C", str(REPOSITORY), "worktree", "add", "--force", "--detach", str(folder), sha],
            check=True,
            capture_output=True,
        )
    return folder


def run_once(folder: Path, data: Path) -> dict[str, Any]:
    """One full ingest by the code in ``folder``: its figures, wall and CPU seconds."""
    with tempfile.TemporaryDirectory(prefix="eup-commit-") as work:
        out = Path(work) / "result.json"
        script = Path(work) / "child.py"
        script.write_text(CHILD, encoding="utf-8")
        env = os.environ | {"PYTHONPATH": str(folder / "src"), "EUPROJECTS_DATA": str(data)}
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, str(script), work, str(out), str(data), str(seeds_dir())],
            env=env,
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        if status != 0 or not out.exists():
            error = child.stderr.read().decode(errors="replace")[-2000:] if child.stderr else ""
            raise SystemExit(f"{folder.name}: the ingest failed:\n{error}")
        result: dict[str, Any] = json.loads(out.read_text())
    return result | {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "load": load()}


def compare(old: str, new: str, data: Path, repeat: int) -> tuple[list[list[Any]], list[Any]]:
    """Interleaved runs of two commits; rows per run and one summary row."""
    trees = {old: tree(old), new: tree(new)}
    runs: dict[str, list[dict[str, Any]]] = {old: [], new: []}
    rows = []
    for number in range(1, repeat + 1):
        for commit in (old, new):
            result = run_once(trees[commit], data)
            runs[commit].append(result)
            rows.append(
                [
                    f"{commit} #{number}",
                    f"{result['wall_s']:.1f}",
                    f"{result['cpu_s']:.1f}",
                    f"{result['ingest_s']:.1f}",
                    f"{result['index_s']:.1f}",
                    f"{result['projects']:,}",
                    f"{result['participations']:,}",
                    result["load"],
                ]
            )
            print(" | ".join(str(x) for x in rows[-1]), flush=True)

    def median(commit: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[commit])

    summary = [
        f"{old} → {new}",
        f"{median(old, 'wall_s'):.1f} → {median(new, 'wall_s'):.1f}",
        f"{median(new, 'wall_s') / median(old, 'wall_s'):.2f}×",
        f"{median(old, 'cpu_s'):.1f} → {median(new, 'cpu_s'):.1f}",
        f"{median(new, 'cpu_s') / median(old, 'cpu_s'):.2f}×",
        f"{min(r['cpu_s'] for r in runs[old]):.1f}–{max(r['cpu_s'] for r in runs[old]):.1f} / "
        f"{min(r['cpu_s'] for r in runs[new]):.1f}–{max(r['cpu_s'] for r in runs[new]):.1f}",
    ]
    return rows, summary


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("commits", nargs="+", help="pairs of commits: OLD NEW [OLD NEW …]")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each commit, interleaved")
    parser.add_argument("--data", type=Path, default=None, help="data folder (default $EUPROJECTS_DATA)")
    args = parser.parse_args(argv)
    if len(args.commits) % 2:
        parser.error("commits come in pairs: OLD NEW")
    data = (args.data or data_dir()).resolve()
    print(f"machine: {machine()}\ndata: {data}", flush=True)
    heads = ["run", "wall s", "CPU s", "ingest s", "index s", "projects", "participations", "load after"]
    all_rows, summaries = [], []
    for old, new in zip(args.commits[::2], args.commits[1::2], strict=True):
        rows, summary = compare(old, new, data, args.repeat)
        all_rows += rows
        summaries.append(summary)
    text = "\n\n".join(
        [
            table(heads, all_rows),
            table(
                [
                    "old → new",
                    "wall s (median)",
                    "wall new ÷ old",
                    "CPU s (median)",
                    "CPU new ÷ old",
                    "CPU range old / new",
                ],
                summaries,
            ),
        ]
    )
    print("\n" + text, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"commits-{time.strftime('%Y%m%d-%H%M%S')}.md"
    out.write_text(text + "\n", encoding="utf-8")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
