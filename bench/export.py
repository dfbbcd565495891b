"""Export benchmark: CSV, JSON Lines and XLSX of the whole real store, with XLSX writers side by side.

    .venv/bin/python bench/export.py [--repeat 1] [--ways csv,jsonl,xlsx,...] [--check]

The store is every file of $EUPROJECTS_DATA (default ../shared/data) and ../shared/seeds,
ingested and indexed once and cached in bench/.cache/real-<data key>/ (the same store
bench/search.py scales from). Each way runs in its own child process over the same search (no
words, no filters: every project, newest first), the way /api/v1/export walks it: matching ids
500 at a time, the projects of each batch from the store, rows to the writer. A child reports
wall and CPU seconds, the seconds until its first byte could leave, the bytes written and its
own peak RSS (VmHWM).

Ways:
- ``fetch``: the search and the store alone, nothing written (the floor every export pays);
- ``csv``, ``jsonl``: euprojects' writers (``export.csv_chunks``, ``export.jsonl_chunks``);
- ``xlsx``: euprojects' streaming workbook (``export.xlsx_chunks``, zlib level 1);
- ``xlsx-level6``: the same at zlib level 6, xlsxwriter's level (smaller, slower);
- ``xlsxwriter``: the path exports took before: xlsxwriter in constant-memory mode, rows with
  ``write_row``, the whole file built before a byte is sent;
- ``pyexcelerate``: PyExcelerate 0.13 (all rows in memory, then saved), if installed;
- ``rustpy``: rustpy-xlsxwriter 0.8 (Rust's rust_xlsxwriter; rows as dicts from two passes over
  the store, one per sheet), if installed.

``--check`` opens every XLSX with openpyxl (read-only) and counts its rows: slow, off by default.
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
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

if str(_HERE) not in sys.path:
    sys.path.append(str(_HERE))

from common import CACHE, RESULTS, load, machine, peak_rss_mb, run_child, table, write_json
from search import _step, ensure_real

WORK = CACHE / "export"
BATCH = 500
WAYS = ("fetch", "csv", "jsonl", "xlsx", "xlsx-level6", "xlsxwriter", "pyexcelerate", "rustpy")
BASELINE = "xlsxwriter"


def ensure_store() -> Path:
    """The real store and its index, built once (in child processes) and cached."""
    log = CACHE / "export-build.log"
    real = ensure_real(log)
    _step(real, "index", [], log)
    return real


# --- what each child runs -----------------------------------------------------------------------
def _open(folder: Path) -> tuple[Any, Any]:
    from euprojects.search import Searcher
    from euprojects.store import open_store

    store = open_store(f"sqlite:///{folder / 'store.db'}")
    return store, Searcher(folder / "index", store)


def _search(store: Any, searcher: Any) -> tuple[Any, Iterator[list[Any]]]:
    """Every project, in the export's order, a batch at a time: as web/exports.py walks it."""
    from euprojects.export import ExportInfo
    from euprojects.web.params import request_from

    request = request_from({}, limit=0)
    total, sort, ids = searcher.matching_ids(request, BATCH)
    info = ExportInfo(query="", filters={}, sort=sort, total=total)

    def batches() -> Iterator[list[Any]]:
        for batch in ids:
            found = {p.id: p for p in store.projects(batch)}
            yield [found[pid] for pid in batch if pid in found]

    return info, batches()


class Meter:
    """Bytes written and when the first of them was ready."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.first: float | None = None
        self.bytes = 0

    def add(self, size: int) -> None:
        if size and self.first is None:
            self.first = time.perf_counter() - self.started
        self.bytes += size


@dataclass
class Job:
    """One export to run: the search's description and batches, where its bytes go."""

    folder: Path
    info: Any
    batches: Iterator[list[Any]]
    meter: Meter
    out: Path


Runner = Callable[[Job], int]


def _stream(chunks: Iterable[bytes], meter: Meter, path: Path | None = None) -> None:
    with (path or Path("/dev/null")).open("wb") as out:
        for chunk in chunks:
            meter.add(len(chunk))
            out.write(chunk)


def way_fetch(job: Job) -> int:
    return sum(len(batch) for batch in job.batches)


def way_csv(job: Job) -> int:
    from euprojects.export import csv_chunks

    counted = Counted(job.batches)
    _stream(csv_chunks(counted, job.info), job.meter)
    return counted.projects


def way_jsonl(job: Job) -> int:
    from euprojects.export import jsonl_chunks

    counted = Counted(job.batches)
    _stream(jsonl_chunks(counted, job.info), job.meter)
    return counted.projects


