"""Statistics benchmark: euprojects' statistics of all the data and of searches, against the same
aggregates by SQL on the store, on the scaled corpus.

    .venv/bin/python bench/stats.py [--sizes 100000,1000000] [--queries 40] [--seed 1]

The corpus (store and index) is the one bench/search.py builds and keeps under bench/.cache/.
Each request computes everything the statistics page shows: totals, projects and EU contribution
by ten dimensions, participations and distinct organisations by country, organisation type, role
and region, both stacks by start year and the country pairs. Timed in-process, one at a time,
with the answer cache off ("cold") and on ("cached", what a repeated request costs).
"""

from __future__ import annotations

# ruff: noqa: E402
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path.append(sys.path.pop(0))
if str(_HERE) not in sys.path:
    sys.path.append(str(_HERE))

import argparse
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

from common import CACHE, RESULTS, load, machine, percentile, table, write_json
from search import _step, corpus_dir, ensure_real, make_queries, query_text

Filters = dict[str, list[str]]


def filters_of(query: dict[str, Any]) -> Filters:
    """A bench query's filters as the search page's parameters."""
    found: Filters = {}
    for name, value in (query.get("filters") or {}).items():
        found[name] = [f"{value[0]}..{value[1]}"] if name == "start_year" else [str(value)]
    return found


def sql_where(filters: Filters) -> tuple[str, list[Any]]:
    """The same filters in SQL over the store's projects table."""
    clauses, args = ["listed"], []
    for name, values in filters.items():
        if name == "country":
            clauses.append("EXISTS (SELECT 1 FROM participations x WHERE x.project_id = projects.id AND x.country = ?)")
            args.append(values[0])
        elif name == "start_year":
            low, high = values[0].split("..")
            clauses.append("CAST(substr(start_date, 1, 4) AS INTEGER) BETWEEN ? AND ?")
            args += [int(low), int(high)]
        else:
            clauses.append(f"{name} = ?")
            args.append(values[0])
    return " AND ".join(clauses), args


def sql_statistics(db: sqlite3.Connection, filters: Filters) -> int:
    """The page's figures that the store's columns hold, by SQL: totals, projects and EU
    contribution by source, fund, programme, period, start year and lead country, participations
    and distinct organisations by country and role. Returns the number of rows read."""
    where, args = sql_where(filters)
    db.execute("DROP TABLE IF EXISTS temp.chosen")
    db.execute("CREATE TEMP TABLE chosen (id TEXT PRIMARY KEY) WITHOUT ROWID")
    db.execute(f"INSERT INTO temp.chosen SELECT id FROM projects WHERE {where}", args)
    rows = 0
    for column in ("source", "fund", "programme", "period", "substr(start_date, 1, 4)", "lead_country"):
        rows += len(
            db.execute(
                f"SELECT {column}, COUNT(*), SUM(eu_contribution_eur) FROM projects WHERE id IN temp.chosen GROUP BY 1"
            ).fetchall()
        )
    for column in ("country", "role"):
        rows += len(
            db.execute(
                f"SELECT {column}, COUNT(*), COUNT(DISTINCT org_id), COUNT(DISTINCT project_id) FROM participations"
                f" WHERE project_id IN temp.chosen GROUP BY 1"
            ).fetchall()
        )
    rows += len(
        db.execute("SELECT COUNT(*), SUM(eu_contribution_eur) FROM projects WHERE id IN temp.chosen").fetchall()
    )
    return rows


