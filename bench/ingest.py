"""Ingest benchmark: loaders per format, a full ingest with indexing, and the biggest CSV against peers.

    .venv/bin/python bench/ingest.py [--repeat 2]

1. Every file of $EUPROJECTS_DATA (default ../shared/data) and ../shared/seeds read with its
   format's loader alone (``sources.plan`` then ``fmt.read``): rows/s per format.
2. A full ingest into a fresh SQLite store, with ``index.update``, in a child process: projects/s
   and participation rows/s including indexing, and the child's peak RSS.
3. cordis-h2020-participations-derived/h2020.csv.gz (144,726 rows) three ways, each in a child:
   our loader + store (``ingest.run`` of that file), the floor of ``csv.reader`` +
   ``sqlite3.executemany`` into a plain table, and ``sqlite-utils`` ``insert_all``.
"""

from __future__ import annotations

# ruff: noqa: E402
import sys
from pathlib import Path

# Put this folder after the standard library: other scripts here (bench/http.py) must not shadow it.
_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path.append(sys.path.pop(0))

import argparse
import csv
import gzip
import json
import shutil
import sqlite3
import time
from collections.abc import Sequence
from typing import Any

if str(_HERE) not in sys.path:
    sys.path.append(str(_HERE))

from common import (
    CACHE,
    RESULTS,
    data_dir,
    load,
    machine,
    peak_rss_mb,
    run_child,
    seeds_dir,
    table,
    write_json,
)

BIG_CSV = "cordis-h2020-participations-derived/h2020.csv.gz"
WORK = CACHE / "ingest"
TARGET_PARTICIPATIONS = 20_000
TARGET_PROJECTS = 5_000


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


# --- children: each writes its result as JSON to the path it is given ---------------------------
def child_full(out: Path) -> dict[str, Any]:
    from euprojects import ingest
    from euprojects.index import update
    from euprojects.store import open_store

    folder = _fresh(WORK / "full")
    started = time.perf_counter()
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    result = ingest.run(store, [data_dir(), seeds_dir()])
    ingested = time.perf_counter()
    indexed = update(store, folder / "index")
    finished = time.perf_counter()
    stats = store.stats()
    store.close()
    return {
        "ingest_seconds": ingested - started,
        # the resolution of organisations that ends every ingest, inside ingest_seconds
        "resolve_seconds": result.organisations.seconds if result.organisations else 0.0,
        "index_seconds": finished - ingested,
        "seconds": finished - started,
        "projects": stats.projects,
        "participations": stats.participations,
        "organisations": stats.organisations,
        "rows_read": sum(f.read for f in result.files),
        "rejects": stats.rejects,
        "failed_files": [f.path for f in result.files if f.error],
        "index_documents": indexed.documents,
    }


def child_ours(out: Path) -> dict[str, Any]:
    from euprojects import ingest
    from euprojects.store import open_store

    folder = _fresh(WORK / "ours")
    started = time.perf_counter()
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    result = ingest.run(store, [data_dir() / BIG_CSV])
    seconds = time.perf_counter() - started
    stats = store.stats()
    store.close()
    return {
        "seconds": seconds,
        "rows": sum(f.read for f in result.files),
        "projects": stats.projects,
        "participations": stats.participations,
    }


