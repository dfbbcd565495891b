"""The streaming XLSX writer: what openpyxl reads back, sheets past the row limit, and clean-up."""

from __future__ import annotations

import io
import math
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from euprojects.sources.files.xlsx import Workbook
from euprojects.workbook import MAX_CHARS, StreamingWorkbook, column_letters


def _bytes(book: StreamingWorkbook, chunks: Iterator[bytes] | None = None) -> bytes:
    return book.take() + b"".join(chunks if chunks is not None else book.finish())


def _read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_column_letters_run_past_z() -> None:
    letters = column_letters(28)
    assert letters[0] == "A" and letters[25] == "Z" and letters[26:] == ["AA", "AB"]
    assert column_letters(703)[-1] == "AAA"


# Text a careless or hostile publisher could put in a title or a name, and what Excel cannot hold.
AWKWARD = [
    "plain",
    "  leading and trailing spaces  ",
    "tags <b>&amp; entities</b> & ampersands",
    "control \x01\x08\x0b characters",
    "an escape Excel would decode: _x0041_",
    "emoji 🇪🇺 and Ελληνικά",
    "line\nbreaks\r\nand\ttabs",
]


def test_awkward_text_comes_back_as_written(tmp_path: Path) -> None:
    book = StreamingWorkbook()
    sheet = book.add_sheet("Data", ["text"])
    for text in AWKWARD:
        sheet.append([text])
    path = tmp_path / "awkward.xlsx"
    path.write_bytes(_bytes(book))
    # The project's own reader decodes Excel's _xHHHH_ escapes as Excel does; openpyxl leaves them.
    with Workbook(path) as written:
        assert [cells[0] for _, cells in written.rows("Data")] == ["text", *AWKWARD]
    loaded = [row[0] for row in _read(path.read_bytes())["Data"].iter_rows(values_only=True)]
    assert loaded[1:3] == AWKWARD[:2] and "\x01" not in loaded[4]


def test_values_keep_their_type_and_excel_limits() -> None:
    book = StreamingWorkbook()
    sheet = book.add_sheet("Data", ["text", "number", "flag", "nothing", "last"])
    sheet.append(["a", 1.5, True, None, None])
    sheet.append(["x" * (MAX_CHARS + 10), 2**40, False, "", math.nan])
    rows = list(_read(_bytes(book))["Data"].iter_rows(values_only=True))
    assert rows[1] == ("a", 1.5, True, None, None)
    assert rows[2] == ("x" * MAX_CHARS, 2**40, False, None, "nan")  # cut to Excel's limit; NaN as text


def test_headers_are_bold_and_rows_are_as_wide_as_the_header() -> None:
    book = StreamingWorkbook()
    sheet = book.add_sheet("Data", ["a", "b", "c"])
    sheet.append(["only the first"])
    loaded = _read(_bytes(book))["Data"]
    assert loaded["A1"].font.b and not loaded["A2"].font.b
    read_only = openpyxl.load_workbook(io.BytesIO(_bytes(_one_row_book())), read_only=True)
    assert [len(row) for row in read_only["Data"].iter_rows(values_only=True)] == [3, 3]


def _one_row_book() -> StreamingWorkbook:
    book = StreamingWorkbook()
    book.add_sheet("Data", ["a", "b", "c"]).append(["x", None, ""])
    return book


def test_sheets_past_the_row_limit_go_on_in_numbered_sheets_with_the_header() -> None:
    book = StreamingWorkbook(max_rows=4)
    first = book.add_sheet("Projects", ["id"])
    second = book.add_sheet("Participations", ["id", "role"])  # waits in a temporary file
    for number in range(7):
        first.append([f"p{number}"])
        second.append([f"p{number}", "partner"])
    first.end()
    book.add_sheet("About", width=2).append(["source", "euprojects"])
    loaded = _read(_bytes(book))
    assert loaded.sheetnames == [
        "Projects", "Projects 2", "Projects 3", "Participations", "Participations 2", "Participations 3", "About",
    ]  # fmt: skip
    for name in ("Projects", "Participations"):
        sheets = [loaded[title] for title in loaded.sheetnames if title.startswith(name)]
        rows = [row for sheet in sheets for row in sheet.iter_rows(values_only=True)]
        assert [row[0] for row in rows if row[0] == "id"] == ["id"] * 3  # each sheet starts with the header
        assert [row[0] for row in rows if row[0] != "id"] == [f"p{n}" for n in range(7)]
    assert loaded["About"]["B1"].value == "euprojects"


def test_the_first_sheet_leaves_as_it_is_written() -> None:
    book = StreamingWorkbook()
    sheet = book.add_sheet("Data", ["n", "text"])
    sent = b""
    for number in range(20_000):
        sheet.append([number, f"row {number} of a sheet that does not wait for the end"])
        if number % 1_000 == 999:
            sent += book.take()
    assert sent.startswith(b"PK") and len(sent) > 50_000  # most of the sheet, before it is finished
    data = sent + b"".join(book.finish())
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    rows = list(_read(data)["Data"].iter_rows(values_only=True))
    assert len(rows) == 20_001 and rows[-1][0] == 19_999


def _open_temporary_files() -> int:
    folder = tempfile.gettempdir()
    links = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            links.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
    return sum(link.startswith(folder) and link.endswith("(deleted)") for link in links)


def test_a_discarded_workbook_leaves_no_temporary_file_open() -> None:
    before = _open_temporary_files()
    book = StreamingWorkbook()
    book.add_sheet("First", ["a"]).append(["x"])
    book.add_sheet("Waiting", ["b"]).append(["y"])
    assert _open_temporary_files() == before + 1
    book.discard()
    assert _open_temporary_files() == before


def test_a_sheet_needs_a_header_or_a_width_and_rows_that_fit() -> None:
    with StreamingWorkbook() as book, pytest.raises(ValueError, match="header or a width"):
        book.add_sheet("Empty")
    with StreamingWorkbook() as book, pytest.raises(ValueError, match="3 values for a sheet of 2 columns"):
        book.add_sheet("Narrow", ["a", "b"]).append([1, 2, 3])