class Timings(list[float]):
    """Wall milliseconds of each call, with the CPU milliseconds the process spent on each (all its
    threads): on a machine shared with other work, wall time waits for the cores, CPU time does not."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []

    def __add__(self, other: list[float]) -> Timings:  # type: ignore[override]
        joined = Timings()
        joined.extend([*self, *other])
        joined.cpu = self.cpu + getattr(other, "cpu", [])
        return joined


def timed(function: Callable[[], object], repeat: int) -> Timings:
    times = Timings()
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        function()
        times.append((time.perf_counter() - started) * 1000)
        times.cpu.append((time.process_time() - cpu) * 1000)
    return times


def timed_each(calls: Sequence[Callable[[], object]]) -> Timings:
    found = Timings()
    for call in calls:
        found = found + timed(call, 1)
    return found


def summary(name: str, times: Timings, baseline: float | None) -> list[object]:
    p95 = percentile(times, 0.95)
    ratio = f"{p95 / baseline:.1f}×" if baseline else "1.0×"
    return [name, len(times), f"{percentile(times, 0.5):.1f}", f"{p95:.1f}", f"{percentile(times.cpu, 0.5):.1f}", ratio]


def run(folder: Path, queries: list[dict[str, Any]], peer_runs: int) -> list[list[object]]:
    from euprojects.search import Searcher
    from euprojects.stats.compute import StatisticsEngine
    from euprojects.store import open_store

    store = open_store(f"sqlite:///{folder / 'store.db'}")
    searcher = Searcher(folder / "index", store)
    cold = StatisticsEngine(searcher, cache_size=0)
    cached = StatisticsEngine(searcher)
    with_filters = [q for q in queries if q.get("filters")]
    searches = [(query_text(q), filters_of(q)) for q in queries]
    filtered = [("", filters_of(q)) for q in with_filters]
    cold.compute("")  # warm the process: the organisation partitions' plan, the OS's page cache
    cached.compute("")  # what the portal does when it starts (StatisticsEngine.warm)
    results: dict[str, Timings] = {
        "all data, cold": timed(lambda: cold.compute(""), 10),
        "all data, cached": timed(lambda: cached.compute(""), 20),
    }
    results["filters only, cold"] = timed_each([lambda f=f: cold.compute(*f) for f in filtered])  # type: ignore[misc]
    results["filters only, no organisations"] = timed_each(
        [lambda f=f: cold.compute(*f, organisations=False) for f in filtered]  # type: ignore[misc]
    )
    results["words + 0-3 filters, cold"] = timed_each([lambda s=s: cold.compute(*s) for s in searches])  # type: ignore[misc]
    db = sqlite3.connect(folder / "store.db")
    sql_all = timed(lambda: sql_statistics(db, {}), min(2, peer_runs))
    sql_filtered = timed_each([lambda f=f: sql_statistics(db, f) for _, f in filtered[:peer_runs]])  # type: ignore[misc]
    rows = [
        summary("euprojects: all data, cold", results["all data, cold"], None),
        summary(
            "SQLite GROUP BY on the store: all data (a part of the figures)",
            sql_all,
            percentile(results["all data, cold"], 0.95),
        ),
        summary("euprojects: all data, cached", results["all data, cached"], None),
        summary("euprojects: filters only, cold", results["filters only, cold"], None),
        summary(
            "SQLite GROUP BY on the store: the same filters (a part of the figures)",
            sql_filtered,
            percentile(results["filters only, cold"], 0.95),
        ),
        summary(
            "euprojects: filters only, without distinct organisations",
            results["filters only, no organisations"],
            None,
        ),
        summary("euprojects: words + 0-3 filters, cold", results["words + 0-3 filters, cold"], None),
    ]
    store.close()
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="corpus sizes, comma-separated")
    parser.add_argument("--queries", type=int, default=40, help="searches timed (words with 0-3 filters)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peer-runs", type=int, default=10, help="filter sets the SQL peer answers (it is slow)")
    args = parser.parse_args(argv)
    log = CACHE / "build.log"
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}", flush=True)
    real = ensure_real(log)
    queries = make_queries(real, args.queries, args.seed)
    output: dict[str, Any] = {"machine": machine(), "sizes": {}}
    texts = []
    for size in (int(s.replace("_", "")) for s in args.sizes.split(",") if s):
        folder = corpus_dir(size, args.seed)
        folder.mkdir(parents=True, exist_ok=True)
        _step(folder, "store", [str(real), str(size), str(args.seed)], log)
        _step(folder, "index", [], log)
        before = load()
        rows = run(folder, queries, args.peer_runs)
        header = ["statistics of", "requests", "p50 ms", "p95 ms", "CPU p50 ms", "p95 vs euprojects"]
        text = f"### {size:,} projects (load before {before}, after {load()})\n\n" + table(header, rows)
        print("\n" + text + "\n", flush=True)
        texts.append(text)
        output["sizes"][str(size)] = {"rows": rows, "load_before": before}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_json(RESULTS / f"stats-{stamp}.json", output)
    (RESULTS / f"stats-{stamp}.md").write_text("\n\n".join(texts) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
