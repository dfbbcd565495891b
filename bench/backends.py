"""SQLite and PostgreSQL stores side by side: a full ingest, then HTTP search under load.

    .venv/bin/python bench/backends.py [--pg-url postgresql://root@127.0.0.1:5432/test]
        [--concurrency 16] [--workers 2] [--duration 20] [--skip-ingest]

1. Full ingest: ``euprojects ingest --no-embed`` of every file of $EUPROJECTS_DATA (default
   ../shared/data) and ../shared/seeds into a fresh store of each backend, index included, as a
   child process each (wall time, peak RSS, and CPU time: the child's with its workers', and
   the local PostgreSQL server's meanwhile, read from /proc). The PostgreSQL store is a schema of its own
   (``bench_backends``), dropped and made again; the SQLite store is bench/.cache/backends/.
2. HTTP search: ``euprojects serve --workers 2`` on each store with its search cache off
   (every request is searched and hydrated from the store), wrk (``apt-get install wrk``) at
   concurrency 16 over 200 one-word queries taken from the stored titles, GET
   /api/v1/search?q=…&limit=20 with the default facets. Every query is answered once first and
   the two backends' match counts are compared.

Prints two tables with the PostgreSQL/SQLite ratios and writes bench/results/backends-*.md/json.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]  # bench/http.py is not http
import http.client  # noqa: E402

sys.path.append(str(BENCH))

from common import CACHE, RESULTS, ChildRun, data_dir, load, machine, run_child, seeds_dir, table, write_json  # noqa: E402

WORK = CACHE / "backends"
SCHEMA = "bench_backends"
QUERIES = 200


def _pg_url(server: str) -> str:
    joiner = "&" if "?" in server else "?"
    return f"{server}{joiner}options={urllib.parse.quote(f'-csearch_path={SCHEMA}')}"


def _env(backend: str, server: str) -> dict[str, str]:
    home = WORK / backend
    url = f"sqlite:///{home / 'store.db'}" if backend == "sqlite" else _pg_url(server)
    return {
        **os.environ,
        "EUPROJECTS_HOME": str(home),
        "EUPROJECTS_DATABASE_URL": url,
        "EUPROJECTS_INDEX_DIR": str(home / "index"),
        "EUPROJECTS_SEARCH_CACHE": "0",
        "EUPROJECTS_SYNC_SECONDS": "0",
    }


def _fresh(backend: str, server: str) -> None:
    shutil.rmtree(WORK / backend, ignore_errors=True)
    (WORK / backend).mkdir(parents=True)
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            conn.execute(f"CREATE SCHEMA {SCHEMA}")


def server_cpu_seconds() -> float:
    """CPU time of the local PostgreSQL server so far: its live processes' own, and what its
    postmaster collected from the backends that have ended (``cutime``/``cstime``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        comm, rest = text.split("(", 1)[1].rsplit(")", 1)
        if not comm.startswith("postgres"):
            continue
        fields = rest.split()
        utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
        total += utime + stime
        if (stat.parent / "cmdline").read_bytes().startswith(b"/usr/lib/postgresql/"):  # the postmaster
            total += cutime + cstime
    return total / ticks


def ingest(backend: str, server: str) -> tuple[ChildRun, float]:
    """The child's run and the PostgreSQL server's CPU seconds meanwhile."""
    _fresh(backend, server)
    before = server_cpu_seconds()
    env = _env(backend, server)
    saved = dict(os.environ)
    os.environ.update(env)  # run_child passes this process's environment on
    try:
        args = ["-m", "euprojects", "ingest", "--no-embed", str(data_dir()), str(seeds_dir())]
        run = run_child(args, WORK / f"{backend}-ingest.log")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    if run.returncode != 0:
        raise SystemExit(f"{backend} ingest failed; see {WORK / f'{backend}-ingest.log'}")
    return run, server_cpu_seconds() - before


def queries() -> list[str]:
    """200 one-word queries: the longest word of titles chosen with a fixed seed."""
    db = sqlite3.connect(WORK / "sqlite" / "store.db")
    titles = [t for (t,) in db.execute("SELECT title FROM projects WHERE listed AND title IS NOT NULL ORDER BY id")]
    db.close()
    chosen = random.Random(7).sample(titles, min(QUERIES * 2, len(titles)))
    words = [max(re.findall(r"[^\W\d_]{5,}", title), key=len, default="") for title in chosen]
    return [w.lower() for w in words if w][:QUERIES]


def search_path(word: str) -> str:
    return "/api/v1/search?" + urllib.parse.urlencode({"q": word, "limit": "20"})


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def serve_and_load(backend: str, server: str, words: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Serve the backend's store with ``--workers``, answer every query once, then wrk it."""
    import json
    import socket
    import subprocess

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = _env(backend, server)
    log = (WORK / f"{backend}-serve.log").open("wb")
    command = [sys.executable, "-m", "euprojects", "serve", "--port", str(port), "--workers", str(args.workers)]
    process = subprocess.Popen([*command, "--no-embed"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if _get(port, "/api/v1/stats")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"{backend}: the server did not answer; see {WORK / f'{backend}-serve.log'}")
            time.sleep(0.5)
        totals = []
        for word in words:
            status, body = _get(port, search_path(word))
            if status != 200:
                raise SystemExit(f"{backend}: {status} for {search_path(word)}")
            totals.append(json.loads(body)["data"]["total"])
        paths = WORK / "paths.txt"
        paths.write_text("".join(search_path(w) + "\n" for w in words), encoding="utf-8")
        script = WORK / "rotate.lua"
        script.write_text(_wrk_script() % {"paths": paths}, encoding="utf-8")
        wrk = ["wrk", "-t", "2", "-c", str(args.concurrency), "-d", f"{args.duration}s", "--timeout", "30s"]
        done = subprocess.run([*wrk, "-s", str(script), f"http://127.0.0.1:{port}"], capture_output=True, text=True)
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK-JSON ")), None)
        if done.returncode != 0 or line is None:
            raise SystemExit(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
        raw = json.loads(line.removeprefix("WRK-JSON "))
        errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
        return {
            "backend": backend,
            "totals": totals,
            "requests": raw["requests"],
            "rps": raw["requests"] / (raw["duration_us"] / 1e6),
            "p50": raw["p50_us"] / 1000,
            "p95": raw["p95_us"] / 1000,
            "p99": raw["p99_us"] / 1000,
            "errors": errors,
            "load": load(),
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wrk_script() -> str:
    """bench/http.py's wrk script (it rotates through the URLs and prints latency percentiles)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_http", BENCH / "http.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.LUA)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default="postgresql://root@127.0.0.1:5432/test")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--skip-ingest", action="store_true", help="Reuse the stores of the last run.")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    WORK.mkdir(parents=True, exist_ok=True)
    meta = machine()
    lines = [f"## Backends — {meta['date']}, commit {meta['commit']}, load at start {meta['load']}", ""]
    ingests: dict[str, ChildRun] = {}
    servers: dict[str, float] = {}
    if not args.skip_ingest:
        for backend in ("sqlite", "postgresql"):
            ingests[backend], servers[backend] = ingest(backend, args.pg_url)
            print(f"{backend}: ingested in {ingests[backend].seconds:.1f} s (load {load()})", flush=True)
        base = ingests["sqlite"]
        base_cpu = base.cpu_seconds + servers["sqlite"]
        lines += [
            "### Full ingest of all data + seeds, index included (`euprojects ingest --no-embed`)",
            "",
            table(
                ["backend", "wall s", "client CPU s", "server CPU s", "peak RSS MB", "wall ratio", "CPU ratio"],
                [
                    (
                        name,
                        run.seconds,
                        run.cpu_seconds,
                        servers[name],
                        run.max_rss_mb,
                        f"{run.seconds / base.seconds:.2f}×",
                        f"{(run.cpu_seconds + servers[name]) / base_cpu:.2f}×",
                    )
                    for name, run in ingests.items()
                ],
            ),
            f"load after: {load()}",
            "",
        ]
    words = queries()
    rows = [serve_and_load(backend, args.pg_url, words, args) for backend in ("sqlite", "postgresql")]
    if rows[0]["totals"] != rows[1]["totals"]:
        differing = sum(1 for a, b in zip(rows[0]["totals"], rows[1]["totals"], strict=True) if a != b)
        lines.append(f"**{differing} of {len(words)} queries found different match counts on the two backends**")
    lines += [
        f"### HTTP search at concurrency {args.concurrency}, `serve --workers {args.workers}`, cache off,"
        f" {len(words)} one-word queries, {args.duration} s each",
        "",
        table(
            ["backend", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "p95 ratio", "load 1m"],
            [
                (
                    r["backend"],
                    r["requests"],
                    r["rps"],
                    r["p50"],
                    r["p95"],
                    r["p99"],
                    r["errors"],
                    f"{r['p95'] / rows[0]['p95']:.2f}×",
                    r["load"].split()[0],
                )
                for r in rows
            ],
        ),
    ]
    text = "\n".join(lines)
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"backends-{stamp}.md").write_text(text + "\n", encoding="utf-8")
    write_json(
        RESULTS / f"backends-{stamp}.json",
        {"meta": meta, "ingest": {k: vars(v) for k, v in ingests.items()}, "server_cpu": servers, "http": rows},
    )


if __name__ == "__main__":
    main()
