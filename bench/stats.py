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
from concurrent.futures import ThreadPoolExecutor
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


def summary(name: str, times: Timings, floor: Timings | None) -> list[object]:
    """A table row: wall p50 and p95, CPU p50 and p95, and both p95 over the floor's for the same
    requests (on a shared machine a burst of load can land on either side; CPU time does not wait)."""
    p95, cpu = percentile(times, 0.95), percentile(times.cpu, 0.95)
    return [
        name,
        len(times),
        f"{percentile(times, 0.5):.1f}",
        f"{p95:.1f}",
        f"{percentile(times.cpu, 0.5):.1f}",
        f"{cpu:.1f}",
        f"{p95 / percentile(floor, 0.95):.2f}×" if floor else "–",
        f"{cpu / percentile(floor.cpu, 0.95):.2f}×" if floor else "–",
    ]


Prepared = tuple[Any, Any, list[dict[str, Any]]]  # tantivy.Searcher, tantivy.Query, organisation requests


class Floor:
    """Bare Tantivy: the aggregations ``StatisticsEngine`` asks for, the very JSON it builds, run by
    ``searcher.aggregate`` on the query it compiles (compiled before timing), on the same cores
    and arranged as the engine arranges them (the project and partner aggregations on two threads
    while the organisation groups run in turn), with nothing done to their answers: no count of
    matches, no query planning (which includes the engine's choice of one organisation pass or
    one per group), no assembling of figures."""

    def __init__(self, engine: Any) -> None:
        from euprojects.stats.compute import partner_request, project_request

        self.engine = engine
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="floor")
        self.projects, self.partners = project_request(), partner_request()

    def prepare(self, query: str, filters: Filters) -> Prepared:
        from euprojects.search import SearchRequest

        searcher, match, _, _ = self.engine.searcher.match_query(
            SearchRequest(query=query, filters=filters, facets=(), limit=0)
        )
        return searcher, match, self.engine.organisation_requests(searcher, match)

    def aggregate(self, prepared: Prepared, organisations: bool = True) -> dict[str, Any]:
        searcher, match, groups = prepared
        projects = self.pool.submit(searcher.aggregate, match, self.projects)
        partners = self.pool.submit(searcher.aggregate, match, self.partners)
        orgs = [searcher.aggregate(match, group) for group in groups] if organisations else []
        return {"projects": projects.result(), "partners": partners.result(), "orgs": orgs}


def disagreements(stats: Any, raw: dict[str, Any]) -> list[str]:
    """Where the engine's figures differ from what the floor's raw aggregations say (outside timing):
    projects and EU contribution per dimension, participations, distinct organisations in all
    and by country."""
    from euprojects.stats.compute import DIMENSIONS
    from euprojects.stats.document import SEPARATOR

    found = []

    def key(bucket: dict[str, Any]) -> str:
        value = bucket["key"]
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)

    for name, dimension in DIMENSIONS.items():
        if not dimension.index:
            continue
        buckets = raw["projects"][f"by:{name}"]["buckets"]
        floor = {key(b): b["doc_count"] for b in buckets if not (name == "nuts" and len(key(b)) < 3)}
        ours = {row.value: row.projects for row in stats.by[name] if row.projects is not None}
        if floor != ours:
            found.append(f"projects by {name}")
    if round(raw["projects"]["eu"]["value"] or 0.0, 2) != stats.totals.eu_contribution_eur:
        found.append("EU contribution")
    roles = [b for b in raw["partners"]["participations"]["buckets"] if str(b["key"]).startswith("r" + SEPARATOR)]
    if sum(b["doc_count"] for b in roles) != stats.totals.participations:
        found.append("participations")
    if raw["orgs"]:
        keys = [str(b["key"]).split(SEPARATOR, 3) for group in raw["orgs"] for b in group["orgs"]["buckets"]]
        if len({org for *_, org in keys}) != stats.totals.organisations:
            found.append("organisations in all")
        by_country: dict[str, int] = {}
        for _, letter, value, _ in keys:
            if letter == "c":
                by_country[value] = by_country.get(value, 0) + 1
        ours = {r.value: r.organisations for r in stats.by["country"] if r.organisations}
        if by_country != ours:
            found.append("organisations by country")
    return found