def child_floor(out: Path) -> dict[str, Any]:
    folder = _fresh(WORK / "floor")
    started = time.perf_counter()
    db = sqlite3.connect(folder / "plain.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    with gzip.open(data_dir() / BIG_CSV, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        columns = ", ".join(f'"{c}" TEXT' for c in header)
        db.execute(f"CREATE TABLE rows ({columns})")
        insert = f"INSERT INTO rows VALUES ({', '.join('?' * len(header))})"
        rows = 0
        batch: list[list[str]] = []
        for row in reader:
            batch.append(row)
            if len(batch) >= 2000:
                db.execute("BEGIN")
                db.executemany(insert, batch)
                db.execute("COMMIT")
                rows += len(batch)
                batch = []
        db.execute("BEGIN")
        db.executemany(insert, batch)
        db.execute("COMMIT")
        rows += len(batch)
    db.close()
    return {"seconds": time.perf_counter() - started, "rows": rows}


def child_sqlite_utils(out: Path) -> dict[str, Any]:
    import sqlite_utils

    folder = _fresh(WORK / "sqlite-utils")
    started = time.perf_counter()
    db = sqlite_utils.Database(folder / "utils.db")
    with gzip.open(data_dir() / BIG_CSV, "rt", encoding="utf-8", newline="") as handle:
        db["rows"].insert_all(csv.DictReader(handle), batch_size=2000)
    rows = db["rows"].count
    db.close()
    return {"seconds": time.perf_counter() - started, "rows": rows}


CHILDREN = {"full": child_full, "ours": child_ours, "floor": child_floor, "sqlite-utils": child_sqlite_utils}


def run_in_child(name: str) -> dict[str, Any]:
    out = WORK / f"{name}.json"
    out.unlink(missing_ok=True)
    WORK.mkdir(parents=True, exist_ok=True)
    run = run_child([str(Path(__file__).resolve()), f"_{name}", str(out)], WORK / "children.log")
    if run.returncode != 0:
        raise SystemExit(f"{name} failed (exit {run.returncode}); see {WORK / 'children.log'}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["wall_seconds"] = run.seconds
    result["wait4_max_rss_mb"] = run.max_rss_mb  # ru_maxrss from wait4, as a cross-check
    result["cpu_seconds"] = run.cpu_seconds  # the child's and its workers' user + system time
    return result


# --- loaders alone ------------------------------------------------------------------------------
def read_formats() -> dict[str, dict[str, Any]]:
    from euprojects.model import Reject
    from euprojects.sources import plan

    formats: dict[str, dict[str, Any]] = {}
    for item in plan([data_dir(), seeds_dir()]):
        if item.format is None:
            continue
        entry = formats.setdefault(item.format.name, {"files": 0, "rows": 0, "rejects": 0, "seconds": 0.0})
        started = time.perf_counter()
        rows = rejects = 0
        for found in item.format.read(item.path):
            rows += 1
            rejects += isinstance(found, Reject)
        entry["seconds"] += time.perf_counter() - started
        entry["files"] += 1
        entry["rows"] += rows
        entry["rejects"] += rejects
    return formats


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measurement (the best is shown)")
    args = parser.parse_args(argv)
    info = machine()
    print(f"machine: {info}", flush=True)
    output: dict[str, Any] = {"machine": info, "repeat": args.repeat}

    # Children first, while this process is small.
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in CHILDREN}
    for attempt in range(args.repeat):
        for name in CHILDREN:
            print(f"  {name} (run {attempt + 1}, load {load()}) …", flush=True)
            runs[name].append(run_in_child(name))
    output["runs"] = runs

    passes = []
    for attempt in range(args.repeat):
        print(f"  loaders alone (run {attempt + 1}, load {load()}) …", flush=True)
        passes.append(read_formats())
    formats: dict[str, dict[str, Any]] = {}
    for name in passes[0]:
        best = min((p[name] for p in passes), key=lambda e: e["seconds"])
        formats[name] = best
    output["formats"] = formats
    output["load_after"] = load()

    lines = [
        f"### Loaders alone (best of {args.repeat}; load {info['load']} before, {output['load_after']} after)",
        "",
        table(
            ["format", "files", "rows", "rejects", "seconds", "rows/s"],
            [
                [name, e["files"], e["rows"], e["rejects"], e["seconds"], e["rows"] / e["seconds"]]
                for name, e in sorted(formats.items(), key=lambda kv: -kv[1]["rows"])
            ],
        ),
        "",
    ]
    full = min(runs["full"], key=lambda r: r["seconds"])
    times = ", ".join(f"{r['seconds']:.1f}" for r in runs["full"])
    lines += [
        f"### Full ingest of all data + seeds into a fresh SQLite store, with index.update (runs: {times} s)",
        "",
        table(
            ["measure", "value"],
            [
                ["rows read (records + rejects)", full["rows_read"]],
                ["projects", full["projects"]],
                ["participations", full["participations"]],
                ["organisations", full["organisations"]],
                ["ingest seconds (read + write + merge + links + organisations)", full["ingest_seconds"]],
                ["… of which resolving organisations", full["resolve_seconds"]],
                ["index.update seconds", full["index_seconds"]],
                ["total seconds", full["seconds"]],
                ["wall seconds of the child (start to exit)", full["wall_seconds"]],
                ["CPU seconds of the child and its workers (user + system)", full["cpu_seconds"]],
                ["projects/s including indexing", full["projects"] / full["seconds"]],
                ["participation rows/s including indexing", full["participations"] / full["seconds"]],
                ["rows read/s including indexing", full["rows_read"] / full["seconds"]],
                ["peak RSS MB (child)", full["peak_rss_mb"]],
            ],
        ),
        "",
        f"- targets: ≥ {TARGET_PROJECTS:,} projects/s including indexing:"
        f" {'met' if full['projects'] / full['seconds'] >= TARGET_PROJECTS else 'MISSED'};"
        f" ≥ {TARGET_PARTICIPATIONS:,} participation rows/s:"
        f" {'met' if full['participations'] / full['seconds'] >= TARGET_PARTICIPATIONS else 'MISSED'}",
        "",
    ]
    ours = min(runs["ours"], key=lambda r: r["seconds"])
    rows = []
    for name, label in (
        ("ours", "euprojects loader + store (ingest.run, merge included)"),
        ("floor", "csv.reader + sqlite3.executemany (plain table)"),
        ("sqlite-utils", "sqlite-utils insert_all (library)"),
    ):
        best = min(runs[name], key=lambda r: r["seconds"])
        spread = "/".join(f"{r['seconds']:.2f}" for r in runs[name])
        rows.append(
            [label, best["rows"], best["seconds"], spread, best["rows"] / best["seconds"],
             f"{ours['seconds'] / best['seconds']:.1f}×", round(best["peak_rss_mb"])]
        )  # fmt: skip
    lines += [
        f"### {BIG_CSV}",
        "",
        table(["way", "rows", "best s", "runs s", "rows/s", "euprojects time ÷ this", "peak RSS MB"], rows),
        "",
        f"- euprojects stored {ours['projects']:,} projects and {ours['participations']:,} participations"
        f" from it; target ≥ {TARGET_PARTICIPATIONS:,} participation rows/s:"
        f" {'met' if ours['rows'] / ours['seconds'] >= TARGET_PARTICIPATIONS else 'MISSED'}",
    ]
    text = "\n".join(lines)
    print("\n" + text + "\n")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    write_json(RESULTS / f"ingest-{stamp}.json", output)
    (RESULTS / f"ingest-{stamp}.md").write_text(text + "\n", encoding="utf-8")
    print(f"results: {RESULTS / f'ingest-{stamp}.md'}")


def _child(name: str, out: str) -> None:
    result = CHILDREN[name](Path(out))
    result["peak_rss_mb"] = peak_rss_mb()
    Path(out).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        _child(sys.argv[1][1:], sys.argv[2])
    else:
        main()
