"""Partner search, the collaboration network and organisation records at the full real data,
beside a project search of the same words (the page a user would otherwise wait for).

    .venv/bin/python bench/partners.py [--home DIR] [--repeat 3]

The store is every file of $EUPROJECTS_DATA and ../shared/seeds, ingested and indexed once into
bench/.cache/real-<data key>/ (the store bench/search.py and bench/export.py use), or the
store and index of an existing ``EUPROJECTS_HOME`` given with ``--home``. Everything runs in
this process, one call at a time, after a warm-up pass: the times are what one request's work
takes, without HTTP. Each row gives wall and CPU p50 and p95 over its calls (the machine is shared:
CPU time is what other work cannot inflate) and the ratio of its CPU p50 to the project search's.
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
import time
from collections.abc import Callable
from typing import Any

if str(_HERE) not in sys.path:
    sys.path.append(str(_HERE))

from common import CACHE, RESULTS, load, machine, percentile, table, write_json

TOPICS = (
    "hydrogen",
    "hydrogen storage",
    '"marine litter"',
    "health",
    "water",
    "energy efficiency",
    "climate change adaptation",
    "tourism",
    "cultural heritage",
    "broadband",
    "circular economy",
    "batteries",
    "antimicrobial resistance",
    "quantum",
    "graphene",
    "smart grids",
    "forest fires",
    "cross-border health care",
    "innovation SME",
    "youth employment",
    "cooperat*",
    "rail freight",
    "offshore wind",
    "dementia",
    "plastics recycling",
)
COUNTRIES = ("DE", "FR", "IT", "ES", "FI", "EL", "PL", "HR", "DK", "AT", "NO", "BE")


def open_home(home: Path | None) -> tuple[Any, Any]:
    from euprojects.search import Searcher
    from euprojects.settings import load as load_settings
    from euprojects.store import open_store

    if home is not None:
        settings = load_settings({"EUPROJECTS_HOME": str(home)})
        store = open_store(settings.database_url)
        return store, Searcher(settings.index_dir, store)
    from export import ensure_store

    folder = ensure_store()
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    return store, Searcher(folder / "index", store)


def organisations(store: Any, count: int) -> list[str]:
    """The busiest organisations and as many taken evenly across the rest: big and small pages."""
    rows = store.db.execute("SELECT org_id, COUNT(*) FROM participations GROUP BY org_id ORDER BY 2 DESC, 1").fetchall()
    busiest = [org for org, _ in rows[: count // 2]]
    step = max(1, len(rows) // (count - len(busiest)))
    return busiest + [org for org, _ in rows[count // 2 :: step]][: count - len(busiest)]


def cases(store: Any, searcher: Any) -> dict[str, list[Callable[[], object]]]:
    from euprojects.orgs import network
    from euprojects.orgs.activity import activity
    from euprojects.orgs.partners import PartnerQuery, find_partners
    from euprojects.search import SearchRequest
    from euprojects.views import organisation_record

    orgs = organisations(store, 40)
    filtered = {"country": ("DE",), "has_led": True}

    def search(q: str) -> Callable[[], object]:
        # a cache-less search: the searcher is built without one, as the CLI's is
        return lambda: searcher.search(SearchRequest(query=q))

    return {
        "project search (20 hits, 5 facets, snippets)": [search(q) for q in TOPICS],
        "partner search": [lambda q=q: find_partners(searcher, store, PartnerQuery(query=q)) for q in TOPICS],
        "partner search, country DE + has led": [
            lambda q=q: find_partners(searcher, store, PartnerQuery(query=q, **filtered))  # type: ignore[arg-type]
            for q in TOPICS
        ],
        "network of a search (organisations, 40 nodes)": [
            lambda q=q: network.search_network(searcher, store, SearchRequest(query=q)) for q in TOPICS
        ],
        "network of an organisation (40 nodes)": [lambda o=o: network.organisation_network(store, o) for o in orgs],
        "network of a country (countries)": [lambda c=c: network.country_network(store, c) for c in COUNTRIES],
        "network of a country (organisations, 40 nodes)": [
            lambda c=c: network.country_network(store, c, "organisations") for c in COUNTRIES
        ],
        "organisation record with activity": [lambda o=o: organisation_record(store, o) for o in orgs],
        "of which the activity": [lambda o=o: activity(store, o) for o in orgs],
    }


def measure(calls: list[Callable[[], object]], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each call, after a warm-up pass (the index's pages, the
    lemmatiser, the store's page cache and its kept experience sets)."""
    for call in calls:
        call()
    wall, cpu = [], []
    for _ in range(repeat):
        for call in calls:
            started, used = time.perf_counter(), time.process_time()
            call()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="An EUPROJECTS_HOME with a full store and index to use")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    store, searcher = open_home(args.home)
    stats = store.stats()
    about = machine()
    print(
        f"{stats.projects:,} projects, {stats.participations:,} participations, {stats.organisations:,} organisations"
    )
    print(f"load before: {about['load']}")
    rows, results = [], {}
    baseline = None
    for name, calls in cases(store, searcher).items():
        wall, cpu = measure(calls, args.repeat)
        p50, p95, cpu50, cpu95 = (percentile(v, share) for v in (wall, cpu) for share in (0.5, 0.95))
        baseline = baseline or cpu50
        rows.append((name, len(wall), p50, p95, cpu50, cpu95, f"{cpu50 / baseline:.1f}×"))
        results[name] = {"calls": len(wall), "p50_ms": p50, "p95_ms": p95, "cpu_p50_ms": cpu50, "cpu_p95_ms": cpu95}
        print(f"  {name}: p50 {p50:.1f} ms, load {load()}", flush=True)
    header = ("work", "calls", "p50 ms", "p95 ms", "CPU p50 ms", "CPU p95 ms", "CPU p50 ÷ project search")
    printed = table(header, rows)
    print(printed)
    (RESULTS / "partners.md").write_text(
        f"load before {about['load']}, after {load()}\n\n{printed}\n", encoding="utf-8"
    )
    print(f"load after: {load()}")
    write_json(RESULTS / "partners.json", {"machine": about, "load_after": load(), "results": results})


if __name__ == "__main__":
    CACHE.mkdir(exist_ok=True)
    main()