def check(engine: Any, floor: Floor, requests: Sequence[tuple[str, Filters]]) -> int:
    """The engine and the floor agree on these requests' figures, or the benchmark stops."""
    for query, filters in requests:
        wrong = disagreements(engine.compute(query, filters), floor.aggregate(floor.prepare(query, filters)))
        if wrong:
            raise SystemExit(f"euprojects and the floor disagree on {query!r} {filters}: {', '.join(wrong)}")
    return len(requests)


def side_by_side(
    engine: Callable[[str, Filters], object],
    floor: Callable[[Prepared], object],
    prepared: list[tuple[str, Filters, Prepared]],
) -> tuple[Timings, Timings]:
    """Each request by euprojects, then by the floor, in turn: both see the same load."""
    ours, bare = Timings(), Timings()
    for query, filters, ready in prepared:
        ours = ours + timed(lambda q=query, f=filters: engine(q, f), 1)  # type: ignore[misc]
        bare = bare + timed(lambda r=ready: floor(r), 1)  # type: ignore[misc]
    return ours, bare


def run(folder: Path, queries: list[dict[str, Any]], peer_runs: int) -> tuple[list[list[object]], int]:
    from euprojects.search import Searcher
    from euprojects.stats.compute import StatisticsEngine
    from euprojects.store import open_store

    store = open_store(f"sqlite:///{folder / 'store.db'}")
    searcher = Searcher(folder / "index", store)
    cold = StatisticsEngine(searcher, cache_size=0)
    cached = StatisticsEngine(searcher)
    floor = Floor(cold)
    searches = [(query_text(q), filters_of(q)) for q in queries]
    filtered = [("", filters_of(q)) for q in queries if q.get("filters")]
    cold.compute("")  # warm the process: the organisation groups, the OS's page cache
    cached.compute("")  # what the portal does when it starts (StatisticsEngine.warm)
    agreed = check(cold, floor, [("", {}), *filtered[:3], *searches[:3]])

    def ready(requests: list[tuple[str, Filters]]) -> list[tuple[str, Filters, Prepared]]:
        return [(q, f, floor.prepare(q, f)) for q, f in requests]

    everything = ready([("", {})] * 10)
    results = {
        "all data": side_by_side(cold.compute, floor.aggregate, everything),
        "filters only": side_by_side(cold.compute, floor.aggregate, ready(filtered)),
        "filters only, without distinct organisations": side_by_side(
            lambda q, f: cold.compute(q, f, organisations=False),
            lambda r: floor.aggregate(r, organisations=False),
            ready(filtered),
        ),
        "words + 0-3 filters": side_by_side(cold.compute, floor.aggregate, ready(searches)),
    }
    served = timed(lambda: cached.compute(""), 20)
    db = sqlite3.connect(folder / "store.db")
    sql_all = timed(lambda: sql_statistics(db, {}), min(2, peer_runs))
    sql_filtered = timed_each([lambda f=f: sql_statistics(db, f) for _, f in filtered[:peer_runs]])  # type: ignore[misc]
    rows = []
    for kind, (ours, bare) in results.items():
        rows.append(summary(f"euprojects: {kind}, cold", ours, bare))
        rows.append(summary(f"floor (bare Tantivy): {kind}", bare, bare))
        if kind == "all data":
            rows.append(summary("euprojects: all data, cached (what the portal serves)", served, bare))
            rows.append(summary("SQLite GROUP BY on the store: all data (a part of the figures)", sql_all, bare))
        elif kind == "filters only":
            rows.append(summary("SQLite GROUP BY on the store: the same filters (a part)", sql_filtered, bare))
    db.close()
    store.close()
    return rows, agreed


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
        rows, agreed = run(folder, queries, args.peer_runs)
        header = [
            "statistics of",
            "requests",
            "p50 ms",
            "p95 ms",
            "CPU p50 ms",
            "CPU p95 ms",
            "p95 ÷ floor",
            "CPU p95 ÷ floor",
        ]
        text = (
            f"### {size:,} projects (load before {before}, after {load()}; the floor's figures agree with"
            f" euprojects' on the {agreed} requests checked)\n\n" + table(header, rows)
        )
        print("\n" + text + "\n", flush=True)
        texts.append(text)
        output["sizes"][str(size)] = {"rows": rows, "load_before": before, "load_after": load(), "agreed": agreed}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_json(RESULTS / f"stats-{stamp}.json", output)
    (RESULTS / f"stats-{stamp}.md").write_text("\n\n".join(texts) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
