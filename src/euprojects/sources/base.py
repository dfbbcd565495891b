"""What every source format shares: its description, detection, and the readers of its files.

A format module defines one or more :class:`Format` objects in a module-level ``FORMATS`` list.
``read(path)`` yields :class:`~euprojects.model.Record` and :class:`~euprojects.model.Reject`
objects; it raises :class:`SourceError` *before yielding anything* when the file cannot be
read at all, so a bad file leaves the store untouched.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from euprojects.model import BeneficiaryRecord, Record, Reject
from euprojects.normalise.limits import LINE_LIMIT, REJECT_LIMIT, shortened
from euprojects.normalise.text import DecodeError, clean, decode
from euprojects.sources.xlsx import Workbook, XlsxError

# A field may span lines (a quoted text with line breaks); past the limit the csv module refuses
# it, and the record becomes a reject instead of a giant row.
csv.field_size_limit(LINE_LIMIT)

Item = Record | BeneficiaryRecord | Reject
Reader = Callable[[Path], Iterator[Item]]


class SourceError(Exception):
    """The file cannot be read at all (empty, binary, wrong format, missing columns)."""


@dataclass(frozen=True, slots=True)
class Format:
    """A file format a loader understands.

    ``priority`` decides whose value wins when several records describe one project: official
    project tables above derived and scraped ones. ``companions`` are file names read together
    with this format's files (a field list, a metadata file), not ingested on their own.
    """

    name: str
    description: str
    detect: Callable[[Head], bool]
    read: Reader
    priority: int = 50
    companions: tuple[str, ...] = ()


class Head:
    """The first bytes of a file and what can be cheaply told from them, for detection."""

    SIZE = 65536

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as handle:
            self.bytes = handle.read(self.SIZE)

    @cached_property
    def is_zip(self) -> bool:
        return self.bytes.startswith(b"PK\x03\x04")

    @cached_property
    def is_gzip(self) -> bool:
        return self.bytes.startswith(b"\x1f\x8b")

    @cached_property
    def text(self) -> str:
        """Decoded start of the file (gunzipped if needed); empty when it is not text."""
        data = self.bytes
        if self.is_gzip:
            try:
                data = zlib.decompressobj(wbits=31).decompress(data, self.SIZE)
            except zlib.error:
                return ""
        if b"\x00" in data[:4096]:
            return ""
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as err:
                if err.start > len(data) - 4:  # a character cut at the end of the sample
                    return data[: err.start].decode(encoding)
        return ""

    @cached_property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0].strip()

    @cached_property
    def xlsx_header(self) -> list[str]:
        """Header cells of the first sheet of a workbook; empty if it is not one."""
        if not self.is_zip:
            return []
        try:
            with Workbook(self.path) as book:
                return [normalise_header(c) for c in book.first_row(0)]
        except XlsxError:
            return []

    def csv_header(self, delimiter: str) -> list[str]:
        """Header fields of a delimited text file (quotes and embedded newlines honoured)."""
        if not self.text:
            return []
        try:
            return [normalise_header(c) for c in next(csv.reader(io.StringIO(self.text), delimiter=delimiter))]
        except (csv.Error, StopIteration):
            return []


def normalise_header(cell: str) -> str:
    """Header text with its runs of whitespace (including embedded newlines) collapsed."""
    return " ".join(cell.replace("\ufeff", "").split())


def has_columns(header: Sequence[str], required: Iterable[str]) -> bool:
    present = set(header)
    return all(column in present for column in required)


@dataclass(slots=True)
class Row:
    """One record of a table: its first line in the file and its cells by header."""

    line: int
    cells: dict[str, str]
    fields: list[str] = field(default_factory=list)

    def get(self, column: str) -> str | None:
        """The cleaned value of a column, None when empty or a null marker."""
        return clean(self.cells.get(column))

    def raw(self, delimiter: str = ";") -> str:
        return delimiter.join(self.fields)


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SourceError(f"cannot read the file: {err.strerror or err}") from None
    if not data.strip():
        raise SourceError("the file is empty")
    return data


def read_text(path: Path, encodings: Sequence[str] = ("utf-8",)) -> str:
    """Whole text of a file in the first of its format's encodings that fits."""
    data = read_bytes(path)
    try:
        text, _ = decode(data, encodings)
    except DecodeError as err:
        raise SourceError(f"wrong encoding: {err}") from None
    return text


def _text_stream(path: Path, encodings: Sequence[str]) -> io.TextIOBase:
    """A text stream over a plain or gzip-compressed file.

    Gzip files are decoded as they stream, so a truncated archive still yields the rows
    before the break; plain files are decoded whole, so the encoding can be chosen.
    """
    if path.suffix == ".gz":
        raw = gzip.open(path, "rb")  # noqa: SIM115 - closed by the wrapper
        try:
            probe = raw.peek(1)
        except (OSError, EOFError, zlib.error) as err:
            raw.close()
            raise SourceError(f"not a readable gzip file ({err})") from None
        if not probe:
            raw.close()
            raise SourceError("the file is empty")
        return io.TextIOWrapper(raw, encoding=encodings[0], newline="")
    return io.StringIO(read_text(path, encodings), newline="")


