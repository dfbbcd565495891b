"""Damaged copies of real files, one per container, through `euprojects ingest`: each ends in one
line naming the file, a non-zero exit and a store whose records are as they were."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from euprojects.cli import main
from euprojects.settings import load
from euprojects.store import open_store


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("EUPROJECTS_HOME", str(folder))
    monkeypatch.delenv("EUPROJECTS_DATABASE_URL", raising=False)
    monkeypatch.delenv("EUPROJECTS_INDEX_DIR", raising=False)
    return folder


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def records() -> tuple[int, int, int]:
    store = open_store(load().database_url)
    stats = store.stats()
    store.close()
    return stats.projects, stats.participations, stats.fragments


def garble_middle(data: bytes, start: int, size: int) -> bytes:
    """``data`` with 64 bytes in the middle of ``data[start:start + size]`` inverted."""
    middle = start + size // 2
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]) + data[middle + 64 :]


def corrupt_sheet(data: bytes, path: Path) -> bytes:
    """The workbook with its zip directory intact and its sheet's compressed stream garbled."""
    with zipfile.ZipFile(path) as archive:
        entry = archive.getinfo("xl/worksheets/sheet1.xml")
    name_length, extra_length = struct.unpack("<HH", data[entry.header_offset + 26 : entry.header_offset + 30])
    return garble_middle(data, entry.header_offset + 30 + name_length + extra_length, entry.compress_size)


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


WORKBOOK = "cordis-horizon-organizations-split/organization_1.xlsx"
FP7 = "cordis-fp7-samples/fp7_test_projects.csv"
JSON = "cordis-fp7-samples/marzeelabs_projects.json"
Damage = Callable[[bytes, Path], bytes]
# case: (real file, name of its copy, how the copy is damaged from the real bytes and path, what
# the file's one error line says)
CASES: dict[str, tuple[str, str, Damage, str]] = {
    "xlsx, corrupt sheet stream": (
        WORKBOOK,
        "organization_1.xlsx",
        corrupt_sheet,
        "sheet 'DATA': xl/worksheets/sheet1.xml inside the workbook is damaged (",
    ),
    "xlsx, truncated zip": (
        WORKBOOK,
        "organization_1.xlsx",
        lambda data, _: data[: len(data) // 2],
        "cordis-he-organizations, cordis-report-summaries, cordis-weblinks: not a readable XLSX workbook: "
        "the zip archive is cut short or damaged (File is not a zip file)",
    ),
    "xlsx, text saved as a workbook": (
        WORKBOOK,
        "organization_1.xlsx",
        lambda _, __: b"projectID;projectAcronym\n101051386;BRIDGE\n",
        "cordis-he-organizations, cordis-report-summaries, cordis-weblinks: "
        "not an XLSX workbook: the file is text, not a zip archive",
    ),
    "gzip, truncated": (
        FP7,
        "fp7_test_projects.csv.gz",
        lambda data, _: gzipped(data)[: len(gzipped(data)) // 2],
        "nothing was removed: reading stopped after line ",
    ),
    "gzip, corrupt": (
        FP7,
        "fp7_test_projects.csv.gz",
        lambda data, _: garble_middle(gzipped(data), 0, len(gzipped(data))),
        "nothing was removed: reading stopped after line ",
    ),
    "zip of a table": (
        FP7,
        "fp7_test_projects.zip",
        lambda data, _: _zipped(data),
        "no known format recognises this file: it is a zip archive but not a workbook",
    ),
    "json, truncated": (
        JSON,
        "marzeelabs_projects.json",
        lambda data, _: data[: len(data) // 2],
        "not valid JSON: ",
    ),
    "json, invalid": (
        JSON,
        "marzeelabs_projects.json",
        lambda data, _: data.replace(b"},", b"};", 1),
        "not valid JSON: Expecting ',' delimiter: line 12 column 8",
    ),
}


def _zipped(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("fp7_test_projects.csv", data)
    return out.getvalue()


@pytest.mark.parametrize("case", list(CASES))
def test_a_damaged_file_is_one_line_a_non_zero_exit_and_no_change(
    home: Path, data: Path, tmp_path: Path, case: str
) -> None:
    source, name, damage, message = CASES[case]
    folder = tmp_path / Path(source).parent.name  # the same data set, so the same file in the store
    folder.mkdir()
    path = folder / name
    intact = (data / source).read_bytes()
    path.write_bytes(gzipped(intact) if name.endswith(".gz") else intact)
    if not name.endswith(".zip"):
        assert run("ingest", "--no-index", str(path)).exit_code == 0
    before = records()
    path.write_bytes(damage(intact, data / source))
    result = run("ingest", "--no-index", str(path))
    assert result.exit_code == 1, result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: {path}: ") and message in line, line
    assert "Traceback" not in result.output
    assert records() == before
