"""The first row of a workbook's sheet, read without decompressing the rest of it.

Format detection needs only a sheet's header, but python-calamine parses a whole sheet before
it gives any row: 10–20 ms for a 1,000-row CORDIS chunk and 0.2–0.4 s for a 20,000-row table,
spent again when the file is read (``bench/xlsx.py``, "first row"). This reads the sheet's XML
as a stream up to the end of its first non-empty row and the shared strings only as far as that
row refers to them, with the standard library's XML parser.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser, fromstring

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CHUNK = 4096  # a header row fits in one or two: parse no more of the sheet than that
_EXACT_INTEGERS = 2**53


class HeadError(ValueError):
    """The sheet's start cannot be read."""


def first_row(archive: zipfile.ZipFile, sheet: int | str) -> list[str]:
    """Cell texts of the first row of ``sheet`` (index or name) that holds a value."""
    target = _target(archive, sheet)
    try:
        with archive.open(target) as stream:
            for row in _elements(stream, f"{_MAIN}row"):
                cells = _cells(row, _SharedStrings(archive))
                if any(cells):
                    return cells
    except (KeyError, zipfile.BadZipFile, EOFError, OSError, ParseError) as err:
        raise HeadError(f"cannot read {target} inside the workbook ({err})") from None
    return []


def damage(archive: zipfile.ZipFile, sheet: int | str) -> str | None:
    """What is wrong with a sheet's compressed stream (a bad CRC, undecodable data), or None;
    asked only after a read failed, to name the broken part rather than quote garbled XML."""
    try:
        target = _target(archive, sheet)
        with archive.open(target) as stream:
            while stream.read(1 << 20):
                pass
    except HeadError as err:
        return str(err)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
        return f"{target} inside the workbook is damaged ({err})"
    return None


def _elements(stream: IO[bytes], tag: str) -> Iterator[Element]:
    """Each complete ``tag`` element of an XML stream, parsing no further than asked."""
    parser: XMLPullParser[Element] = XMLPullParser(events=("end",))
    while chunk := stream.read(_CHUNK):
        parser.feed(chunk)
        for _, element in cast("Iterator[tuple[str, object]]", parser.read_events()):
            if isinstance(element, Element) and element.tag == tag:
                yield element
                element.clear()


def _cells(row: Element, shared: _SharedStrings) -> list[str]:
    cells: list[str] = []
    for cell in row.iter(f"{_MAIN}c"):
        column = _column(cell.get("r", ""), len(cells))
        cells.extend([""] * (column + 1 - len(cells)))
        cells[column] = _value(cell, shared)
    return cells


def _column(reference: str, default: int) -> int:
    letters = reference.rstrip("0123456789")
    if not letters.isalpha():
        return default
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def _value(cell: Element, shared: _SharedStrings) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_MAIN}t"))
    value = cell.findtext(f"{_MAIN}v") or ""
    if kind == "s":
        return shared[int(value)] if value.isdigit() else ""
    if kind == "b":
        return "TRUE" if value == "1" else "FALSE"
    if kind == "n" and value:
        try:
            return number_text(float(value))
        except ValueError:
            return value
    return value


def number_text(value: float) -> str:
    """A number as loaders read it: whole numbers without a decimal point (``1``, not ``1.0``),
    up to 2**53, beyond which a float no longer holds every integer and digits would be invented;
    others in Python's shortest form."""
    if value.is_integer() and abs(value) < _EXACT_INTEGERS:
        return str(int(value))
    return repr(value)


class _SharedStrings:
    """The workbook's shared strings, parsed only as far as the cells asked for need."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self._strings: list[str] = []
        self._rest: Iterator[Element] | None = None

    def __getitem__(self, index: int) -> str:
        if self._rest is None:
            self._rest = self._items()
        while len(self._strings) <= index:
            item = next(self._rest, None)
            if item is None:
                raise HeadError(f"a cell refers to shared string {index}, which does not exist")
            self._strings.append(_string_text(item))
        return self._strings[index]

    def _items(self) -> Iterator[Element]:
        if "xl/sharedStrings.xml" not in self._archive.namelist():
            return
        with self._archive.open("xl/sharedStrings.xml") as stream:
            yield from _elements(stream, f"{_MAIN}si")


def _string_text(item: Element) -> str:
    """The text of a shared string, without its phonetic guides (``<rPh>``)."""
    parts = [item.findtext(f"{_MAIN}t") or ""] if item.find(f"{_MAIN}t") is not None else []
    parts += [run.findtext(f"{_MAIN}t") or "" for run in item.iter(f"{_MAIN}r")]
    return "".join(parts)


def _target(archive: zipfile.ZipFile, sheet: int | str) -> str:
    """The path inside the archive of a sheet, through the workbook's relationships."""
    try:
        book = _parse(archive, "xl/workbook.xml")
        rels = _parse(archive, "xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, EOFError, OSError, ParseError) as err:
        raise HeadError(f"not an XLSX workbook ({err})") from None
    sheets = [(s.get("name", ""), s.get(_REL, "")) for s in book.iter(f"{_MAIN}sheet")]
    if isinstance(sheet, int):
        chosen = [rid for _, rid in sheets[sheet : sheet + 1]]
    else:
        chosen = [rid for name, rid in sheets if name == sheet]
    if not chosen:
        raise HeadError(f"the workbook has no sheet {sheet!r}")
    for rel in rels:
        if rel.get("Id") == chosen[0]:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    raise HeadError(f"the workbook does not say where sheet {sheet!r} is")


def _parse(archive: zipfile.ZipFile, name: str) -> Element:
    return fromstring(archive.read(name))
