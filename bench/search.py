"""Search benchmark: euprojects against raw Tantivy, SQLite FTS5 and Datasette on the same scaled corpus.

    .venv/bin/python bench/search.py [--sizes 100000,1000000] [--queries 200] [--seed 1]

For each size it builds (or reuses, under bench/.cache/) the scaled corpus — SQLite store,
Tantivy index and an FTS5 copy — then sends one seeded query set to every engine: a warm-up
pass, then timed passes. See bench/README.md for what each engine does and the latest numbers.
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
import hashlib
import http.client
import json
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.parse
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

if str(_HERE) not in sys.path:
    sys.path.append(str(_HERE))

from common import (
    CACHE,
    PYTHON,
    RESULTS,
    data_dir,
    load,
    machine,
    peak_rss_mb,
    percentile,
    read_json,
    run_child,
    seeds_dir,
    size_mb,
    table,
    write_json,
)

FACETS = ("source", "programme", "period", "country", "start_year")
LIMIT = 20
FACET_SIZE = 30
FTS_FIELDS = ("title", "acronym", "summary", "orgs")
FTS_WEIGHTS = (4.0, 4.0, 1.0, 2.0)  # as euprojects boosts title, acronym, summary, orgs
RAW_FIELDS = ["title", "acronym", "summary", "orgs"]
RAW_BOOSTS = {"title": 4.0, "acronym": 4.0, "orgs": 2.0}
DATASETTE_LIMIT_MS = 600_000
STOPWORDS = frozenset(
    """\
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    new use used using well within without via based one two three may many much must i.e e.g etc
    """.split()  # noqa: SIM905
)


# --- the corpus ---------------------------------------------------------------------------------
def _data_key() -> str:
    """Changes when any real data file changes (names and sizes), so the cache follows the data."""
    digest = hashlib.blake2b(digest_size=6)
    for folder in (data_dir(), seeds_dir()):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(f"{path.relative_to(folder.parent)}:{path.stat().st_size}\n".encode())
    return digest.hexdigest()


def real_dir() -> Path:
    return CACHE / f"real-{_data_key()}"


def corpus_dir(size: int, seed: int) -> Path:
    return CACHE / f"scaled-n{size}-seed{seed}-{_data_key()}"


def _step(folder: Path, name: str, args: list[str], log: Path) -> dict[str, Any]:
    """Run one build step in a child process, once: its time and peak memory are kept in build.json."""
    meta = read_json(folder / "build.json") or {}
    if name in meta:
        return dict(meta[name])
    print(f"  building {name} in {folder.name} (log: {log}) …", flush=True)
    started_load = load()
    run = run_child([str(Path(__file__).resolve()), f"_{name}", str(folder), *args], log)
    if run.returncode != 0:
        raise SystemExit(f"building {name} failed (exit {run.returncode}); see {log}")
    peak = folder / f"_{name}.peak"
    rss = float(peak.read_text(encoding="utf-8")) if peak.exists() else run.max_rss_mb
    meta = read_json(folder / "build.json") or {}
    meta[name] = {"seconds": round(run.seconds, 1), "max_rss_mb": round(rss), "load": started_load}
    write_json(folder / "build.json", meta)
    return dict(meta[name])


def ensure_real(log: Path) -> Path:
    folder = real_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _step(folder, "real", [], log)
    return folder


def ensure_corpus(size: int, seed: int, real: Path, log: Path, fts: bool = True) -> tuple[Path, dict[str, Any]]:
    folder = corpus_dir(size, seed)
    folder.mkdir(parents=True, exist_ok=True)
    steps = {
        "store": _step(folder, "store", [str(real), str(size), str(seed)], log),
        "index": _step(folder, "index", [], log),
    }
    if fts:  # only the FTS5 and Datasette engines read it
        steps["fts"] = _step(folder, "fts", [], log)
        steps["fts"]["mb"] = round(size_mb(folder / "fts.db"))
    steps["store"]["mb"] = round(size_mb(folder / "store.db"))
    steps["index"]["mb"] = round(size_mb(folder / "index"))
    return folder, steps


def build_real(folder: Path) -> None:
    from euprojects import ingest
    from euprojects.store import open_store

    for name in ("store.db", "store.db-wal", "store.db-shm"):
        (folder / name).unlink(missing_ok=True)
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    result = ingest.run(store, [data_dir(), seeds_dir()])
    print(f"real corpus: {result.projects_rebuilt} projects in {result.seconds:.1f} s", flush=True)
    store.close()


def build_store(folder: Path, real: str, size: str, seed: str) -> None:
    from euprojects import scale
    from euprojects.store import open_store

    for name in ("store.db", "store.db-wal", "store.db-shm"):
        (folder / name).unlink(missing_ok=True)
    source = open_store(f"sqlite:///{Path(real) / 'store.db'}")
    target = open_store(f"sqlite:///{folder / 'store.db'}")

    def progress(stage: str, count: int) -> None:
        if count % 100_000 == 0:
            print(f"{stage} {count:,} ({load()})", flush=True)

    report = scale.scale(source, target, int(size), seed=int(seed), progress=progress)
    target.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[attr-defined]
    print(report, flush=True)


def build_index(folder: Path) -> None:
    from euprojects.index import rebuild
    from euprojects.store import open_store

    shutil.rmtree(folder / "index", ignore_errors=True)
    store = open_store(f"sqlite:///{folder / 'store.db'}")

    def progress(stage: str, count: int) -> None:
        if count % 100_000 == 0:
            print(f"{stage} {count:,} ({load()})", flush=True)

    print(rebuild(store, folder / "index", progress), flush=True)


def build_fts(folder: Path) -> None:
    """The FTS5 copy for SQLite FTS5 and Datasette: one row per project, an external-content FTS5
    table over title, acronym, summary and organisation names, and a side table of partner
    countries (a JSON array column as well, for Datasette's array facets and filters)."""
    from euprojects.store import open_store

    target = folder / "fts.db"
    target.unlink(missing_ok=True)
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    db = sqlite3.connect(target, isolation_level=None)
    db.executescript(
        """
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192;
        CREATE TABLE projects (
            rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT, acronym TEXT, summary TEXT,
            orgs TEXT, source TEXT, programme TEXT, period TEXT, fund TEXT, status TEXT, start_year INTEGER,
            eu_contribution REAL, countries TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE project_countries (project INTEGER NOT NULL, country TEXT NOT NULL,
            PRIMARY KEY (country, project)) WITHOUT ROWID;
        """
    )
    from euprojects.normalise.money import to_eur

    rows: list[tuple[Any, ...]] = []
    countries: list[tuple[int, str]] = []
    number = 0

    def flush() -> None:
        db.execute("BEGIN")
        db.executemany("INSERT INTO projects VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        db.executemany("INSERT OR IGNORE INTO project_countries VALUES (?,?)", countries)
        db.execute("COMMIT")
        rows.clear()
        countries.clear()

    for project in store.iter_projects(2000):
        number += 1
        status = project.effective_status()
        names = "\n".join(p.organisation.name for p in project.participations if p.organisation.name)
        rows.append(
            (
                number,
                project.id,
                project.title,
                project.acronym,
                project.summary,
                names,
                project.source,
                project.programme,
                project.period,
                project.fund,
                status.value if status else None,
                project.start_date.year if project.start_date else None,
                to_eur(project.eu_contribution),
                json.dumps(project.countries),
            )
        )
        countries.extend((number, c) for c in project.countries)
        if len(rows) >= 5000:
            flush()
        if number % 100_000 == 0:
            print(f"fts rows {number:,} ({load()})", flush=True)
    flush()
    fields = ", ".join(FTS_FIELDS)
    db.executescript(
        f"""
        CREATE VIRTUAL TABLE projects_fts USING fts5({fields}, content="projects", content_rowid="rowid",
            tokenize="porter unicode61 remove_diacritics 2");
        INSERT INTO projects_fts (projects_fts) VALUES ('rebuild');
        INSERT INTO projects_fts (projects_fts) VALUES ('optimize');
        CREATE INDEX projects_source ON projects (source);
        CREATE INDEX projects_programme ON projects (programme);
        CREATE INDEX projects_period ON projects (period);
        CREATE INDEX projects_start_year ON projects (start_year);
        CREATE INDEX projects_fund ON projects (fund);
        CREATE INDEX project_countries_project ON project_countries (project);
        ANALYZE;
        """
    )
    db.close()
    print(f"fts rows {number:,}", flush=True)


# --- the query set ------------------------------------------------------------------------------
def make_queries(real: Path, count: int, seed: int) -> list[dict[str, Any]]:
    """A fixed, seeded query set: words, phrases and prefixes from real English text, each with
    0-3 filters taken from one real project (so they are consistent with each other)."""
    cached = CACHE / f"queries-{real.name}-seed{seed}-n{count}.json"
    if cached.exists():
        loaded: list[dict[str, Any]] = json.loads(cached.read_text(encoding="utf-8"))
        return loaded
    from euprojects import scale
    from euprojects.store import open_store

    store = open_store(f"sqlite:///{real / 'store.db'}")
    profile = scale.read_profile(store)
    store.close()
    rng = random.Random(seed)
    texts = [[w for w in re.findall(r"[A-Za-z][A-Za-z-]*[A-Za-z]", t)] for t in profile.vocabulary_texts("en")]
    texts = [t for t in texts if len(t) >= 4]
    frequency: Counter[str] = Counter(w.lower() for t in texts for w in set(t))

    def usable(word: str) -> bool:
        lowered = word.lower()
        return len(lowered) >= 3 and lowered not in STOPWORDS and frequency[lowered] >= 3

    long_words = sorted(w for w, n in frequency.items() if len(w) >= 7 and n >= 20 and w not in STOPWORDS)
    weights = [frequency[w] ** 0.5 for w in long_words]
    queries: list[dict[str, Any]] = [{"kind": "prefix", "terms": [["prefix", "cooperat"]]}]
    while len(queries) < count:
        kind = rng.choices(["words", "phrase", "prefix"], weights=[60, 20, 20])[0]
        text = rng.choice(texts)
        terms: list[list[str]] = []
        if kind == "words":
            candidates = list(dict.fromkeys(w.lower() for w in text if usable(w)))
            wanted = rng.choice([1, 1, 1, 2, 2, 3])
            if len(candidates) < wanted:
                continue
            picked = sorted(rng.sample(range(len(candidates)), wanted))
            terms = [["word", candidates[i]] for i in picked]
        elif kind == "phrase":
            length = rng.choice([2, 2, 3])
            starts = [
                i
                for i in range(len(text) - length + 1)
                if usable(text[i]) and usable(text[i + length - 1]) and all(len(w) >= 2 for w in text[i : i + length])
            ]
            if not starts:
                continue
            start = rng.choice(starts)
            terms = [["phrase", " ".join(w.lower() for w in text[start : start + length])]]
        else:
            word = rng.choices(long_words, weights=weights)[0]
            terms = [["prefix", word[: rng.randint(4, len(word) - 2)]]]
            if rng.random() < 0.3:
                other = [w.lower() for w in text if usable(w) and w.lower() != word]
                if other:
                    terms.append(["word", rng.choice(other)])
        queries.append({"kind": kind, "terms": terms, "filters": _filters(rng, profile)})
    queries[0]["filters"] = {}
    write_json(cached, queries)
    return queries


def _filters(rng: random.Random, profile: Any) -> dict[str, Any]:
    import datetime as dt

    template = rng.choice(profile.templates)
    available: dict[str, Any] = {}
    countries = sorted({p.country for p in template.partners if p.country})
    if countries:
        available["country"] = rng.choice(countries)
    if template.period:
        available["period"] = template.period
    if template.programme:
        available["programme"] = template.programme
    if template.start is not None:
        year = dt.date.fromordinal(template.start).year
        available["start_year"] = [year - rng.randint(0, 3), year + rng.randint(0, 3)]
    if template.fund:
        available["fund"] = template.fund
    wanted = min(len(available), rng.randint(0, 3))
    return {name: available[name] for name in sorted(rng.sample(sorted(available), wanted))}


def query_text(query: dict[str, Any]) -> str:
    """The query as a portal user types it."""
    parts = []
    for kind, text in query["terms"]:
        parts.append(f'"{text}"' if kind == "phrase" else f"{text}*" if kind == "prefix" else text)
    return " ".join(parts)


def fts_text(query: dict[str, Any]) -> str:
    """The same query in FTS5 syntax: every term must match (implicit AND)."""
    parts = []
    for kind, text in query["terms"]:
        parts.append(f'"{text}"*' if kind == "prefix" else f'"{text}"')
    return " ".join(parts)


# --- the engines --------------------------------------------------------------------------------
class Engine(ABC):
    name = ""

    @abstractmethod
    def run(self, query: dict[str, Any]) -> int:
        """Answer one query; return the number of matching projects it reports."""

    def close(self) -> None:
        return None


class Euprojects(Engine):
    name = "euprojects"

    def __init__(self, folder: Path) -> None:
        from euprojects.search import Searcher
        from euprojects.search.engine import SearchRequest
        from euprojects.store import open_store

        self.request_type = SearchRequest
        self.store = open_store(f"sqlite:///{folder / 'store.db'}", migrate=False)
        self.searcher = Searcher(folder / "index", self.store)

    def request(self, query: dict[str, Any]) -> Any:
        filters = {
            name: [f"{value[0]}..{value[1]}"] if name == "start_year" else [value]
            for name, value in query.get("filters", {}).items()
        }
        return self.request_type(query=query_text(query), filters=filters, facets=FACETS, limit=LIMIT, highlight=True)

    def run(self, query: dict[str, Any]) -> int:
        result = self.searcher.search(self.request(query))
        return result.total

    def close(self) -> None:
        self.store.close()


class EuprojectsMode(Euprojects):
    """euprojects in a semantic or hybrid mode; each query is embedded anew (the encoder's cache
    of recent queries is emptied first), so the time includes embedding the query."""

    def __init__(self, folder: Path, mode: str) -> None:
        from euprojects.semantic.encoder import shared_encoder
        from euprojects.semantic.search import SemanticSearcher

        super().__init__(folder)
        self.mode = mode
        self.name = f"euprojects --mode {mode}"
        self.searcher = SemanticSearcher(folder / "index", self.store)
        self.encoder = shared_encoder()
        if not self.searcher.ready():
            raise SystemExit(f"no vectors in {folder}")

    def request(self, query: dict[str, Any]) -> Any:
        request = super().request(query)
        request.mode = self.mode
        return request

    def run(self, query: dict[str, Any]) -> int:
        self.encoder._queries.clear()
        return super().run(query)


def ensure_vectors(folder: Path, seed: int) -> dict[str, Any]:
    """Vectors for a scaled corpus, once. Its projects' texts are spliced from real ones, so
    embedding them would cost as much as real ones for no meaning; what a search's time depends on
    is the number of vectors and how they cluster. Each project gets a unit vector near one of
    2,000 random topic centres (Gaussian spread 0.3 per dimension around a unit centre), and the
    index is built from the store exactly as for real vectors."""
    import numpy as np

    from euprojects.semantic import stored, vector_index
    from euprojects.semantic.encoder import DIMENSIONS
    from euprojects.store import open_store

    state = vector_index.read_state(folder / "index")
    if state is not None:
        return {"vectors": state.count}
    started = time.perf_counter()
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(2000, DIMENSIONS)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    ids = store.project_ids()
    if stored.count(store) == len(ids):
        ids = []  # made by an earlier run that stopped before the index was written
    for start in range(0, len(ids), 5000):
        part = ids[start : start + 5000]
        vectors = centres[rng.integers(0, len(centres), len(part))] + rng.normal(
            scale=0.3 / np.sqrt(DIMENSIONS), size=(len(part), DIMENSIONS)
        ).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        stored.save(store, [(pid, "synthetic", vectors[i]) for i, pid in enumerate(part)])
    count = vector_index.rebuild(store, folder / "index", store.seq())
    store.close()
    return {"vectors": count, "seconds": round(time.perf_counter() - started, 1)}


def _tantivy_filters(schema: Any, filters: dict[str, Any]) -> list[Any]:
    import tantivy

    found = []
    for name, value in filters.items():
        if name == "start_year":
            found.append(tantivy.Query.range_query(schema, name, tantivy.FieldType.Integer, value[0], value[1]))
        else:
            found.append(tantivy.Query.term_set_query(schema, name, [value]))
    return found


class RawTantivy(Engine):
    """The floor: the query built directly with tantivy-py (query parser for words and phrases
    over title, acronym, summary and organisations; a regex on the unstemmed field for prefixes),
    top 20 with the count, and the five facets in one aggregation. No hydration, no snippets."""

    name = "tantivy (direct)"

    def __init__(self, folder: Path) -> None:
        import tantivy

        from euprojects.index import open_index

        self.tantivy = tantivy
        index = open_index(folder / "index")
        assert index is not None
        self.index = index
        self.schema = index.schema
        self.searcher = index.searcher()
        self.aggregation = {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in FACETS}

    def build(self, query: dict[str, Any]) -> Any:
        tantivy = self.tantivy
        must = []
        text = " ".join(f'"{t}"' if kind == "phrase" else t for kind, t in query["terms"] if kind != "prefix")
        if text:
            must.append(self.index.parse_query(text, RAW_FIELDS, RAW_BOOSTS, conjunction_by_default=True))
        for kind, prefix in query["terms"]:
            if kind == "prefix":
                must.append(tantivy.Query.regex_query(self.schema, "plain", re.escape(prefix.lower()) + ".*"))
        filters = [
            tantivy.Query.const_score_query(q, 0.0) for q in _tantivy_filters(self.schema, query.get("filters", {}))
        ]
        parts = [(tantivy.Occur.Must, q) for q in must + filters]
        return tantivy.Query.boolean_query(parts)

    def run(self, query: dict[str, Any]) -> int:
        built = self.build(query)
        found = self.searcher.search(built, limit=LIMIT, count=True)
        self.searcher.aggregate(built, self.aggregation)
        _ = [self.searcher.doc(address)["id"][0] for _, address in found.hits]
        return int(found.count or 0)


class SameQueryTantivy(RawTantivy):
    """euprojects' own compiled query (planned once, before timing), run bare: top 20 with the
    count and one aggregation of the five facets — what euprojects would cost with no Python
    work around Tantivy."""

    name = "tantivy (same query)"

    def __init__(self, folder: Path, planner: Euprojects) -> None:
        super().__init__(folder)
        self.planner = planner
        self.built: dict[int, Any] = {}

    def build(self, query: dict[str, Any]) -> Any:
        key = id(query)
        if key not in self.built:
            searcher = self.planner.searcher
            plan = searcher.plan(self.planner.request(query))
            self.built[key] = searcher._combine(plan.text, plan.filters, plan.excluded)
        return self.built[key]

    def prepare(self, queries: Sequence[dict[str, Any]]) -> None:
        for query in queries:
            self.build(query)


class HybridFloor(SameQueryTantivy):
    """The floor of a hybrid search: the model's own encoding of the query's words (one thread,
    nothing cached), usearch's bare search for the DEPTH nearest vectors (unfiltered: a lower
    bound for filtered queries), and Tantivy with euprojects' compiled keyword query OR those
    ids, top 20 with the count and one aggregation of the five facets. No fusion, hydration or
    snippets: what hybrid search would cost with no Python work around the three engines."""

    name = "floor: model + usearch + tantivy"

    def __init__(self, folder: Path, planner: Euprojects) -> None:
        from euprojects.semantic import stored
        from euprojects.semantic.encoder import shared_encoder
        from euprojects.semantic.search import DEPTH
        from euprojects.semantic.vector_index import load_index

        super().__init__(folder, planner)
        self.encoder = shared_encoder()
        self.vectors = load_index(folder / "index")
        self.ids = {key: pid for pid, key in stored.key_map(planner.store).items()}
        self.depth = DEPTH
        self.words: dict[int, str] = {}

    def build(self, query: dict[str, Any]) -> Any:
        from euprojects.semantic.search import _meaning

        key = id(query)
        if key not in self.built:
            searcher = self.planner.searcher
            plan = searcher.plan(self.planner.request(query))
            self.built[key] = (plan.text, plan.filters, plan.excluded)
            self.words[key] = _meaning(query_text(query), plan)
        return self.built[key]

    def run(self, query: dict[str, Any]) -> int:
        tantivy = self.tantivy
        text, filters, excluded = self.build(query)
        vector = self.encoder.texts([self.words[id(query)]])[0]
        found = self.vectors.search(vector, self.depth, threads=1)
        ids = tantivy.Query.term_set_query(self.schema, "id", [self.ids[k] for k in found.keys.tolist()])
        either = (
            ids
            if text is None
            else tantivy.Query.boolean_query([(tantivy.Occur.Should, text), (tantivy.Occur.Should, ids)])
        )
        built = self.planner.searcher._combine(either, filters, excluded)
        hits = self.searcher.search(built, limit=LIMIT, count=True)
        self.searcher.aggregate(built, self.aggregation)
        _ = [self.searcher.doc(address)["id"][0] for _, address in hits.hits]
        return int(hits.count or 0)


def _sql_filters(filters: dict[str, Any], skip: str | None = None) -> tuple[str, list[Any]]:
    clauses, args = [], []
    for name, value in filters.items():
        if name == skip:
            continue
        if name == "country":
            clauses.append("p.rowid IN (SELECT project FROM project_countries WHERE country = ?)")
            args.append(value)
        elif name == "start_year":
            clauses.append("p.start_year BETWEEN ? AND ?")
            args.extend(value)
        else:
            clauses.append(f"p.{name} = ?")
            args.append(value)
    return "".join(f" AND {c}" for c in clauses), args


class FTS5(Engine):
    """SQLite FTS5: count, top 20 by bm25 with a snippet, and one GROUP BY per facet over the full
    match set (each facet ignoring its own filter, as euprojects' facets do)."""

    name = "SQLite FTS5"
    MATCH = "p.rowid IN (SELECT rowid FROM projects_fts WHERE projects_fts MATCH ?)"

    def __init__(self, folder: Path) -> None:
        self.db = sqlite3.connect(f"file:{folder / 'fts.db'}?mode=ro", uri=True, check_same_thread=False)
        self.db.execute("PRAGMA cache_size=-524288")
        self.db.execute("PRAGMA mmap_size=4294967296")
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        self.top_sql = (
            "SELECT p.id, p.title, snippet(projects_fts, 2, '<b>', '</b>', '…', 24),"
            f" bm25(projects_fts, {weights}) AS score"
            " FROM projects_fts JOIN projects p ON p.rowid = projects_fts.rowid"
            " WHERE projects_fts MATCH ?{where} ORDER BY score LIMIT {limit}"
        )

    def run(self, query: dict[str, Any]) -> int:
        text = fts_text(query)
        filters = query.get("filters", {})
        where, args = _sql_filters(filters)
        db = self.db
        total = db.execute(f"SELECT count(*) FROM projects p WHERE {self.MATCH}{where}", [text, *args]).fetchone()[0]
        db.execute(self.top_sql.format(where=where, limit=LIMIT), [text, *args]).fetchall()
        for facet in FACETS:
            where, args = _sql_filters(filters, skip=facet)
            if facet == "country":
                sql = (
                    "SELECT c.country, count(*) FROM project_countries c JOIN projects p ON p.rowid = c.project"
                    f" WHERE {self.MATCH}{where} GROUP BY 1 ORDER BY 2 DESC LIMIT {FACET_SIZE}"
                )
            else:
                sql = (
                    f"SELECT p.{facet}, count(*) FROM projects p WHERE {self.MATCH}{where}"
                    f" GROUP BY 1 ORDER BY 2 DESC LIMIT {FACET_SIZE}"
                )
            db.execute(sql, [text, *args]).fetchall()
        return int(total)

    def close(self) -> None:
        self.db.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Datasette(Engine):
    """Datasette serving the FTS5 copy (immutable), queried over HTTP through its table JSON API:
    ``?_search=…&_searchmode=raw&_facet=…&_facet_array=countries&_size=20`` plus filter parameters."""

    name = "Datasette"

    def __init__(self, folder: Path, log: Path) -> None:
        self.port = _free_port()
        datasette = str(Path(PYTHON).parent / "datasette")
        settings = {
            "sql_time_limit_ms": DATASETTE_LIMIT_MS,
            "facet_time_limit_ms": DATASETTE_LIMIT_MS,
            "suggest_facets": "off",
            "default_facet_size": FACET_SIZE,
            "allow_download": "off",
        }
        args = [datasette, "serve", "-i", str(folder / "fts.db"), "--host", "127.0.0.1", "--port", str(self.port)]
        for key, value in settings.items():
            args += ["--setting", key, str(value)]
        self.log = log.open("ab")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=DATASETTE_LIMIT_MS / 1000)
        deadline = time.monotonic() + 120
        while True:
            try:
                self._get("/-/versions.json")
                break
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise SystemExit(f"datasette did not start; see {log}") from None
                time.sleep(0.25)
                self.connection.close()

    def _get(self, path: str) -> Any:
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"datasette {response.status} for {path}: {body[:300]!r}")
        return json.loads(body)

    def url(self, query: dict[str, Any]) -> str:
        params: list[tuple[str, str]] = [("_search", fts_text(query)), ("_searchmode", "raw"), ("_size", str(LIMIT))]
        params += [("_col", c) for c in ("id", "title", "acronym", "source", "programme", "period", "start_year")]
        for facet in FACETS:
            params.append(("_facet_array", "countries") if facet == "country" else ("_facet", facet))
        for name, value in query.get("filters", {}).items():
            if name == "country":
                params.append(("countries__arraycontains", value))
            elif name == "start_year":
                params += [("start_year__gte", str(value[0])), ("start_year__lte", str(value[1]))]
            else:
                params.append((name, value))
        return "/fts/projects.json?" + urllib.parse.urlencode(params)

    def run(self, query: dict[str, Any]) -> int:
        body = self._get(self.url(query))
        if body.get("facets_timed_out"):
            raise RuntimeError(f"datasette facets timed out: {body['facets_timed_out']}")
        return int(body.get("filtered_table_rows_count") or 0)

    def close(self) -> None:
        self.connection.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# --- measuring ----------------------------------------------------------------------------------
