"""Helpers shared by the benchmarks: paths, child processes with their peak memory, statistics, tables."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
RESULTS = BENCH / "results"
PYTHON = sys.executable


def data_dir() -> Path:
    configured = os.environ.get("EUPROJECTS_DATA")
    return Path(configured).resolve() if configured else (ROOT.parent / "shared" / "data").resolve()


def seeds_dir() -> Path:
    return data_dir().parent / "seeds"


def load() -> str:
    """The machine's load averages (1, 5, 15 min), as ``uptime`` prints them."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> dict[str, object]:
    from importlib.metadata import version

    import tantivy  # noqa: F401  (version below)

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "tantivy": version("tantivy"),
        "load": load(),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_in_src": _git("status", "--porcelain", "--", "src").split("\n")
        if _git("status", "--porcelain", "--", "src")
        else [],
    }


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return ""
    return done.stdout.rstrip()


@dataclass
class ChildRun:
    seconds: float
    max_rss_mb: float
    returncode: int
    cpu_seconds: float = 0.0  # user + system, the child's and its waited-for workers' (wait4)


def run_child(args: Sequence[str], log: Path | None = None) -> ChildRun:
    """Run a Python child process to its end; its own wall time and peak RSS (from wait4)."""
    started = time.perf_counter()
    out = log.open("ab") if log else None
    try:
        process = subprocess.Popen([PYTHON, *args], stdout=out, stderr=subprocess.STDOUT if out else None, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if out:
            out.close()
    return ChildRun(
        time.perf_counter() - started, usage.ru_maxrss / 1024, process.returncode, usage.ru_utime + usage.ru_stime
    )


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), which starts afresh at exec."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table with aligned columns."""
    cells = [[str(c) for c in header], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:
            return "–"
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, default=str), encoding="utf-8")


def read_json(path: Path) -> dict[str, object] | None:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return loaded if isinstance(loaded, dict) else None
