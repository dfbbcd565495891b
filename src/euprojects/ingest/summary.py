"""An ingest's report as a reader wants it: one line per data set (a folder of files), with the
files read, the rows and records, and what changed; the per-file detail stays in ``--verbose``
and ``--json``."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from euprojects.ingest.reading import FileReport
from euprojects.ingest.unchanged import UNCHANGED


class DataSetLine(msgspec.Struct):
    data_set: str
    files: int = 0
    read: int = 0
    unchanged_files: int = 0
    rows: int = 0
    rejected: int = 0
    new: int = 0
    changed: int = 0
    removed: int = 0
    failed: int = 0


def by_data_set(reports: Sequence[FileReport]) -> list[DataSetLine]:
    """One line per data set, in the order the files came."""
    lines: dict[str, DataSetLine] = {}
    for report in reports:
        if report.format is None and not report.error:
            continue  # documentation and companions beside the data
        line = lines.setdefault(report.dataset, DataSetLine(report.dataset))
        line.files += 1
        if report.skipped == UNCHANGED:
            line.unchanged_files += 1
            continue
        line.read += 1
        line.rows += report.read
        line.rejected += report.rejected
        line.new += report.new
        line.changed += report.updated
        line.removed += report.removed
        line.failed += bool(report.failed)
    return list(lines.values())
