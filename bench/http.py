"""HTTP benchmark: GET /api/v1/search of euprojects against Datasette's JSON API on the same data.

    .venv/bin/python bench/http.py [--size 100000] [--duration 20] [--concurrency 1,8,32] [--workers 1c,2c,2]

The scaled corpus (SQLite store, Tantivy index, FTS5 copy) comes from bench/search.py's cache
(bench/.cache/, built there when missing), and so does the seeded query set. Every query
becomes one URL per engine:

- euprojects: ``/api/v1/search?q=…&facet=source&facet=programme&facet=period&facet=country
  &facet=start_year&limit=20`` plus filters, with highlights (the API's default);
- Datasette: ``/fts/projects.json?_search=…&_searchmode=raw&_facet=…&_facet_array=countries
  &_size=20`` plus filters, on the immutable FTS5 copy (no highlights).

euprojects runs as ``euprojects serve --workers N``; a ``c`` after N ("cold") turns its search
cache off (``EUPROJECTS_SEARCH_CACHE=0``), so every request is computed, as for distinct
queries; without it the 200 URLs repeat and are served from the cache after their first pass
("warm"). ``uN`` is uvicorn's own ``--workers N`` over ``create_app``. The load generator
is wrk (Debian's ``wrk``; ``apt-get install wrk``) with a Lua script that rotates through the
URLs, each thread from its own offset, over keep-alive loopback connections. Before the timed
runs every engine answers the first queries once, checked for status 200 and compared by match
count. Results go to bench/results/http-*.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
# This file is called http.py: keep its folder off the path until the standard library's http is in.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
import http.client  # noqa: E402

sys.path.append(str(BENCH))

from common import CACHE, PYTHON, RESULTS, load, machine, table, write_json  # noqa: E402
from search import FACETS, LIMIT, Datasette, ensure_corpus, ensure_real, make_queries, query_text  # noqa: E402

LUA = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local counter = 0
function setup(thread)
  thread:set("offset", counter * 97)
  counter = counter + 1
end
local i = 0
function init(args) i = offset end
function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, '
    .. '"timeout": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "mean_us": %%.1f, "max_us": %%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""


# --- URLs ---------------------------------------------------------------------------------------
def euprojects_path(query: dict[str, Any]) -> str:
    params: list[tuple[str, str]] = [("q", query_text(query))]
    params += [("facet", name) for name in FACETS]
    params.append(("limit", str(LIMIT)))
    for name, value in query.get("filters", {}).items():
        params.append((name, f"{value[0]}..{value[1]}" if name == "start_year" else str(value)))
    return "/api/v1/search?" + urllib.parse.urlencode(params)


def get(port: int, path: str, timeout: float = 600) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- servers ------------------------------------------------------------------------------------
class Server(ABC):
    """One engine listening on loopback: its name, port, the URL of a query and its match count."""

    name = ""
    port = 0
    pids: list[int]

    @abstractmethod
    def path(self, query: dict[str, Any]) -> str: ...

    @abstractmethod
    def total(self, body: bytes) -> int: ...


class EuprojectsServer(Server):
    """``euprojects serve --workers N`` (workers "N", or "Nc" with its search cache off), or
    uvicorn's own ``--workers N`` (workers "uN"), which leaves Nagle's algorithm on."""

    def __init__(self, folder: Path, workers: str, log: Path) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "EUPROJECTS_HOME": str(folder),
            "EUPROJECTS_DATABASE_URL": f"sqlite:///{folder / 'store.db'}",
            "EUPROJECTS_INDEX_DIR": str(folder / "index"),
        }
        if workers.startswith("u"):
            self.name = f"uvicorn --workers {workers[1:]}"
            args = [PYTHON, "-m", "uvicorn", "--factory", "euprojects.web:create_app", "--host", "127.0.0.1"]
            args += ["--port", str(self.port), "--workers", workers[1:], "--log-level", "warning", "--no-access-log"]
        else:  # the command users run
            cold = workers.endswith("c")
            count = int(workers.rstrip("c"))
            env["EUPROJECTS_SEARCH_CACHE"] = "0" if cold else "1024"
            self.name = f"euprojects serve --workers {count}" + (" (cache off)" if cold else "")
            args = [PYTHON, "-m", "euprojects", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
            args += ["--workers", str(count)]
        self.log = log.open("ab")
        self.process = subprocess.Popen(args, env=env, cwd=folder, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(self.port, "/api/v1/stats", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f"{self.name} did not start; see {log}")
            time.sleep(0.25)
        self.pids = [self.process.pid]

    def path(self, query: dict[str, Any]) -> str:
        return euprojects_path(query)

    def total(self, body: bytes) -> int:
        return int(json.loads(body)["data"]["total"])

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class DatasetteServer(Server):
    """bench/search.py's Datasette (immutable FTS5 copy, same settings), reached by its URLs."""

    def __init__(self, folder: Path, log: Path) -> None:
        self.engine = Datasette(folder, log)
        self.port = self.engine.port
        self.name = "Datasette"
        self.pids = [self.engine.process.pid]

    def path(self, query: dict[str, Any]) -> str:
        return self.engine.url(query)

    def total(self, body: bytes) -> int:
        return int(json.loads(body).get("filtered_table_rows_count") or 0)

    def close(self) -> None:
        self.engine.close()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = task / "children"
        if children.exists():
            found += [int(p) for p in children.read_text().split()]
    return found