def _xlsx(level: int) -> Runner:
    def way(job: Job) -> int:
        from euprojects.export import xlsx_chunks

        counted = Counted(job.batches)
        _stream(xlsx_chunks(counted, job.info, level), job.meter, job.out)
        return counted.projects

    return way


def way_xlsxwriter(job: Job) -> int:
    """The path exports took before: the workbook built whole, then sent."""
    import xlsxwriter

    from euprojects.export import PARTICIPATION_COLUMNS, PROJECT_COLUMNS, participation_row, project_row

    book = xlsxwriter.Workbook(str(job.out), {"constant_memory": True, "strings_to_formulas": False})
    projects, partners = book.add_worksheet("Projects"), book.add_worksheet("Participations")
    bold = book.add_format({"bold": True})
    projects.write_row(0, 0, PROJECT_COLUMNS, bold)
    partners.write_row(0, 0, PARTICIPATION_COLUMNS, bold)
    project_line = partner_line = 1
    for batch in job.batches:
        for project in batch:
            projects.write_row(project_line, 0, project_row(project))
            project_line += 1
            for participation in project.participations:
                partners.write_row(partner_line, 0, participation_row(project, participation))
                partner_line += 1
    about = book.add_worksheet("About")
    for number, row in enumerate(_about(job.info)):
        about.write_row(number, 0, row)
    book.close()
    job.meter.add(job.out.stat().st_size)  # the first byte can leave only now
    return project_line - 1


def _about(info: Any) -> list[list[Any]]:
    from euprojects.export import about_rows, safe

    return [[key, safe(value)] for key, value in about_rows(info)]


def way_pyexcelerate(job: Job) -> int:
    from pyexcelerate import Workbook

    from euprojects.export import PARTICIPATION_COLUMNS, PROJECT_COLUMNS, participation_row, project_row

    projects: list[list[Any]] = [list(PROJECT_COLUMNS)]
    partners: list[list[Any]] = [list(PARTICIPATION_COLUMNS)]
    for batch in job.batches:
        for project in batch:
            projects.append(project_row(project))
            partners.extend(participation_row(project, p) for p in project.participations)
    book = Workbook()
    book.new_sheet("Projects", data=projects)
    book.new_sheet("Participations", data=partners)
    book.new_sheet("About", data=_about(job.info))
    book.save(str(job.out))
    job.meter.add(job.out.stat().st_size)
    return len(projects) - 1


def way_rustpy(job: Job) -> int:
    """rustpy-xlsxwriter writes one sheet after the other from generators of dicts, so the
    store is walked twice (the second walk is a new search, as the first is used up)."""
    from rustpy_xlsxwriter import FastExcel

    from euprojects.export import PARTICIPATION_COLUMNS, PROJECT_COLUMNS, participation_row, project_row

    counted = Counted(job.batches)

    def projects() -> Iterator[dict[str, Any]]:
        for batch in counted:
            for project in batch:
                yield dict(zip(PROJECT_COLUMNS, project_row(project), strict=True))

    def partners() -> Iterator[dict[str, Any]]:
        for batch in _search(*_open(job.folder))[1]:
            for project in batch:
                for p in project.participations:
                    yield dict(zip(PARTICIPATION_COLUMNS, participation_row(project, p), strict=True))

    about = [dict(zip(("key", "value"), row, strict=True)) for row in _about(job.info)]
    book = FastExcel(str(job.out)).format(bold_headers=True)
    book.sheet("Projects", projects()).sheet("Participations", partners()).sheet("About", about).save()
    job.meter.add(job.out.stat().st_size)
    return counted.projects


class Counted:
    """Passes batches through and counts their projects."""

    def __init__(self, batches: Iterator[list[Any]]) -> None:
        self.batches, self.projects = batches, 0

    def __iter__(self) -> Iterator[list[Any]]:
        for batch in self.batches:
            self.projects += len(batch)
            yield batch


RUNNERS: dict[str, Runner] = {
    "fetch": way_fetch,
    "csv": way_csv,
    "jsonl": way_jsonl,
    "xlsx": _xlsx(1),
    "xlsx-level6": _xlsx(6),
    "xlsxwriter": way_xlsxwriter,
    "pyexcelerate": way_pyexcelerate,
    "rustpy": way_rustpy,
}


