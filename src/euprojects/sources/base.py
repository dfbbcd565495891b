"""What every source format shares: its description, detection, and the readers of its files.

A format module defines one or more :class:`Format` objects in a module-level ``FORMATS`` list.
``read(path)`` yields :class:`~euprojects.model.Record` and :class:`~euprojects.model.Reject`
objects; it raises :class:`SourceError` *before yielding anything* when the file cannot be
read at all, so a bad file leaves the store untouched.
"""

from __future__ import annotations

import contextlib
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
from euprojects.normalise.text import DecodeError, clean, damage, decode, decode_damaged, not_text
from euprojects.sources.files.xlsx import Workbook, XlsxError

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

    ``companions`` are file names read together with this format's files (a field list, a
    metadata file), not ingested on their own. ``priority``, ``establishes`` and ``partners``
    say what its records are worth beside other formats'; they come from the one table in
    ``sources/roles.py``, not from the loader.
    """

    name: str
    description: str
    detect: Callable[[Head], bool]
    read: Reader
    companions: tuple[str, ...] = ()
    priority: int = 0
    establishes: bool = True
    partners: str = "none"


@dataclass(frozen=True, slots=True)
class Check:
    """One look a detector took at a header: where, for which columns, and which were missing."""

    where: str
    required: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def share(self) -> float:
        return 1 - len(self.missing) / len(self.required) if self.required else 0.0


class Header(list[str]):
    """Header cells as detectors see them, keeping the checks made on them, so that detection
    can say why each format refused a file."""

    def __init__(self, cells: Iterable[str], where: str, checks: list[Check]) -> None:
        super().__init__(cells)
        self.where, self.checks = where, checks


WORKBOOK_HEADER = "the workbook's first row"  # where a workbook's header is, in detection's reasons


class Head:
    """The first bytes of a file and what can be cheaply told from them, for detection.

    ``problem`` says why the start is no text (UTF-16, binary, a broken gzip stream) and
    ``xlsx_problem`` why it is no workbook; ``checks`` collects the header columns each detector
    asked for. Detection reads them to explain a refusal.
    """

    SIZE = 65536

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as handle:
            self.bytes = handle.read(self.SIZE)
        self.checks: list[Check] = []
        self.problem: str | None = None
        self.xlsx_problem: str | None = None

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
            except zlib.error as err:
                self.problem = f"not a readable gzip file ({err})"
                return ""
        elif self.is_zip:
            return ""
        self.problem = not_text(data)
        return "" if self.problem else _sample_text(data)

    @cached_property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0].strip()

    @cached_property
    def xlsx_header(self) -> Header:
        """Header cells of the first sheet of a workbook; empty if it is not one."""
        cells: list[str] = []
        if not self.is_zip and self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            self.xlsx_problem = "not a workbook"
            return self.header(cells, WORKBOOK_HEADER)
        try:
            with Workbook(self.path) as book:
                cells = [normalise_header(c) for c in book.first_row(0)]
        except XlsxError as err:
            self.xlsx_problem = str(err)
        return self.header(cells, WORKBOOK_HEADER)

    def csv_header(self, delimiter: str) -> Header:
        """Header fields of a delimited text file (quotes and embedded newlines honoured)."""
        cells: list[str] = []
        if self.text:
            with contextlib.suppress(csv.Error, StopIteration):
                cells = [normalise_header(c) for c in next(csv.reader(io.StringIO(self.text), delimiter=delimiter))]
        return self.header(cells, f"its {_DELIMITERS.get(delimiter, repr(delimiter))}-separated header")

    def header(self, cells: Iterable[str], where: str) -> Header:
        """Header cells found by a detector of its own, so that its checks are kept too."""
        return Header(cells, where, self.checks)


class RelaxedHead(Head):
    """A file's start read as text whatever its problem (UTF-16 decoded, NUL bytes dropped), to
    tell which formats it would match: detection then names the problem for those formats."""

    @cached_property
    def text(self) -> str:
        data = self.bytes
        if self.is_gzip:
            try:
                data = zlib.decompressobj(wbits=31).decompress(data, self.SIZE)
            except zlib.error:
                return ""
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16", errors="replace")
        if data[:4096:2].count(0) > data[1:4096:2].count(0):
            return data.decode("utf-16-be", errors="replace")
        if data[1:4096:2].count(0) > len(data[:4096]) // 4:
            return data.decode("utf-16-le", errors="replace")
        return data.replace(b"\x00", b"").decode("utf-8", errors="replace")


_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def _sample_text(data: bytes) -> str:
    """The start of a text file: UTF-8 (a character cut at the end of the sample dropped, a few
    damaged bytes tolerated), else cp1252."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start > len(data) - 4:
            return data[: err.start].decode("utf-8", errors="replace")
    damaged = decode_damaged(data)
    return damaged if damaged is not None else data.decode("cp1252", errors="replace")


