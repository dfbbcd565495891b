"""The XLSX reader against openpyxl, on real CORDIS workbooks and on cell shapes they lack."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from euprojects.sources.xlsx import Workbook, XlsxError


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
    ours = [cells for _, cells in Workbook(data / name).rows()]
    trimmed = [c[: max(i + 1 for i, v in enumerate(c) if v)] for c in ours]
    assert trimmed == openpyxl_rows(data / name)


def test_formulas_booleans_rich_text_and_gaps(tmp_path: Path) -> None:
    path = tmp_path / "shapes.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("DATA")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, ["projectID", "name", "total", "active", "note"])
    sheet.write_string(1, 0, "101051386")
    sheet.write_rich_string(1, 1, "Université ", bold, "de Liège", " & <partners>")
    sheet.write_number(1, 2, 491873.75)
    sheet.write_boolean(1, 3, True)
    sheet.write_formula(1, 4, "=1+1", None, 2)
    sheet.write_string(3, 4, "after an empty row")
    book.close()
    rows = list(Workbook(path).rows())
    assert rows[0] == (1, ["projectID", "name", "total", "active", "note"])
    assert rows[1] == (2, ["101051386", "Université de Liège & <partners>", "491873.75", "TRUE", "2"])
    assert rows[2] == (4, ["", "", "", "", "after an empty row"])


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"projectID;name\n")
    with pytest.raises(XlsxError, match="not an XLSX workbook"):
        Workbook(path)