@contextmanager
def serving(name: str, folder: Path, log: Path) -> Iterator[Server]:
    server: EuprojectsServer | DatasetteServer
    if name == "datasette":
        server = DatasetteServer(folder, log)
    else:
        server = EuprojectsServer(folder, name.removeprefix("euprojects-"), log)
    try:
        yield server
    finally:
        server.close()


# --- measuring ----------------------------------------------------------------------------------
def check(server: Server, queries: Sequence[dict[str, Any]]) -> list[int]:
    """Every query once, in order (a warm-up too): all must be 200; their match counts."""
    totals = []
    for query in queries:
        status, body = get(server.port, server.path(query))
        if status != 200:
            raise SystemExit(f"{server.name}: {status} for {server.path(query)}: {body[:300]!r}")
        totals.append(server.total(body))
    return totals


def wrk(server: Server, paths_file: Path, concurrency: int, duration: int, timeout: int, work: Path) -> dict[str, Any]:
    script = work / "rotate.lua"
    script.write_text(LUA % {"paths": paths_file}, encoding="utf-8")
    threads = min(concurrency, 2)
    args = ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{duration}s", "--timeout", f"{timeout}s"]
    args += ["-s", str(script), f"http://127.0.0.1:{server.port}"]
    cpu_before = _cpu_seconds(server.pids)
    done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=duration + 120)
    cpu = _cpu_seconds(server.pids) - cpu_before
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK-JSON ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("WRK-JSON "))
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "engine": server.name,
        "concurrency": concurrency,
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds,
        "p50": raw["p50_us"] / 1000,
        "p95": raw["p95_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "max": raw["max_us"] / 1000,
        "errors": errors,
        "error_kinds": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]},
        "server_cpu_s_per_request": cpu / raw["requests"] if raw["requests"] else float("nan"),
        "load": load(),
    }


IDLE = ("Condition.wait ", "EpollSelector.select ", "Event.wait ", "Thread._wait_for_tstate_lock ")
OWN_CODE = ("Searcher.", "SQLiteStore.", "Highlighter.", "count (facets.py)", "correction (suggest.py)")
OWN_FILES = ("engine.py", "facets.py", "highlight.py", "sqlite.py", "api.py", "params.py", "query.py", "suggest.py")