def normalise_header(cell: str) -> str:
    """Header text with its runs of whitespace (including embedded newlines) collapsed."""
    return " ".join(cell.replace("\ufeff", "").split())


def has_columns(header: Sequence[str], required: Iterable[str]) -> bool:
    """Whether a header has every required column; the check is remembered on a :class:`Header`."""
    wanted = tuple(required)
    present = set(header)
    missing = tuple(column for column in wanted if column not in present)
    if isinstance(header, Header):
        header.checks.append(Check(header.where, wanted, missing))
    return not missing


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


def _text_stream(path: Path, encodings: Sequence[str]) -> tuple[io.TextIOBase, bool]:
    """A text stream over a plain or gzip-compressed file, and whether rows may be damaged.

    Gzip files are decoded as they stream, so a truncated archive still yields the rows
    before the break, and bytes that are not UTF-8 stay in their row as surrogate escapes to be
    rejected there. Plain files are decoded whole, so the encoding can be chosen; a UTF-8 file
    with a few damaged lines (a stray cp1252 byte, NUL bytes) keeps its other rows.
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
        encoding = "utf-8-sig" if encodings[0] == "utf-8" else encodings[0]  # a BOM is no part of the header
        return io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline=""), True
    text, damaged = read_rows_text(path, encodings)
    return io.StringIO(text, newline=""), damaged


def read_rows_text(path: Path, encodings: Sequence[str] = ("utf-8",)) -> tuple[str, bool]:
    """Whole text of a table, and whether some of its rows are damaged.

    A UTF-8 file with a few bytes that are not UTF-8 (a stray cp1252 ``…``) is read as UTF-8
    with those bytes kept as escapes, rather than refused or decoded in a legacy code page as
    mojibake; NUL bytes stay in their rows. :func:`read_table` rejects those rows by line.
    """
    data = read_bytes(path)
    if "utf-8" in encodings and not not_text(data):
        try:
            text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError:
            damaged = decode_damaged(data, legacy=len(encodings) > 1)
            if damaged is not None:
                return damaged, True
        else:
            return text, "\x00" in text
    try:
        text, _ = decode(data, encodings)
    except DecodeError as err:
        raise SourceError(f"wrong encoding: {err}") from None
    return text, "\x00" in text


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
    stream, damaged = _text_stream(path, encodings)
    lines = _Lines(stream)
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
    return _rows(reader, lines, header, delimiter, ragged, damaged)


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


def _rows(
    reader: Any, lines: _Lines, header: list[str], delimiter: str, ragged: bool, damaged: bool
) -> Iterator[Row | Reject]:
    """Rows numbered by the physical line they start on; headers with embedded newlines
    (the Greek and Austrian lists) take several lines, which ``line_num`` counts. In a file
    that may hold damaged rows, each row is looked at for them.

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
        if damaged and (problem := _damaged_field(header, fields)):
            yield Reject(line=start, reason=problem, raw=_printable(delimiter.join(fields)))
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


def _damaged_field(header: list[str], fields: list[str]) -> str | None:
    for index, value in enumerate(fields):
        problem = damage(value)
        if problem:
            column = header[index] if index < len(header) else f"field {index + 1}"
            return f"column {column!r}: {problem}: the row is damaged"
    return None


def _printable(raw: str) -> str:
    """A damaged row's text as it can be stored: undecodable bytes and NULs shown as U+FFFD."""
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\x00", "\ufffd")


def read_sheet(path: Path, *, required: Sequence[str], sheet: int | str = 0) -> Iterator[Row | Reject]:
    """Rows of an XLSX sheet keyed by its header row; raises SourceError like :func:`read_table`.

    The whole sheet is read here, so a damaged workbook fails before the first row."""
    try:
        with Workbook(path) as book:
            rows = book.rows(sheet)
    except XlsxError as err:
        raise SourceError(str(err)) from None
    try:
        _, header_cells = next(rows)
    except StopIteration:
        raise SourceError("the workbook's sheet is empty") from None
    header = [normalise_header(c) for c in header_cells]
    missing = [c for c in required if c not in header]
    if missing:
        raise SourceError(f"missing required column(s) {', '.join(missing)} in the header row")
    return _sheet_rows(rows, header)


def _sheet_rows(rows: Iterator[tuple[int, list[str]]], header: list[str]) -> Iterator[Row]:
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
