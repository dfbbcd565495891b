"""The regular-expression XLSX reader euprojects used before python-calamine, kept as a peer for
``bench/xlsx.py`` (it is not part of the package).

Its original notes: a small, fast reader of XLSX worksheets as rows of text.

openpyxl builds a cell object per cell and, in read-only mode, trusts the sheet's declared
dimension, which CORDIS files get wrong (``<dimension ref="A1"/>`` on a 20,000-row sheet, so only
the header comes back). Sources need every cell as text anyway, so this reads the sheet XML
directly: about ten times faster, and it cannot be misled by the dimension.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

_SHEET = re.compile(r'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"', re.S)
_SHEET_ALT = re.compile(r'<sheet\b[^>]*?\br:id="([^"]*)"[^>]*?\bname="([^"]*)"', re.S)
_REL = re.compile(r"<Relationship\b([^>]*)/?>", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_SI = re.compile(r"<si>(?:<t(?: [^>]*)?>([^<]*)</t></si>|(.*?)</si>)", re.S)
_T = re.compile(r"<t\b[^>]*?(?:/>|>(.*?)</t>)", re.S)
_RPH = re.compile(r"<rPh\b.*?</rPh>", re.S)
_ROW = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(r'\br="([A-Z]+)(\d*)"')
_TYPE = re.compile(r'\bt="(\w+)"')
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_V = re.compile(r"<v>(.*?)</v>", re.S)
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# The shape nearly every writer uses; anything else (formulas, other attribute orders) takes the
# general path.
_FAST_CELL = re.compile(
    r'<c r="([A-Z]+)\d+"(?: s="\d+")?(?: t="(s|inlineStr|b|n|str)")?(?: s="\d+")?'
    r"(?:/>|>(?:<v>([^<]*)</v>|<is><t(?: [^>]*)?>([^<]*)</t></is>)?</c>)"
)
_COLUMNS: dict[str, int] = {}


class XlsxError(ValueError):
    """The file is not a readable XLSX workbook."""


def _text(fragment: str) -> str:
    unescaped = html.unescape(fragment) if "&" in fragment else fragment
    if "_x" in unescaped:
        unescaped = _OOXML_ESCAPE.sub(lambda m: chr(int(m[1], 16)), unescaped)
    return unescaped


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


class Workbook:
    """An open XLSX file; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as err:
            raise XlsxError(f"not an XLSX workbook ({err})") from None
        names = set(self._zip.namelist())
        if "xl/workbook.xml" not in names:
            self._zip.close()
            raise XlsxError("a zip archive, but not an XLSX workbook (no xl/workbook.xml)")
        self._names = names
        self._shared: list[str] = []
        self._shared_rest: Iterator[re.Match[str]] | None = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def _read(self, name: str) -> str:
        try:
            return self._zip.read(name).decode("utf-8")
        except (KeyError, zipfile.BadZipFile, UnicodeDecodeError, EOFError, OSError) as err:
            raise XlsxError(f"cannot read {name} inside the workbook ({err})") from None

    def _sheets(self) -> list[tuple[str, str]]:
        workbook = self._read("xl/workbook.xml")
        pairs = [(html.unescape(n), rid) for n, rid in _SHEET.findall(workbook)]
        if not pairs:
            pairs = [(html.unescape(n), rid) for rid, n in _SHEET_ALT.findall(workbook)]
        targets = {}
        if "xl/_rels/workbook.xml.rels" in self._names:
            for attrs in _REL.findall(self._read("xl/_rels/workbook.xml.rels")):
                values = dict(_ATTR.findall(attrs))
                target = values.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
                targets[values.get("Id")] = posixpath.normpath(target)
        return [(name, targets.get(rid, f"xl/worksheets/sheet{i + 1}.xml")) for i, (name, rid) in enumerate(pairs)]

    def shared_string(self, index: int) -> str:
        """Shared string ``index``, parsing the table only as far as needed (a header needs few)."""
        if self._shared_rest is None:
            xml = self._read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in self._names else ""
            self._shared_rest = _SI.finditer(xml)
        while len(self._shared) <= index:
            match = next(self._shared_rest, None)
            if match is None:
                raise XlsxError(f"a cell refers to shared string {index}, which does not exist")
            plain, rich = match[1], match[2]
            if plain is not None:
                self._shared.append(_text(plain))
            else:
                rich = _RPH.sub("", rich) if "<rPh" in rich else rich
                self._shared.append("".join(_text(t) for t in _T.findall(rich)))
        return self._shared[index]

    def first_row(self, sheet: int = 0) -> list[str]:
        """The first row of a sheet, read without decompressing the rest: enough to detect a format."""
        target = self._target(sheet)
        try:
            with self._zip.open(target) as stream:
                xml = ""
                while "</row>" not in xml and "<row" not in xml.partition("</sheetData>")[2]:
                    chunk = stream.read(65536)
                    if not chunk:
                        break
                    xml += chunk.decode("utf-8", errors="ignore")
        except (KeyError, zipfile.BadZipFile, EOFError, OSError) as err:
            raise XlsxError(f"cannot read {target} inside the workbook ({err})") from None
        end = xml.find("</row>")
        for _, cells in self._parse_sheet(xml[: end + len("</row>")] if end >= 0 else xml):
            return cells
        return []

    def _target(self, sheet: int | str) -> str:
        sheets = self._sheets()
        if isinstance(sheet, str):
            matches = [target for name, target in sheets if name == sheet]
            if not matches:
                raise XlsxError(f"no sheet named {sheet!r} (sheets: {', '.join(n for n, _ in sheets)})")
            return matches[0]
        if sheet >= len(sheets):
            raise XlsxError(f"the workbook has {len(sheets)} sheet(s), not {sheet + 1}")
        return sheets[sheet][1]

    def rows(self, sheet: int | str = 0) -> Iterator[tuple[int, list[str]]]:
        """(row number, cell texts) for each non-empty row of a sheet, by position or name."""
        yield from self._parse_sheet(self._read(self._target(sheet)))

    def _parse_sheet(self, xml: str) -> Iterator[tuple[int, list[str]]]:
        number = 0
        for row in _ROW.finditer(xml):
            attrs, body = row[1], row[2]
            found = _ROW_NUMBER.search(attrs)
            number = int(found[1]) if found else number + 1
            if not body:
                continue
            cells = self._fast_cells(body)
            if cells is None:
                cells = self._cells(body)
            if any(cells):
                yield number, cells

    def _fast_cells(self, body: str) -> list[str] | None:
        """Cells of a row in the common shape (``<c r="A1" t="s"><v>0</v></c>``, inline strings),
        read with one regular expression; None when the row has any other shape."""
        found = _FAST_CELL.findall(body)
        if len(found) != body.count("<c "):
            return None
        cells: list[str] = []
        for letters, kind, value, inline in found:
            column = _COLUMNS.get(letters)
            if column is None:
                column = _COLUMNS.setdefault(letters, _column_index(letters))
            if column >= len(cells):
                cells.extend([""] * (column + 1 - len(cells)))
            if kind == "s":
                cells[column] = self.shared_string(int(value)) if value.isdigit() else _bad_shared(value)
            elif kind == "inlineStr":
                cells[column] = _text(inline)
            elif kind == "b":
                cells[column] = "TRUE" if value == "1" else "FALSE"
            else:
                cells[column] = _text(value)
        return cells

    def _cells(self, body: str) -> list[str]:
        cells: list[str] = []
        for cell_attrs, content in _CELL.findall(body):
            ref = _REF.search(cell_attrs)
            column = _column_index(ref[1]) if ref else len(cells)
            if column >= len(cells):
                cells.extend([""] * (column + 1 - len(cells)))
            cells[column] = _cell_value(cell_attrs, content, self.shared_string)
        return cells


def _bad_shared(value: str) -> str:
    raise XlsxError(f"a cell refers to shared string {value!r}, which does not exist")


def _cell_value(attrs: str, content: str, shared: Callable[[int], str]) -> str:
    if not content:
        return ""
    kind_match = _TYPE.search(attrs)
    kind = kind_match[1] if kind_match else "n"
    if kind == "inlineStr":
        return "".join(_text(t) for t in _T.findall(content))
    value = _V.search(content)
    if value is None:
        return ""
    raw = value[1]
    if kind == "s":
        if not raw.isdigit():
            raise XlsxError(f"a cell refers to shared string {raw!r}, which does not exist")
        return shared(int(raw))
    if kind == "b":
        return "TRUE" if raw == "1" else "FALSE"
    return _text(raw)
