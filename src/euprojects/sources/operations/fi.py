"""Finland's list of ERDF and ESF projects 2014-2020 (rakennerahastot.fi, EURA 2014 export).

UTF-8 and nominally ``,``-delimited, but values that contain commas are not quoted, and
every line ends in ``;`` or ``,,;``; a line therefore splits into 13 to 19 fields. The columns
are recovered by anchoring on what can be recognised — the project code and the fund at the
front; the four amounts at the end; between them the status word, followed by the two
``D.M.YYYY`` dates — and rejoining the comma-split text in between: the project name and the
authority before the status (split at the priority-axis number), the beneficiary after the
dates. Where the text could be split in more than one way, the authorities the rest of the
file names unambiguously decide (the ELY centres, regional councils, Tekes and ministries that
award the grants); the same authorities show the 3 lines where the end of a project name
stands after the axis, glued to the authority, and it is joined back to the name. The 13 lines
whose dates, beneficiary and amounts are shifted are read back by telling dates from amounts
(``operations_fi_tail``). Each line read back from shifted columns says how in a
``columns_recovered`` flag, and what could not be placed is left out, its text in ``raw``; a
line that still cannot be split safely is rejected with the reason.

Other quirks: 25 names use ``|`` for a comma (restored); a dash that the export could not
encode became ``?`` or ``¿`` (restored where it stands between spaces or years); 7 lines are
wrapped whole in double quotes, their own quotes doubled (unwrapped). The granted amount is EU
and state funding together, the total the planned public funding: both are flagged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from euprojects.model import Flag, Money, Participation, Project, Record, Reject, Status
from euprojects.normalise.dates import parse_date
from euprojects.normalise.money import parse_money
from euprojects.normalise.places import fold
from euprojects.normalise.text import clean
from euprojects.sources.base import Format, Head, Item, Row, SourceError, has_columns, read_text
from euprojects.sources.common import Checked, RowError, field, reject
from euprojects.sources.operations.common import (
    PERIOD_2014,
    by_line,
    free_text,
    includes_national_flag,
    lead,
    refuse_compressed,
)
from euprojects.sources.operations.fi_tail import (
    AMOUNTS,
    BENEFICIARY,
    END,
    GRANTED,
    PAID,
    PLANNED,
    REALISED,
    START,
    read_tail,
)

CODE = "Koodi"
FUND = "Rahasto"
NAME = "Hankkeen nimi"
AXIS = "Tl"
AUTHORITY = "Viranomainen"
STATUS = "Tila"
COLUMNS = (CODE, FUND, NAME, AXIS, AUTHORITY, STATUS, START, END, BENEFICIARY, GRANTED, PAID, PLANNED, REALISED)
RAW_COLUMNS = (FUND, AXIS, AUTHORITY, STATUS, START, END, *AMOUNTS)
ENCODINGS = ("utf-8",)
DELIMITER = ","
COUNTRY = "FI"

FUNDS = {"EAKR": "ERDF", "ESR": "ESF"}
PROGRAMME = "Kestävää kasvua ja työtä 2014–2020 – Suomen rakennerahasto-ohjelma"
# Only "Toiminnassa" occurs in the 2016 list; the others are EURA 2014's words for later stages.
STATUSES = {
    "toiminnassa": Status.ONGOING,
    "päättynyt": Status.FINISHED,
    "keskeytetty": Status.CANCELLED,
    "peruttu": Status.CANCELLED,
}

_CODE = re.compile(r"[A-Z]\d{5}")
_AXIS = re.compile(r"\d{1,2}")
_PIPE = re.compile(r"\s*\|\s*")
_LOST_DASH = re.compile(r"(?<=\s)[?¿](?=\s)|(?<=\d{4})\?(?=\d{4})")
_NUMBER = re.compile(r"[\d\s.,]+")
_SPACE = re.compile(r"\s+")
_KNOWN_AT = 2  # an authority named on this many unambiguous lines is known


def detect(head: Head) -> bool:
    return has_columns(head.csv_header(DELIMITER), (CODE, FUND, NAME, AXIS, AUTHORITY, BENEFICIARY))


def read(path: Path) -> Iterator[Item]:
    refuse_compressed(path)
    lines = _lines(read_text(path, ENCODINGS))
    split: list[tuple[int, list[str], int]] = []
    items: list[Item] = []
    for number, text in lines:
        try:
            fields = _fields(text)
            split.append((number, fields, _status_index(fields)))
        except RowError as err:
            items.append(Reject(line=number, reason=str(err), raw=text))
    known = _known_authorities(split)
    seen: dict[str, int] = {}
    for number, fields, status in split:
        try:
            line = _recover(number, fields, status, known)
        except RowError as err:
            items.append(Reject(line=number, reason=str(err), raw=DELIMITER.join(fields)))
            continue
        items.append(_keyed(line, seen))
    yield from by_line(items)


def _lines(text: str) -> list[tuple[int, str]]:
    """The data lines with their numbers, after checking the header; blank lines are no rows."""
    all_lines = text.split("\n")
    header = [clean(cell) or "" for cell in all_lines[0].strip().rstrip(";").split(DELIMITER)]
    header = [cell.lstrip("\ufeff") for cell in header]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise SourceError(f"missing required column(s) {', '.join(missing)} (found: {', '.join(header[:8])} …)")
    if tuple(header) != COLUMNS:
        raise SourceError(f"the columns are not in the order this format recovers them from: {', '.join(header)}")
    return [(index, line.rstrip("\r")) for index, line in enumerate(all_lines[1:], start=2) if line.strip()]


def _fields(text: str) -> list[str]:
    """The comma-split fields of a line, unwrapped and without its ``;`` / ``,,;`` ending,
    checked at the front: the code and the fund first (the end is read by ``read_tail``)."""
    line = text.strip()
    if line.startswith('"') and line.rstrip(";").endswith('"'):
        line = _unwrap(line.rstrip(";"))
    fields = line.rstrip(";").split(DELIMITER)
    for _ in range(2):
        if len(fields) > len(COLUMNS) and not fields[-1].strip():
            fields.pop()
    if len(fields) < len(COLUMNS):
        raise RowError(f"has {len(fields)} fields, fewer than the {len(COLUMNS)} columns")
    if not _CODE.fullmatch(fields[0].strip()):
        raise RowError(f"column {CODE!r}: {fields[0]!r} is not a project code")
    if fields[1].strip() not in FUNDS:
        raise RowError(f"column {FUND!r}: {fields[1]!r} is not a fund (EAKR, ESR)")
    return fields


def _unwrap(line: str) -> str:
    """A line the export wrapped whole in quotes: without them, its quotes undoubled.

    The names inside were quoted once more, so their quotes come doubled twice.
    """
    inner = line[1:-1]
    for _ in range(2):
        inner = inner.replace('""', '"')
    return inner


def _status_index(fields: list[str]) -> int:
    """Where the status word stands: after name, axis and authority, before the two dates."""
    found = [i for i in range(5, len(fields) - 6) if fields[i].strip().lower() in STATUSES]
    if len(found) != 1:
        problem = "no known status word" if not found else "several status words"
        raise RowError(f"column {STATUS!r}: cannot find it ({problem}), so the columns cannot be recovered")
    return found[0]


def _axis_candidates(middle: list[str]) -> list[int]:
    """Positions in name…authority where the priority-axis number could stand."""
    return [i for i in range(1, len(middle) - 1) if _AXIS.fullmatch(middle[i].strip())]


def _known_authorities(split: list[tuple[int, list[str], int]]) -> Counter[str]:
    """Folded authorities of the lines whose name and authority split in one way only."""
    known: Counter[str] = Counter()
    for _, fields, status in split:
        middle = fields[2:status]
        candidates = _axis_candidates(middle)
        if len(candidates) == 1:
            known[fold(DELIMITER.join(middle[candidates[0] + 1 :]))] += 1
    return known


class Middle(NamedTuple):
    """Name, priority axis and authority as read from the fields between the fund and the status."""

    name: str
    axis: str
    authority: str
    note: str | None = None


def _split_middle(middle: list[str], known: Counter[str]) -> Middle:
    """The project name, the priority axis and the authority, split at the axis number."""
    candidates = _axis_candidates(middle)
    if len(candidates) > 1:
        candidates = [i for i in candidates if known[fold(DELIMITER.join(middle[i + 1 :]))] >= _KNOWN_AT]
    if len(candidates) != 1:
        shown = DELIMITER.join(middle)
        raise RowError(f"cannot tell where the project name ends and the authority begins: {shown!r}")
    axis = candidates[0]
    name, authority = DELIMITER.join(middle[:axis]), DELIMITER.join(middle[axis + 1 :])
    if known[fold(authority)] >= _KNOWN_AT:
        return Middle(name, middle[axis], authority)
    return _stray_words(name, middle[axis], authority, known)


def _stray_words(name: str, axis: str, authority: str, known: Counter[str]) -> Middle:
    """A name whose last words the export put after the axis, before a known authority
    (``Kasvun | kilpailukyvyn,1, sekä energia- ja resurssitehokkuuden edistäminen Keski-Suomen
    elinkeino-  liikenne- ja ympäristökeskus``): only the name can stand there, and the comma
    the axis took is put back. An authority the file does not name on other lines is kept whole."""
    for space in _SPACE.finditer(authority.strip()):
        words, rest = authority.strip()[: space.start()], authority.strip()[space.end() :]
        if known[fold(rest)] >= _KNOWN_AT:
            note = (
                f"the last words of the project name ({words!r}) stand after the priority axis, before the "
                f"authority {rest!r}, and are joined back to the name"
            )
            return Middle(f"{name.strip()}, {words}", axis, rest, note)
    return Middle(name, axis, authority)


class Line(NamedTuple):
    """A line's cells by column, what was read back from shifted columns and what some columns
    held instead of their value (kept in the project's raw values)."""

    row: Row
    notes: list[str]
    misplaced: dict[str, str]


def _recover(number: int, fields: list[str], status: int, known: Counter[str]) -> Line:
    """The line's cells by column, the comma-split text fields joined again."""
    middle = _split_middle(fields[2:status], known)
    tail = read_tail(fields[status + 1 :])
    values = [fields[0], fields[1], middle.name, middle.axis, middle.authority, fields[status]]
    cells = {**dict(zip(COLUMNS, (v.strip() for v in values), strict=False)), **tail.cells}
    notes = [note for note in (middle.note, tail.note) if note]
    return Line(Row(line=number, cells=cells, fields=fields), notes, tail.misplaced)


def _keyed(line: Line, seen: dict[str, int]) -> Item:
    row = line.row
    code = row.cells[CODE]
    if code in seen:
        return reject(row, RowError(f"duplicates line {seen[code]}: same project code {code}"), DELIMITER)
    seen[code] = row.line
    try:
        return Record(key=code, project=_project(line), line=row.line)
    except RowError as err:
        return reject(row, err, DELIMITER)


def _eur(text: str | None) -> Money | None:
    return parse_money(text, "EUR", ".")


def _project(line: Line) -> Project:
    row = line.row
    published = row.cells[NAME]
    title = free_text(_LOST_DASH.sub("–", _PIPE.sub(", ", published)))
    if not title:
        raise RowError(f"column {NAME!r} is empty: a project needs its name")
    status_text = row.cells[STATUS]
    raw = {column: row.cells[column] for column in RAW_COLUMNS if row.cells[column]}
    raw.update(line.misplaced)
    if title != clean(published):
        raw[NAME] = published
    flags = [includes_national_flag(GRANTED), _public_total_flag()]
    notes = list(line.notes)
    checked = Checked()
    project = Project(
        source="os-fi",
        source_id=row.cells[CODE],
        title=title,
        start_date=field(row, START, parse_date),
        end_date=field(row, END, parse_date),
        status=STATUSES.get(status_text.lower()),
        status_source=status_text,
        programme=PROGRAMME,
        period=PERIOD_2014,
        fund=FUNDS[row.cells[FUND]],
        eu_contribution=checked.amount(row, GRANTED, _eur),
        total_cost=checked.amount(row, PLANNED, _eur),
        participations=_participations(row, notes),
        flags=flags,
        raw=raw,
    )
    if notes:
        message = "The columns of this line of the list are shifted: " + "; ".join(notes) + "."
        project.flags = [*project.flags, Flag("columns_recovered", message)]
    return checked.onto(project)


def _public_total_flag() -> Flag:
    return Flag(
        "total_is_public_funding",
        f"The total is the list's '{PLANNED}' (planned public funding: EU, state and municipal); "
        "private co-financing is not published, so the total eligible cost may be higher.",
    )


def _participations(row: Row, notes: list[str]) -> list[Participation]:
    """The beneficiary as lead; none where the line's shifted columns left a number in its place."""
    name = free_text(row.cells[BENEFICIARY])
    if not name:
        return []
    if _NUMBER.fullmatch(name):
        notes.append(f"the beneficiary column holds the number {name}, so the beneficiary is not known")
        return []
    return [lead(name, COUNTRY)]


FORMATS = [
    Format(
        name="os-fi",
        description="Finland: ERDF and ESF projects 2014-2020 (rakennerahastot.fi), broken quoting recovered",
        detect=detect,
        read=read,
    )
]
