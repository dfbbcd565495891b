"""The XLSX reader on every real CORDIS workbook, on cell shapes they lack, and on damaged files."""

from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from euprojects.sources.files.xlsx import Workbook, XlsxError

WORKBOOKS = ("cordis-horizon-organizations-split", "cordis-horizon-reports-deliverables")


def real_workbooks(data: Path) -> list[Path]:
    return sorted(p for folder in WORKBOOKS for p in (data / folder).glob("*.xlsx"))


def openpyxl_rows(path: Path) -> list[list[str]]:
    book = openpyxl.load_workbook(path)
    rows = []
    for row in book.worksheets[0].iter_rows(values_only=True):
        cells = ["" if c is None else ("TRUE" if c is True else "FALSE" if c is False else str(c)) for c in row]
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            rows.append(cells)
    return rows


@pytest.mark.parametrize(
    "name",
    [
        "cordis-horizon-organizations-split/organization_81.xlsx",
        "cordis-horizon-reports-deliverables/reportSummaries.xlsx",
    ],
)
def test_real_workbooks_read_like_openpyxl(data: Path, name: str) -> None:
    assert [cells for _, cells in Workbook(data / name).rows()] == openpyxl_rows(data / name)


def test_every_row_of_every_real_workbook_whatever_its_declared_dimension(data: Path) -> None:
    """The sheets declare ``A1`` (or less than they hold); rows are counted in their XML."""
    declared_a1 = 0
    for path in real_workbooks(data):
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
        declared_a1 += '<dimension ref="A1"/>' in xml
        numbers = [int(n) for n in re.findall(r'<row r="(\d+)"', xml)]
        with Workbook(path) as book:
            rows = list(book.rows())
            first = book.first_row()
        assert [number for number, _ in rows] == numbers, path.name
        assert first == rows[0][1], path.name
    assert declared_a1 == 4


def test_cell_shapes_as_loaders_read_them(tmp_path: Path) -> None:
    path = tmp_path / "shapes.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("DATA")
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 1, ["projectID", "name", "total", "active", "note", "start", "updated", "order"])
    sheet.write_string(1, 1, "101051386")
    sheet.write_rich_string(1, 2, "Université ", bold, "de Liège", " & <partners>")
    sheet.write_number(1, 3, 491873.75)
    sheet.write_boolean(1, 4, True)
    sheet.write_formula(1, 5, "=1+1", None, 2)
    sheet.write_datetime(1, 6, dt.datetime(2024, 1, 1), day)
    sheet.write_datetime(1, 7, dt.datetime(2024, 1, 1, 12, 30), stamp)
    sheet.write_number(1, 8, 1)
    sheet.write_string(3, 5, "line one\r\nline two")  # stored as line one_x000D_ and a line feed
    book.close()
    with Workbook(path) as workbook:
        rows = list(workbook.rows("DATA"))
        assert workbook.first_row("DATA") == rows[0][1]
    assert rows[0] == (1, ["", "projectID", "name", "total", "active", "note", "start", "updated", "order"])
    second = ["", "101051386", "Université de Liège & <partners>", "491873.75", "TRUE", "2"]
    assert rows[1] == (2, [*second, "2024-01-01", "2024-01-01 12:30:00", "1"])
    assert rows[2] == (4, ["", "", "", "", "", "line one\r\nline two"])


def test_a_sheet_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "one.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("DATA").write_string(0, 0, "id")
    book.close()
    with Workbook(path) as workbook, pytest.raises(XlsxError, match=r"no sheet named 'Sheet2' \(sheets: DATA\)"):
        workbook.rows("Sheet2")


def test_text_saved_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"projectID;name\n")
    with pytest.raises(XlsxError, match="not an XLSX workbook: the file is text, not a zip archive"):
        Workbook(path)


def corrupt_sheet(source: Path, target: Path) -> None:
    """A copy of a real workbook whose zip directory is intact but whose sheet stream is garbled."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        entry = archive.getinfo("xl/worksheets/sheet1.xml")
    name_length, extra_length = struct.unpack("<HH", data[entry.header_offset + 26 : entry.header_offset + 30])
    middle = entry.header_offset + 30 + name_length + extra_length + entry.compress_size // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    target.write_bytes(bytes(data))


def test_a_damaged_sheet_stream_names_the_sheet_in_one_line(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "organization_1.xlsx"
    corrupt_sheet(data / WORKBOOKS[0] / "organization_1.xlsx", path)
    with Workbook(path) as workbook:
        assert workbook.first_row()[0] == "projectID"  # the start of the stream is intact
        with pytest.raises(XlsxError) as caught:
            workbook.rows()
    message = str(caught.value)
    assert message.startswith("sheet 'DATA': xl/worksheets/sheet1.xml inside the workbook is damaged (")
    assert "\n" not in message and len(message) < 200


def test_a_truncated_workbook(data: Path, tmp_path: Path) -> None:
    whole = (data / WORKBOOKS[0] / "organization_1.xlsx").read_bytes()
    path = tmp_path / "organization_1.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(XlsxError, match="the zip archive is cut short or damaged"):
        Workbook(path)