def child(way: str, out_json: Path, folder: Path) -> None:
    store, searcher = _open(folder)
    out = WORK / f"{way}.xlsx"
    out.unlink(missing_ok=True)
    started_cpu, started = time.process_time(), time.perf_counter()
    meter = Meter(started)
    info, batches = _search(store, searcher)
    projects = RUNNERS[way](Job(folder, info, batches, meter, out))
    result = {
        "way": way,
        "projects": projects,
        "total": info.total,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - started_cpu,
        "first_byte_seconds": meter.first,
        "mb": meter.bytes / 2**20,
        "peak_rss_mb": peak_rss_mb(),
        "file": str(out) if out.exists() else None,
    }
    out_json.write_text(json.dumps(result), encoding="utf-8")


def available(way: str) -> bool:
    from importlib.util import find_spec

    module = {"pyexcelerate": "pyexcelerate", "rustpy": "rustpy_xlsxwriter", "xlsxwriter": "xlsxwriter"}.get(way)
    return module is None or find_spec(module) is not None


def run(way: str, folder: Path) -> dict[str, Any]:
    out = WORK / f"{way}.json"
    out.unlink(missing_ok=True)
    child_run = run_child([str(Path(__file__).resolve()), "_child", way, str(folder), str(out)], WORK / "children.log")
    if child_run.returncode != 0:
        raise SystemExit(f"{way} failed (exit {child_run.returncode}); see {WORK / 'children.log'}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def check(path: Path) -> tuple[int, int]:
    """Rows of the Projects and Participations sheets as openpyxl reads them (headers included)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        projects, partners = (sum(1 for _ in book[name].iter_rows()) for name in ("Projects", "Participations"))
        return projects, partners
    finally:
        book.close()


def report(results: dict[str, dict[str, Any]], meta: dict[str, Any]) -> str:
    """One row per way; XLSX writers also as ratios to the old path (wall time and CPU time:
    on a shared machine the CPU ratio is the steadier one)."""
    base = results.get(BASELINE)
    rows = []
    for way, r in results.items():
        xlsx = base is not None and way not in ("fetch", "csv", "jsonl")
        rows.append(
            [way, r["projects"], r["seconds"], r["cpu_seconds"], r["projects"] / r["seconds"],
             _or_nan(r["first_byte_seconds"]), r["mb"], round(r["peak_rss_mb"]),
             f"{base['seconds'] / r['seconds']:.2f}×" if xlsx and base else "",
             f"{base['cpu_seconds'] / r['cpu_seconds']:.2f}×" if xlsx and base else "",
             r.get("check", "")]
        )  # fmt: skip
    header = ["way", "projects", "best s", "CPU s", "projects/s", "first byte s", "MB out", "peak RSS MB",
              f"{BASELINE} s ÷ this", f"{BASELINE} CPU ÷ this", "openpyxl rows"]  # fmt: skip
    return "\n".join(
        [
            f"### Whole-store exports (best of {meta['repeat']}; load {meta['load_before']} before,"
            f" {meta['load_after']} after; commit {meta['machine']['commit']})",
            "",
            table(header, rows),
        ]
    )


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--ways", default=",".join(WAYS))
    parser.add_argument("--check", action="store_true", help="open each XLSX with openpyxl and count its rows")
    args = parser.parse_args()
    ways = [w for w in args.ways.split(",") if w]
    unknown = [w for w in ways if w not in RUNNERS]
    if unknown:
        parser.error(f"--ways: unknown {', '.join(unknown)}; ways: {', '.join(WAYS)}")
    folder = ensure_store()
    WORK.mkdir(parents=True, exist_ok=True)
    meta: dict[str, Any] = {"machine": machine(), "repeat": args.repeat, "load_before": load()}
    results: dict[str, dict[str, Any]] = {}
    for way in ways:
        if not available(way):
            print(f"  {way}: not installed, skipped", flush=True)
            continue
        runs = []
        for attempt in range(args.repeat):
            print(f"  {way} (run {attempt + 1}, load {load()}) …", flush=True)
            runs.append(run(way, folder))
        best = min(runs, key=lambda r: r["seconds"])
        best["runs"] = [r["seconds"] for r in runs]
        if args.check and best["file"]:
            best["check"] = "/".join(str(n) for n in check(Path(best["file"])))
        results[way] = best
    meta["load_after"] = load()
    text = report(results, meta)
    print("\n" + text + "\n")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    write_json(RESULTS / f"export-{stamp}.json", {**meta, "results": results})
    (RESULTS / f"export-{stamp}.md").write_text(text + "\n", encoding="utf-8")
    print(f"results: {RESULTS / f'export-{stamp}.md'}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        child(sys.argv[2], Path(sys.argv[4]), Path(sys.argv[3]))
    else:
        main()
