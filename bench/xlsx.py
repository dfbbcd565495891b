"""XLSX benchmark: the regular-expression reader, python-calamine and openpyxl (read-only) on the real workbooks.

    .venv/bin/python bench/xlsx.py [--repeat 3]

Every reader turns every cell of the first sheet into text, as the loaders need it, for two file
sets: the 81 small CORDIS organisation chunks and the 4 larger report/deliverable tables. It
times a full read of each set (best of ``--repeat``) and the first row alone (what format
detection reads), and counts the cells each reader gives differently from euprojects'
``Workbook``. openpyxl's read-only mode trusts the sheet's declared ``<dimension>`` (A1 in these
files), so it is run after ``reset_dimensions()``; without it, it reads the header row alone.
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
import datetime as dt
import time
from collections.abc import Callable, Iterator

if str(_HERE) not in sys.path:
    sys.path.append(str(_HERE))

import openpyxl

from common import RESULTS, data_dir, load, machine, table, write_json
from euprojects.sources.files.xlsx import Workbook, cell_text
from xlsx_regex import Workbook as RegexWorkbook

Rows = Iterator[tuple[int, list[str]]]
SETS = {
    "organisation chunks": "cordis-horizon-organizations-split",
    "reports/deliverables": "cordis-horizon-reports-deliverables",
}


def regex_rows(path: Path) -> Rows:
    with RegexWorkbook(path) as book:
        yield from book.rows(0)


def regex_first(path: Path) -> list[str]:
    with RegexWorkbook(path) as book:
        return book.first_row(0)


def euprojects_rows(path: Path) -> Rows:
    with Workbook(path) as book:
        yield from book.rows(0)


def euprojects_first(path: Path) -> list[str]:
    with Workbook(path) as book:
        return book.first_row(0)


def openpyxl_rows(path: Path) -> Rows:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if value is None else _openpyxl_text(value) for value in row]
            if any(cells):
                yield number, cells
    finally:
        book.close()


def openpyxl_first(path: Path) -> list[str]:
    return next(iter(openpyxl_rows(path)), (0, []))[1]


def _openpyxl_text(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date | dt.time | float | bool | int):
        return cell_text(value)
    return str(value)


READERS: dict[str, tuple[Callable[[Path], Rows], Callable[[Path], list[str]]]] = {
    "regex reader (before)": (regex_rows, regex_first),
    "euprojects Workbook": (euprojects_rows, euprojects_first),
    "openpyxl read-only": (openpyxl_rows, openpyxl_first),
}


def _trimmed(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def differing_cells(reference: list[tuple[int, list[str]]], other: list[tuple[int, list[str]]]) -> int:
    """Cells that differ (a missing row counts all its cells), trailing empty cells ignored."""
    ours = {number: _trimmed(cells) for number, cells in reference}
    theirs = {number: _trimmed(cells) for number, cells in other}
    count = 0
    for number in ours.keys() | theirs.keys():
        a, b = ours.get(number, []), theirs.get(number, [])
        width = max(len(a), len(b))
        a, b = a + [""] * (width - len(a)), b + [""] * (width - len(b))
        count += sum(x != y for x, y in zip(a, b, strict=True))
    return count


def measure(files: list[Path], repeat: int) -> list[dict[str, object]]:
    reference = {path: list(euprojects_rows(path)) for path in files}
    results = []
    for name, (rows, first) in READERS.items():
        full = min(_timed(lambda rows=rows: [list(rows(p)) for p in files]) for _ in range(repeat))
        head = min(_timed(lambda first=first: [first(p) for p in files]) for _ in range(repeat))
        read = {path: list(rows(path)) for path in files}
        results.append(
            {
                "reader": name,
                "rows": sum(len(r) for r in read.values()),
                "cells": sum(len(_trimmed(c)) for r in read.values() for _, c in r),
                "seconds": full,
                "first_row_seconds": head,
                "differing_cells": sum(differing_cells(reference[p], read[p]) for p in files),
            }
        )
    return results


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def report(measured: dict[str, list[dict[str, object]]]) -> str:
    header = (
        "file set",
        "reader",
        "rows",
        "full read s",
        "rows/s",
        "vs regex",
        "first row s",
        "vs regex",
        "cells ≠ Workbook",
    )
    lines = []
    for set_name, results in measured.items():
        base = results[0]
        for result in results:
            seconds, head = float(str(result["seconds"])), float(str(result["first_row_seconds"]))
            lines.append(
                (
                    set_name,
                    result["reader"],
                    result["rows"],
                    round(seconds, 3),
                    round(int(str(result["rows"])) / seconds),
                    f"{seconds / float(str(base['seconds'])):.2f}×",
                    round(head, 3),
                    f"{head / float(str(base['first_row_seconds'])):.2f}×",
                    result["differing_cells"],
                )
            )
    return table(header, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per reader; the best is kept")
    args = parser.parse_args()
    before = load()
    measured = {}
    for set_name, folder in SETS.items():
        files = sorted((data_dir() / folder).glob("*.xlsx"))
        measured[set_name] = measure(files, args.repeat)
    text = report(measured)
    print(text)
    print(f"\nload {before} → {load()}; best of {args.repeat}; vs regex = time / the regex reader's time")
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_json(RESULTS / "xlsx.json", {"machine": machine(), "results": measured})
    (RESULTS / "xlsx.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