def measure(
    engine: Engine, queries: Sequence[dict[str, Any]], warmup: int, repeat: int
) -> tuple[list[float], list[int]]:
    """Warm up on the first ``warmup`` queries, then time ``repeat`` passes; latencies in ms."""
    for query in queries[:warmup]:
        engine.run(query)
    latencies: list[float] = []
    totals: list[int] = []
    for _ in range(repeat):
        totals = []
        for query in queries:
            started = time.perf_counter()
            total = engine.run(query)
            latencies.append((time.perf_counter() - started) * 1000)
            totals.append(total)
    return latencies, totals


def measure_concurrent(
    engine: Engine, queries: Sequence[dict[str, Any]], warmup: int, repeat: int, threads: int
) -> tuple[list[float], list[int], float]:
    """As :func:`measure`, but ``threads`` callers at once, each taking the next query as soon as
    its last one is answered (a closed loop, like a load generator's connections): the latency a
    server built on this engine could at best give at that concurrency, with no HTTP around it."""
    for query in queries[:warmup]:
        engine.run(query)
    work = [(i, q) for _ in range(repeat) for i, q in enumerate(queries)]
    position = iter(range(len(work)))
    lock = threading.Lock()
    latencies: list[float] = [0.0] * len(work)
    totals: list[int] = [0] * len(queries)

    def caller() -> None:
        while True:
            with lock:
                at = next(position, None)
            if at is None:
                return
            number, query = work[at]
            started = time.perf_counter()
            totals[number] = engine.run(query)
            latencies[at] = (time.perf_counter() - started) * 1000

    pool = [threading.Thread(target=caller) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, totals, time.perf_counter() - started


def summarise(name: str, latencies: list[float], totals: list[int], seconds: float | None = None) -> dict[str, Any]:
    """Percentiles and throughput; ``seconds`` is the wall time of concurrent runs, whose
    latencies overlap (one caller's queries/s is then not the engine's)."""
    return {
        "engine": name,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "mean": sum(latencies) / len(latencies),
        "qps": len(latencies) / seconds if seconds else 1000 * len(latencies) / sum(latencies),
        "median_matches": sorted(totals)[len(totals) // 2],
        "totals": totals,
        "latencies": latencies,
    }


def report(size: int, build: dict[str, Any], results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    base = results[0]
    rows = []
    for r in results:
        rows.append(
            [
                r["engine"],
                r["p50"],
                r["p95"],
                r["p99"],
                r["qps"],
                r["median_matches"],
                f"{r['p50'] / base['p50']:.2f}×",
                f"{r['p95'] / base['p95']:.2f}×",
            ]
        )
    lines = [
        f"### {size:,} projects — {meta['queries']} queries × {meta['repeat']} timed passes"
        f"{f', {c} callers at once' if (c := meta.get('concurrency', 1)) > 1 else ''}"
        f" (warm-up {meta['warmup']}), load before/after {meta['load_before']} / {meta['load_after']}",
        "",
        table(["engine", "p50 ms", "p95 ms", "p99 ms", "q/s", "median matches", "p50 vs eup", "p95 vs eup"], rows),
        "",
    ]
    for r in results[1:]:
        ratio = r["p95"] / base["p95"]
        if r["engine"].startswith("tantivy"):
            lines.append(f"- euprojects p95 = {base['p95'] / r['p95']:.1f}× {r['engine']} p95")
        else:
            lines.append(f"- {r['engine']} p95 = {ratio:.1f}× euprojects p95 (p50 {r['p50'] / base['p50']:.1f}×)")
    agree = [
        f"{r['engine']}: {sum(a == b for a, b in zip(r['totals'], base['totals'], strict=True))}/{len(base['totals'])}"
        for r in results[1:]
    ]
    lines.append(f"- queries whose match count equals euprojects': {', '.join(agree)}")
    lines += [
        "",
        table(
            ["build step", "seconds", "peak RSS MB", "size on disk MB"],
            [
                [
                    "scaled store (profile + generate + Store.save)",
                    build["store"]["seconds"],
                    build["store"]["max_rss_mb"],
                    build["store"]["mb"],
                ],
                [
                    "Tantivy index (index.rebuild)",
                    build["index"]["seconds"],
                    build["index"]["max_rss_mb"],
                    build["index"]["mb"],
                ],
            ]
            + [
                [
                    "FTS5 copy for FTS5 / Datasette",
                    build["fts"]["seconds"],
                    build["fts"]["max_rss_mb"],
                    build["fts"]["mb"],
                ]
                for _ in (1,)
                if "fts" in build
            ],
        ),
    ]
    return "\n".join(lines)


def run_engines(
    folder: Path,
    size: int,
    queries: list[dict[str, Any]],
    names: set[str],
    warmup: int,
    repeat: int,
    concurrency: int = 1,
) -> list[dict[str, Any]]:
    """Every engine in turn on the same queries; euprojects first (the ratios' base). Above
    concurrency 1 only the in-process engines that are safe across threads run (euprojects and
    Tantivy); bench/http.py measures Datasette under concurrent load."""
    if concurrency > 1:
        names = names & {"euprojects", "tantivy"}
    eup = Euprojects(folder)
    makers: list[Callable[[], Engine]] = [lambda: eup]
    for mode in ("semantic", "hybrid"):
        if mode in names:
            makers.append(lambda mode=mode: EuprojectsMode(folder, mode))  # type: ignore[misc]
    if "hybrid" in names:

        def floor() -> Engine:
            engine = HybridFloor(folder, eup)
            engine.prepare(queries)  # planned before timing, as the same-query engine is
            return engine

        makers.append(floor)
    if "tantivy" in names:

        def same() -> Engine:
            engine = SameQueryTantivy(folder, eup)
            engine.prepare(queries)
            return engine

        makers += [lambda: RawTantivy(folder), same]
    if "fts5" in names:
        makers.append(lambda: FTS5(folder))
    if "datasette" in names:
        makers.append(lambda: Datasette(folder, CACHE / "datasette.log"))
    results = []
    for make in makers:
        engine = make()
        print(f"  {size:,}: {engine.name} … ({load()})", flush=True)
        seconds = None
        if concurrency > 1:
            latencies, totals, seconds = measure_concurrent(engine, queries, warmup, repeat, concurrency)
        else:
            latencies, totals = measure(engine, queries, warmup, repeat)
        results.append(summarise(engine.name, latencies, totals, seconds))
        if engine is not eup:
            engine.close()
        print(f"    p50 {results[-1]['p50']:.2f} ms, p95 {results[-1]['p95']:.2f} ms", flush=True)
    eup.close()
    return results


def breakdown(folder: Path, queries: list[dict[str, Any]], cprofile: int) -> str:
    """Where euprojects spends a query: each stage of Searcher.search timed on its own (the stages
    are wrapped from outside, nothing in src/ changes), then optionally cProfile's top functions."""
    import cProfile
    import io
    import pstats

    from euprojects.search import engine as engine_module
    from euprojects.search import highlight

    eup = Euprojects(folder)
    for query in queries:  # warm-up
        eup.run(query)
    spent: dict[str, float] = {}

    def timed(owner: Any, attribute: str, stage: str) -> None:
        original = getattr(owner, attribute)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[stage] = spent.get(stage, 0.0) + (time.perf_counter() - started) * 1000

        setattr(owner, attribute, wrapper)

    searcher = eup.searcher
    timed(searcher.compiler, "text_query", "plan: compile text (prefix expansion)")
    timed(searcher, "plan", "plan (parse, filters, compile)")
    timed(searcher, "_page", "count + top 20 (_page)")
    timed(engine_module.facet_counts, "count", "facets: each aggregation")
    timed(searcher, "_facets", "facets (_facets, all aggregations)")
    timed(searcher, "_hydrate", "hydrate (_hydrate, all)")
    timed(eup.store, "summaries", "hydrate: store.summaries")
    timed(highlight.Highlighter, "__init__", "hydrate: SnippetGenerator.create ×3")
    timed(highlight.Highlighter, "snippet", "hydrate: snippets")
    timed(engine_module, "suggest", "did-you-mean (suggest)")
    stages: dict[str, list[float]] = {}
    per_query: list[dict[str, float]] = []
    totals: list[float] = []
    by_kind: dict[str, list[float]] = {}
    for query in queries:
        spent.clear()
        started = time.perf_counter()
        eup.run(query)
        total = (time.perf_counter() - started) * 1000
        totals.append(total)
        by_kind.setdefault(f"{query['kind']}, {len(query.get('filters', {}))} filters", []).append(total)
        per_query.append(dict(spent))
    for stage in dict.fromkeys(k for spent_here in per_query for k in spent_here):
        stages[stage] = [spent_here.get(stage, 0.0) for spent_here in per_query]
    # The p95 query's own split: where the slow queries go.
    slow = sorted(range(len(totals)), key=totals.__getitem__)[int(0.95 * len(totals)) :]
    rows = [["whole search", percentile(totals, 0.5), percentile(totals, 0.95), sum(totals) / len(totals), 100.0,
             sum(totals[i] for i in slow) / len(slow)]]  # fmt: skip
    for stage, values in stages.items():
        share = 100 * sum(values) / sum(totals)
        rows.append([stage, percentile(values, 0.5), percentile(values, 0.95), sum(values) / len(values), share,
                     sum(values[i] for i in slow) / len(slow)])  # fmt: skip
    text = [
        table(["stage", "p50 ms", "p95 ms", "mean ms", "% of time", "mean in slowest 5%"], rows),
        "",
        table(
            ["query kind", "n", "p50 ms", "p95 ms"],
            [[k, len(v), percentile(v, 0.5), percentile(v, 0.95)] for k, v in sorted(by_kind.items())],
        ),
    ]
    # The floor of the same queries, split: one search with count, then one 5-facet aggregation.
    raw = SameQueryTantivy(folder, eup)
    raw.prepare(queries)
    floor: dict[str, list[float]] = {"floor: search top 20 + count (1 pass)": [], "floor: 1 aggregation, 5 facets": []}
    for query in queries:
        built = raw.build(query)
        started = time.perf_counter()
        raw.searcher.search(built, limit=LIMIT, count=True)
        searched = time.perf_counter()
        raw.searcher.aggregate(built, raw.aggregation)
        floor["floor: search top 20 + count (1 pass)"].append((searched - started) * 1000)
        floor["floor: 1 aggregation, 5 facets"].append((time.perf_counter() - searched) * 1000)
    floor_rows = [[k, percentile(v, 0.5), percentile(v, 0.95), sum(v) / len(v)] for k, v in floor.items()]
    text += ["", table(["same query, bare Tantivy", "p50 ms", "p95 ms", "mean ms"], floor_rows)]
    if cprofile:
        profiler = cProfile.Profile()
        profiler.enable()
        for query in queries:
            eup.run(query)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(cprofile)
        text += ["", "```", out.getvalue().strip(), "```"]
    eup.close()
    return "\n".join(text)


def paging(folder: Path, queries: list[dict[str, Any]]) -> str:
    """What the next page of a search costs: each query's page 1, then its page 2, with the
    Searcher's caches on (page 2 reuses page 1's facet counts) and off (everything computed)."""
    import msgspec

    from euprojects.search.engine import Searcher

    eup = Euprojects(folder)
    rows = []
    for size in (1024, 0):
        searcher = Searcher(folder / "index", eup.store, cache_size=size)
        spent: dict[str, list[float]] = {"page 1": [], "page 2": []}
        for query in queries:
            request = eup.request(query)
            for name, page in (("page 1", 1), ("page 2", 2)):
                started = time.perf_counter()
                searcher.search(msgspec.structs.replace(request, page=page))
                spent[name].append((time.perf_counter() - started) * 1000)
        for name, values in spent.items():
            label = f"{name}, cache {'on' if size else 'off'}"
            rows.append([label, percentile(values, 0.5), percentile(values, 0.95), sum(values) / len(values)])
    eup.close()
    return table(["request", "p50 ms", "p95 ms", "mean ms"], rows)


# --- proposed changes, patched in from outside to measure them (src/ stays as it is) ---------------
def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="corpus sizes, comma-separated")
    parser.add_argument("--queries", type=int, default=200, help="queries in the query set")
    parser.add_argument("--seed", type=int, default=1, help="seed of the corpus and the query set")
    parser.add_argument("--warmup", type=int, default=None, help="queries in the warm-up pass (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="timed passes over the query set")
    parser.add_argument("--breakdown", action="store_true", help="time euprojects' stages instead of comparing")
    parser.add_argument("--cprofile", type=int, default=0, help="with --breakdown: print cProfile's top N functions")
    parser.add_argument("--engines", default="euprojects,tantivy,fts5,datasette", help="engines to run")
    parser.add_argument(
        "--concurrency", type=int, default=1, help="callers at once (above 1: euprojects and Tantivy only)"
    )
    parser.add_argument("--paging", action="store_true", help="time page 2 after page 1, caches on and off")
    parser.add_argument(
        "--mode",
        choices=["keyword", "semantic", "hybrid"],
        default="keyword",
        help="semantic or hybrid: euprojects in that mode beside its keyword search (vectors are made once)",
    )
    args = parser.parse_args(argv)
    if args.mode != "keyword":
        args.engines = f"euprojects,{args.mode}"
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    engines = set(args.engines.split(","))
    log = CACHE / "build.log"
    CACHE.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"machine: {info}", flush=True)
    real = ensure_real(log)
    fts = bool(engines & {"fts5", "datasette"})
    built = {size: ensure_corpus(size, args.seed, real, log, fts) for size in sizes}  # before the parent grows
    queries = make_queries(real, args.queries, args.seed)
    kinds = Counter(q["kind"] for q in queries)
    filters = Counter(len(q.get("filters", {})) for q in queries)
    print(f"queries: {dict(kinds)}, filters per query: {dict(sorted(filters.items()))}", flush=True)
    warmup = len(queries) if args.warmup is None else args.warmup
    output: dict[str, Any] = {"machine": info, "sizes": {}}
    for size in sizes:
        folder, build = built[size]
        if args.mode != "keyword":
            build["vectors"] = ensure_vectors(folder, args.seed)
        if args.paging:
            text = paging(folder, queries)
            print(f"\n### page 1, then page 2 at {size:,} projects (load {load()})\n\n{text}\n", flush=True)
            output["sizes"][str(size)] = {"breakdown": text}
            continue
        if args.breakdown:
            text = breakdown(folder, queries, args.cprofile)
            print(f"\n### euprojects stages at {size:,} projects (load {load()})\n\n{text}\n", flush=True)
            output["sizes"][str(size)] = {"breakdown": text}
            continue
        meta = {
            "queries": len(queries),
            "repeat": args.repeat,
            "warmup": warmup,
            "concurrency": args.concurrency,
            "load_before": load(),
        }
        results = run_engines(folder, size, queries, engines, warmup, args.repeat, args.concurrency)
        meta["load_after"] = load()
        text = report(size, build, results, meta)
        print("\n" + text + "\n", flush=True)
        output["sizes"][str(size)] = {"build": build, "meta": meta, "results": results, "table": text}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    write_json(RESULTS / f"search-{stamp}.json", {**output, "queries": queries})
    (RESULTS / f"search-{stamp}.md").write_text(
        "\n\n".join(v.get("table") or v["breakdown"] for v in output["sizes"].values()) + "\n", encoding="utf-8"
    )
    print(f"results: {RESULTS / f'search-{stamp}.md'}")


def _child(argv: list[str]) -> None:
    steps: dict[str, Callable[..., None]] = {
        "_real": build_real,
        "_store": build_store,
        "_index": build_index,
        "_fts": build_fts,
    }
    name, folder, *rest = argv
    steps[name](Path(folder), *rest)
    # The child's own peak: a forked child's ru_maxrss can start from its parent's size.
    (Path(folder) / f"{name}.peak").write_text(str(peak_rss_mb()), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        _child(sys.argv[1:])
    else:
        main()
