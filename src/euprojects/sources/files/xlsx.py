"""XLSX worksheets as rows of text, read by python-calamine (Rust).

Loaders need every cell as text and every row the sheet holds, whatever its declared
``<dimension>`` (CORDIS files declare ``A1`` on 20,000-row sheets, which openpyxl's read-only
mode believes). calamine reads the cells themselves, so the dimension cannot mislead it.

Chosen by measurement (``bench/xlsx.py``, bench/README.md) on the 85 real CORDIS workbooks: it
gives the same text in every cell as the regular-expression reader it replaced, reads them
1.3–2.1 times faster and 5–9 times faster than openpyxl's read-only mode, with a real XML parser
behind it instead of regular expressions of ours. It parses a whole sheet before giving a row,
so the first row, all that format detection needs, is streamed by :mod:`xlsx_head` instead.

Cells come out as the loaders read them: text as written; whole numbers without a decimal
point (``1``, not ``1.0``) and other numbers in Python's shortest form; booleans ``TRUE`` /
``FALSE``; date cells as ISO dates (``2024-01-01``, ``2024-01-01 12:30:00``), which
``normalise.dates.parse_date`` reads, rather than Excel's day numbers.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path

import python_calamine
from python_calamine import CalamineSheet, CalamineWorkbook

from euprojects.sources.files import xlsx_head

_WHY = {
    python_calamine.ZipError: "not an XLSX workbook",
    python_calamine.XmlError: "the workbook's XML is damaged",
    python_calamine.PasswordError: "the workbook is password-protected",
}
_DETAIL = 100
NO_WORKBOOK = "a zip archive, but not an XLSX workbook (no xl/workbook.xml)"
Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta


class XlsxError(ValueError):
    """The file is not a readable XLSX workbook."""


def cell_text(value: Cell) -> str:
    """One cell as the text a loader reads (see the module's notes)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return xlsx_head.number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _failure(err: BaseException) -> str:
    """calamine's error as one short line: what broke, and the start of its own words (which may
    quote a damaged sheet's garbled XML at length)."""
    why = next((text for kind, text in _WHY.items() if isinstance(err, kind)), "the workbook cannot be read")
    detail = " ".join(str(err).split())
    if len(detail) > _DETAIL:
        detail = detail[: _DETAIL - 1] + "…"
    return f"{why} ({detail})" if detail else why


class Workbook:
    """An open XLSX file; use as a context manager.

    calamine opens the workbook (and reads all its shared strings) only when rows are asked for:
    :meth:`first_row`, all that format detection reads, streams the sheet's start instead.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise XlsxError(_not_a_zip(path, err)) from None
        if "xl/workbook.xml" not in self._zip.namelist():
            self._zip.close()
            raise XlsxError(NO_WORKBOOK)
        self._book: CalamineWorkbook | None = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()
        if self._book is not None:
            self._book.close()
            self._book = None

    def first_row(self, sheet: int | str = 0) -> list[str]:
        """The first non-empty row of a sheet, read without decompressing the rest of it."""
        try:
            return xlsx_head.first_row(self._zip, sheet)
        except xlsx_head.HeadError as err:
            raise XlsxError(str(err)) from None

    def sheet_names(self) -> list[str]:
        """The sheets' names, in order."""
        if self._book is None:
            try:
                self._book = CalamineWorkbook.from_path(str(self.path))
            except Exception as err:  # calamine's own errors, and OSError
                raise XlsxError(_failure(err)) from None
        return list(self._book.sheet_names)

    def rows(self, sheet: int | str = 0) -> Iterator[tuple[int, list[str]]]:
        """(row number, cell texts) for each non-empty row of a sheet, by position or name.

        The sheet is read whole before this returns, so a damaged sheet raises XlsxError here,
        before a loader has yielded anything.
        """
        try:
            values = self._sheet(sheet).to_python(skip_empty_area=False)
        except XlsxError:
            raise
        except Exception as err:  # calamine's own errors, and OSError
            raise XlsxError(self._why(sheet, err)) from None
        return _text_rows(values)

    def _sheet(self, sheet: int | str) -> CalamineSheet:
        if self._book is None:
            self._book = CalamineWorkbook.from_path(str(self.path))
        names = self._book.sheet_names
        if isinstance(sheet, str) and sheet not in names:
            raise XlsxError(f"no sheet named {sheet!r} (sheets: {', '.join(names)})")
        if isinstance(sheet, int) and sheet >= len(names):
            raise XlsxError(f"the workbook has {len(names)} sheet(s), not {sheet + 1}")
        if isinstance(sheet, str):
            return self._book.get_sheet_by_name(sheet)
        return self._book.get_sheet_by_index(sheet)

    def _why(self, sheet: int | str, err: Exception) -> str:
        """A failed read in one line: the sheet (once the workbook opened) and the broken part."""
        why = xlsx_head.damage(self._zip, sheet) or _failure(err)
        if self._book is None:
            return why
        label = sheet if isinstance(sheet, str) else self._book.sheet_names[sheet]
        return f"sheet {label!r}: {why}"


def _not_a_zip(path: Path, err: Exception) -> str:
    """Why a file is no workbook: a zip archive whose end (and directory) is missing, or no zip."""
    if isinstance(err, OSError):
        return f"cannot read the file: {err.strerror or err}"
    with path.open("rb") as handle:
        start = handle.read(4096)
    if start.startswith(b"PK\x03\x04"):
        return f"not a readable XLSX workbook: the zip archive is cut short or damaged ({err})"
    kind = "text" if start and b"\x00" not in start else "no zip archive"
    return f"not an XLSX workbook: the file is {kind}, not a zip archive"


def _text_rows(values: list[list[Cell]]) -> Iterator[tuple[int, list[str]]]:
    for number, row in enumerate(values, start=1):
        cells = [value if value.__class__ is str else cell_text(value) for value in row]
        end = len(cells)
        while end and not cells[end - 1]:
            end -= 1
        if end:
            yield number, cells[:end] if end < len(cells) else cells
