"""A small XLSX writer that streams: rows become sheet XML as they come, and zip bytes at once.

Exports of whole result sets spent most of their time in xlsxwriter's per-cell bookkeeping
(a dimension check, a format lookup and one XML write per cell: 25 s for the 102,726 real
projects), and xlsxwriter assembles the zip only when the workbook closes, so a client got
nothing until every row was written. Here a row is one string, the first sheet goes straight
into a zip stream that can be sent as it grows, and later sheets wait in temporary files
(already unlinked, so nothing is left behind however the export ends) until the first is done.

Only what exports need: text, numbers and booleans, a bold style, several sheets. A sheet that
reaches Excel's row limit continues on a sheet of the same name with a number ("Projects 2").
"""

from __future__ import annotations

import math
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

MAX_ROWS = 1_048_576  # Excel's limit per sheet
MAX_PART_BYTES = 1 << 30  # well under zipfile's 2 GiB limit for an entry without Zip64
MAX_CHARS = 32_767  # Excel's limit per cell, in UTF-16 units
COPY_BYTES = 1 << 20

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}"><sheetData>'
_TAIL = "</sheetData></worksheet>"
# Text that needs more than the plain cell: markup, control characters, non-characters, text
# Excel would read as one of its own _xHHHH_ escapes, space at either end, or too long a text; and
# carriage returns, which XML readers turn into line feeds unless written as a character reference.
_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_|^\s|\s\Z|^.{16384}", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPED = re.compile(r"(_x[0-9A-Fa-f]{4}_)")


def column_letters(count: int) -> list[str]:
    """A, B, …, Z, AA, … for the first ``count`` columns."""
    letters = []
    for number in range(1, count + 1):
        name = ""
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def row_xml(columns: Sequence[str], number: int, values: Sequence[Any], style: str = "") -> str:
    """One ``<row>``: empty and None values are left out, but for a blank last cell that keeps every
    row as wide as the header for readers that size rows by their cells (openpyxl's read-only
    mode). Plain text, the common case, takes one regular-expression test and one format: this
    function is the largest share of an XLSX export's time."""
    if len(values) > len(columns):
        raise ValueError(f"a row of {len(values)} values for a sheet of {len(columns)} columns")
    cells = []
    for column, value in zip(columns, values, strict=False):
        kind = type(value)
        if kind is str:
            if not value:
                continue
            if _SPECIAL.search(value):
                cells.append(_text_cell(f"{column}{number}", value, style))
            else:
                cells.append(f'<c r="{column}{number}"{style} t="inlineStr"><is><t>{value}</t></is></c>')
        elif kind is float or kind is int:
            cells.append(_number_cell(f"{column}{number}", value, style))
        elif value is not None:
            cells.append(_other_cell(f"{column}{number}", value, style))
    if len(values) < len(columns) or values[-1] is None or values[-1] == "":
        cells.append(f'<c r="{columns[-1]}{number}"/>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _text_cell(ref: str, text: str, style: str) -> str:
    if len(text) > MAX_CHARS // 2:
        text = _truncate(text)
    text = _ESCAPED.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m[0]):04X}_", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _truncate(text: str) -> str:
    """At most MAX_CHARS UTF-16 units, as Excel counts them."""
    encoded = text.encode("utf-16-le")
    if len(encoded) <= 2 * MAX_CHARS:
        return text
    return encoded[: 2 * MAX_CHARS].decode("utf-16-le", errors="ignore")


def _number_cell(ref: str, value: float, style: str) -> str:
    if math.isfinite(value):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    return _text_cell(ref, repr(value), style)  # NaN and infinities have no place in a number cell


def _other_cell(ref: str, value: Any, style: str) -> str:
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return _number_cell(ref, value, style)
    return _text_cell(ref, str(value), style)


class _Pending:
    """Where the zip writer puts its bytes until the caller takes them to send."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


class _Part:
    """One worksheet file: written into the zip as it grows, or kept in a temporary file."""

    def __init__(self, book: StreamingWorkbook, title: str, streamed: bool) -> None:
        self.title, self.path = title, book.next_path()
        self.rows = self.size = 0
        self.pending: list[str] = [_HEAD]
        # Lives as long as the part; closed by end of the copy or by discard().
        self.spool: IO[bytes] | None = (
            None if streamed else tempfile.TemporaryFile(prefix="euprojects-xlsx-")  # noqa: SIM115
        )
        self.entry: IO[bytes] | None = book.zip.open(self.path, "w") if streamed else None

    def flush(self) -> None:
        data = "".join(self.pending).encode("utf-8")
        self.pending.clear()
        self.size += len(data)
        target = self.entry or self.spool
        assert target is not None
        target.write(data)

    def end(self) -> None:
        self.pending.append(_TAIL)
        self.flush()
        if self.entry is not None:
            self.entry.close()
            self.entry = None

    def discard(self) -> None:
        if self.entry is not None:
            self.entry.close()
            self.entry = None
        if self.spool is not None:
            self.spool.close()


class Sheet:
    """A worksheet of ``width`` columns that takes rows in order, after a bold header if it has one."""

    def __init__(
        self, book: StreamingWorkbook, title: str, header: Sequence[str] | None, width: int, streamed: bool
    ) -> None:
        self.book, self.title, self.header, self.streamed = book, title, header, streamed
        self.columns = column_letters(width)
        self.parts = [_Part(book, title, streamed)]
        self.ended = False
        if header:
            self.append(header, bold=True)

    def append(self, values: Sequence[Any], bold: bool = False) -> None:
        part = self.parts[-1]
        if part.rows == self.book.max_rows or part.size >= MAX_PART_BYTES:
            part = self._next_part()
        part.rows += 1
        part.pending.append(row_xml(self.columns, part.rows, values, ' s="1"' if bold else ""))
        if len(part.pending) >= 1000:
            part.flush()

    def _next_part(self) -> _Part:
        """Excel's row limit (or the size of one zip entry) reached: go on in a new sheet."""
        self.parts[-1].end()
        part = _Part(self.book, f"{self.title} {len(self.parts) + 1}", self.streamed)
        self.parts.append(part)
        if self.header:
            self.append(self.header, bold=True)
        return part

    def flush(self) -> None:
        if not self.ended:
            self.parts[-1].flush()

    def end(self) -> None:
        """No more rows: a streamed sheet closes its zip entry, so the next sheet can stream."""
        if not self.ended:
            self.parts[-1].end()
            self.ended = True
            if self.streamed:
                self.book.streaming = None