def read_table(
    path: Path,
    *,
    delimiter: str,
    required: Sequence[str],
    encodings: Sequence[str] = ("utf-8",),
    ragged: bool = False,
    quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL,
) -> Iterator[Row | Reject]:
    """Rows of a delimited text file, keyed by normalised header.

    Raises SourceError before the first row if the file is empty, binary, in the wrong encoding
    or lacks a required column. A row with the wrong number of fields becomes a Reject unless
    ``ragged`` (the caller then repairs it from ``Row.fields``). ``quoting=csv.QUOTE_NONE`` for
    files that quote nothing and hold bare ``"`` in their values.
    """
    lines = _Lines(_text_stream(path, encodings))
    reader = csv.reader(lines, delimiter=delimiter, quoting=quoting)
    try:
        header = [normalise_header(c) for c in next(reader)]
    except StopIteration:
        raise SourceError("the file is empty") from None
    except (csv.Error, UnicodeDecodeError) as err:
        raise SourceError(f"the header cannot be read: {err}") from None
    missing = [c for c in required if c not in header]
    if missing:
        found = ", ".join(header[:8]) + (" …" if len(header) > 8 else "")
        raise SourceError(f"missing required column(s) {', '.join(missing)} (found: {found})")
    return _rows(reader, lines, header, delimiter, ragged)


class _Lines:
    """The lines of a text stream for the csv module, none longer than :data:`LINE_LIMIT`.

    A longer line is read in pieces and never held whole, so memory stays bounded whatever a
    file holds; the csv module gets an empty line in its place (which keeps the line count
    right) and :attr:`overlong` says where it was, how long, and how it began.
    """

    PIECE = 1 << 20

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.number = 0
        self.overlong: list[tuple[int, int, str]] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(LINE_LIMIT + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) <= LINE_LIMIT or line.endswith(("\n", "\r")):
            return line
        length = len(line)
        start = line[:REJECT_LIMIT]
        while line and not line.endswith(("\n", "\r")):
            line = self.stream.readline(self.PIECE)
            length += len(line)
        length -= len(line) - len(line.rstrip("\r\n"))  # the characters of the line, not its break
        self.overlong.append((self.number, length, start))
        return "\n"

    def rejects(self, up_to: int | None = None) -> Iterator[Reject]:
        """Rejects of the overlong lines met so far (up to line ``up_to``), each once."""
        while self.overlong and (up_to is None or self.overlong[0][0] <= up_to):
            number, length, start = self.overlong.pop(0)
            reason = f"the line has {length:,} characters, more than the {LINE_LIMIT:,} a line may have: not read"
            yield Reject(line=number, reason=reason, raw=shortened(start, REJECT_LIMIT, length))


def _rows(reader: Any, lines: _Lines, header: list[str], delimiter: str, ragged: bool) -> Iterator[Row | Reject]:
    """Rows numbered by the physical line they start on; headers with embedded newlines
    (the Greek and Austrian lists) take several lines, which ``line_num`` counts.

    A record the csv module cannot read (a field beyond the limit) is rejected and reading goes
    on with the next line.
    """
    last_line = reader.line_num
    width = len(header)
    while True:
        start = last_line + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            last_line = reader.line_num
            yield from lines.rejects(last_line)
            yield Reject(line=start, reason=f"cannot be read: {err}")
            continue
        last_line = reader.line_num
        yield from lines.rejects(last_line)
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != width and not ragged:
            yield Reject(
                line=start,
                reason=f"has {len(fields)} fields where the header has {width}",
                raw=delimiter.join(fields),
            )
            continue
        yield Row(line=start, cells=dict(zip(header, fields, strict=False)), fields=fields)
    yield from lines.rejects()


def read_sheet(path: Path, *, required: Sequence[str], sheet: int | str = 0) -> Iterator[Row | Reject]:
    """Rows of an XLSX sheet keyed by its header row; raises SourceError like :func:`read_table`."""
    try:
        book = Workbook(path)
    except XlsxError as err:
        raise SourceError(str(err)) from None
    rows = book.rows(sheet)
    try:
        _, header_cells = next(rows)
    except StopIteration:
        book.close()
        raise SourceError("the workbook's sheet is empty") from None
    except XlsxError as err:
        book.close()
        raise SourceError(str(err)) from None
    header = [normalise_header(c) for c in header_cells]
    missing = [c for c in required if c not in header]
    if missing:
        book.close()
        raise SourceError(f"missing required column(s) {', '.join(missing)} in the header row")
    return _sheet_rows(book, rows, header)


def _sheet_rows(book: Workbook, rows: Iterator[tuple[int, list[str]]], header: list[str]) -> Iterator[Row]:
    with book:
        for number, cells in rows:
            if cells == header[: len(cells)]:
                continue  # a header repeated inside the data
            yield Row(line=number, cells=dict(zip(header, cells, strict=False)), fields=cells)


def first_error(items: Iterator[Item]) -> Iterator[Item]:
    """Run a reader until its first item so SourceError surfaces before anything is written."""
    try:
        first = next(items)
    except StopIteration:
        return iter(())
    return _chain(first, items)


def _chain(first: Item, rest: Iterator[Item]) -> Iterator[Item]:
    yield first
    yield from rest