def profile(server: Server, paths_file: Path, duration: int, timeout: int, work: Path) -> str:
    """Where the server's time goes at concurrency 8: py-spy samples (GIL holders and idle threads
    left out) during one more wrk run, whose numbers are not in the table."""
    spy = shutil.which("py-spy") or str(Path(PYTHON).parent / "py-spy")
    if not Path(spy).exists():
        return "(no profile: py-spy is missing; pip install py-spy)"
    raw = work / "profile.txt"
    args = [spy, "record", "--format", "raw", "-o", str(raw), "-r", "200", "-d", str(duration), "--subprocesses"]
    args += ["--nonblocking", "-p", str(server.pids[0])]
    recorder = subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    row = wrk(server, paths_file, 8, duration - 2, timeout, work)
    recorder.wait(timeout=duration + 60)
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    samples = idle = 0
    for line in raw.read_text(encoding="utf-8").splitlines() if raw.exists() else []:
        stack, _, count_text = line.rpartition(" ")
        # "function (path/file.py:line)" -> "function (file.py)": one row per function
        frames = [re.sub(r"\((?:.*/)?([^/:]+):\d+\)$", r"(\1)", f) for f in stack.split(";") if "(" in f]
        if not frames:
            continue
        count = int(count_text)
        if frames[-1].startswith(IDLE):
            idle += count
            continue
        samples += count
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            if frame.startswith(OWN_CODE) or any(f"({name}" in frame for name in OWN_FILES):
                inclusive[frame] = inclusive.get(frame, 0) + count
    if not samples:
        return "(no profile: py-spy recorded nothing)"

    def top(counts: dict[str, int], n: int) -> list[list[object]]:
        ranked = sorted(counts.items(), key=lambda item: -item[1])[:n]
        return [[f"{100 * c / samples:.1f} %", name[:110]] for name, c in ranked]

    return "\n".join(
        [
            f"#### py-spy at concurrency 8 on {server.name}: {samples:,} busy samples ({idle:,} idle left out)"
            f" during {row['rps']:.0f} req/s, p95 {row['p95']:.0f} ms (under the profiler)",
            "",
            "Own time (the function itself):",
            "",
            table(["share", "function (file)"], top(own, 15)),
            "",
            "Inclusive time of euprojects' own functions and the request path (the function and what it calls):",
            "",
            table(["share", "function (file)"], top(inclusive, 25)),
        ]
    )


def _cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of the server's processes so far (children included)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in {p for root in pids for p in [root, *_children(root)]}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