class StreamingWorkbook:
    """An XLSX workbook produced as bytes a piece at a time.

    The first sheet added streams; sheets added while it is open wait in temporary files.
    Call :meth:`take` for the bytes ready so far and :meth:`finish` for the rest. Use it as a
    context manager, or call :meth:`discard` when it will not be finished: that removes the
    temporary files.
    """

    def __init__(self, compresslevel: int = 1, max_rows: int = MAX_ROWS) -> None:
        self.max_rows = max_rows
        self.out = _Pending()
        self.zip = zipfile.ZipFile(self.out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self.sheets: list[Sheet] = []
        self.streaming: Sheet | None = None
        self.files = 0

    def __enter__(self) -> StreamingWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def next_path(self) -> str:
        self.files += 1
        return f"xl/worksheets/sheet{self.files}.xml"

    def add_sheet(self, title: str, header: Sequence[str] | None = None, width: int | None = None) -> Sheet:
        """A new sheet of the header's width (or ``width`` columns without a header)."""
        columns = len(header) if header else width
        if not columns:
            raise ValueError("a sheet needs a header or a width")
        sheet = Sheet(self, title, header, columns, streamed=self.streaming is None)
        self.sheets.append(sheet)
        if sheet.streamed:
            self.streaming = sheet
        return sheet

    def take(self) -> bytes:
        """The zip bytes produced since the last call (rows are written in blocks of 1,000)."""
        if self.streaming is not None:
            self.streaming.flush()
        return self.out.take()

    def finish(self) -> Iterator[bytes]:
        """End every sheet, copy the waiting ones in, write the workbook's own parts."""
        for sheet in self.sheets:
            sheet.end()
        for sheet in self.sheets:
            for part in sheet.parts:
                if part.spool is not None:
                    yield from self._copy(part, part.spool)
        for name, text in self._package():
            self.zip.writestr(name, text)
        self.zip.close()
        yield self.out.take()
        self.discard()

    def _copy(self, part: _Part, spool: IO[bytes]) -> Iterator[bytes]:
        spool.seek(0)
        with self.zip.open(part.path, "w") as entry:
            while block := spool.read(COPY_BYTES):
                entry.write(block)
                yield self.out.take()
        spool.close()

    def discard(self) -> None:
        """Close everything without sending it: temporary files go, and the zip is closed so
        that it has nothing left to write when collected."""
        for sheet in self.sheets:
            for part in sheet.parts:
                part.discard()
        self.zip.close()
        self.out.take()

    def _package(self) -> list[tuple[str, str]]:
        parts = [part for sheet in self.sheets for part in sheet.parts]
        return [
            ("[Content_Types].xml", _content_types(parts)),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _workbook(parts)),
            ("xl/_rels/workbook.xml.rels", _workbook_rels(parts)),
            ("xl/styles.xml", _STYLES),
        ]


_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ROOT_RELS = (
    f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
    f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
# Two cell formats: the default, and bold (font 1) for headers.
_STYLES = (
    f'{_DECLARATION}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _content_types(parts: list[_Part]) -> str:
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    sheets = "".join(f'<Override PartName="/{p.path}" ContentType="{sheet_type}"/>' for p in parts)
    return (
        f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _workbook(parts: list[_Part]) -> str:
    sheets = "".join(
        f'<sheet name="{_attribute(p.title[:31])}" sheetId="{n}" r:id="rId{n}"/>' for n, p in enumerate(parts, 1)
    )
    return f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>{sheets}</sheets></workbook>'


def _workbook_rels(parts: list[_Part]) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{_RELS}/worksheet" Target="{p.path[3:]}"/>' for n, p in enumerate(parts, 1)
    )
    styles = f'<Relationship Id="rId{len(parts) + 1}" Type="{_RELS}/styles" Target="styles.xml"/>'
    return f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELS}">{sheets}{styles}</Relationships>'


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