# --- the report ---------------------------------------------------------------------------------
def report(size: int, rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"### {size:,} projects — {meta['queries']} rotating queries, {meta['duration']} s per run, wrk over loopback",
        "",
        f"{meta['machine']['date']}; {meta['machine']['cpus']} CPUs, {meta['machine']['memory_gb']} GB;"
        f" load (1/5/15 min) before {meta['load_before']}, after {meta['load_after']};"
        f" match counts equal to Datasette's on {meta['agreement']}",
        "",
        table(
            ["engine", "conc.", "answered", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "CPU ms/req", "load 1m"],
            [
                [
                    r["engine"],
                    r["concurrency"],
                    r["requests"],
                    r["rps"],
                    *((r["p50"], r["p95"], r["p99"]) if r["requests"] else ("none answered",) * 3),
                    r["errors"],
                    r["server_cpu_s_per_request"] * 1000,
                    r["load"].split()[0],
                ]
                for r in rows
            ],
        ),
    ]
    baseline = {r["concurrency"]: r for r in rows if r["engine"] == "Datasette"}
    ratios = []
    for r in rows:
        base = baseline.get(r["concurrency"])
        if base is None or r["engine"] == "Datasette" or not base["requests"]:
            continue
        ratios.append(
            [
                r["engine"],
                r["concurrency"],
                f"{r['rps'] / base['rps']:.2f}×" if base["rps"] else "–",
                f"{r['p50'] / base['p50']:.2f}×" if base["p50"] else "–",
                f"{r['p95'] / base['p95']:.2f}×" if base["p95"] else "–",
            ]
        )
    if ratios:
        lines += ["", "euprojects / Datasette (req/s above 1 and latency below 1 favour euprojects):", ""]
        lines.append(table(["engine", "conc.", "req/s ratio", "p50 ratio", "p95 ratio"], ratios))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="projects in the scaled corpus")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each wrk run")
    parser.add_argument("--concurrency", default="1,8,32", help="open connections, comma-separated")
    parser.add_argument(
        "--workers",
        default="1c,2c,2",
        help="euprojects servers: N = euprojects serve --workers N, Nc = the same with its cache off, "
        "uN = uvicorn --workers N",
    )
    parser.add_argument("--queries", type=int, default=200, help="queries in the seeded query set")
    parser.add_argument("--seed", type=int, default=1, help="seed of the corpus and the query set")
    parser.add_argument("--no-datasette", action="store_true", help="run euprojects only")
    parser.add_argument("--check", type=int, default=40, help="queries each engine answers once before the runs")
    parser.add_argument("--timeout", type=int, default=10, help="seconds before wrk counts a request as an error")
    parser.add_argument(
        "--profile", action="store_true", help="then profile the first euprojects server with py-spy at concurrency 8"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    CACHE.mkdir(parents=True, exist_ok=True)
    log = CACHE / "http.log"
    info = machine()
    print(f"machine: {info}", flush=True)
    real = ensure_real(CACHE / "build.log")
    folder, _ = ensure_corpus(args.size, args.seed, real, CACHE / "build.log")
    queries = make_queries(real, args.queries, args.seed)
    concurrencies = [int(c) for c in args.concurrency.split(",") if c]
    engines = [f"euprojects-{w}" for w in args.workers.split(",") if w]
    engines += [] if args.no_datasette else ["datasette"]
    work = CACHE / f"http-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {
        "machine": info,
        "size": args.size,
        "queries": len(queries),
        "duration": args.duration,
        "load_before": load(),
    }
    rows: list[dict[str, Any]] = []
    totals: dict[str, list[int]] = {}
    try:
        for name in engines:
            with serving(name, folder, log) as server:
                paths_file = work / f"{name}.paths"
                paths_file.write_text("\n".join(server.path(q) for q in queries) + "\n", encoding="utf-8")
                started = time.perf_counter()
                totals[server.name] = check(server, queries[: args.check])
                print(f"{server.name}: first {args.check} queries in {time.perf_counter() - started:.1f} s", flush=True)
                for concurrency in concurrencies:
                    row = wrk(server, paths_file, concurrency, args.duration, args.timeout, work)
                    rows.append(row)
                    print(
                        f"  c={concurrency:<3} {row['rps']:8.1f} req/s  p50 {row['p50']:8.1f}  p95 {row['p95']:8.1f}"
                        f"  p99 {row['p99']:8.1f} ms  errors {row['errors']} {row['error_kinds'] or ''}"
                        f"  (load {row['load']})",
                        flush=True,
                    )
                if args.profile and name.startswith("euprojects") and "profile" not in meta:
                    meta["profile"] = profile(server, paths_file, args.duration, args.timeout, work)
                    print(meta["profile"], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    meta["load_after"] = load()
    reference = totals.get("Datasette")
    meta["agreement"] = (
        ", ".join(
            f"{name} {sum(a == b for a, b in zip(t, reference, strict=True))}/{len(reference)}"
            for name, t in totals.items()
            if name != "Datasette"
        )
        if reference
        else "– (Datasette not run)"
    )
    text = report(args.size, rows, meta)
    if "profile" in meta:
        text += "\n\n" + meta["profile"]
    print("\n" + text + "\n")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    write_json(RESULTS / f"http-{stamp}.json", {"meta": meta, "rows": rows, "totals": totals})
    (RESULTS / f"http-{stamp}.md").write_text(text + "\n", encoding="utf-8")
    print(f"results: {RESULTS / f'http-{stamp}.md'}")


if __name__ == "__main__":
    main()
