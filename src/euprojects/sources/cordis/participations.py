"""H2020 participations and programme parts derived from the CORDIS dump of 2020-12-14 (R exports).

Both tables know a project only by its CORDIS record number, so records are keyed
``cordis:rcn-<rcn>`` and reach the grant through the aliases other CORDIS tables publish.

``h2020.csv.gz`` has one row per participation: PIC, role, activity type, country and EU
contribution, with the project's dates and amounts repeated on every row. R writes a missing
value as ``NA``, which is also Namibia's country code: a ``NA`` country on a row whose
author-computed country ``group`` is ``tc`` (third country) is Namibia, and missing otherwise
(a missing country would have no group). The file sets no programme: the programme-parts table
of the same export, at the same priority, names it.

``programme_parts.csv.gz`` maps a project to one or more programme parts by short name (``SC4``,
``LEIT``); the companion ``cordis-programmes.yml`` maps those to official codes. One record per
row; the parts are programmes, not themes, so they fill ``programme``/``programme_code`` only
(the store keeps the first row's part when a project has several).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from euprojects.model import Money, Participation, Project, Record, Reject, Role
from euprojects.normalise.programmes import name_of
from euprojects.sources.base import Format, Head, Item, Row, SourceError, has_columns, read_table
from euprojects.sources.common import Checked, RowError, build_records, field, organisation, reject
from euprojects.sources.cordis.projects import H2020, amount, iso_date

NA = "NA"

# ---------------------------------------------------------------------------------------------
# h2020.csv.gz

REQUIRED = (
    "rcn",
    "role",
    "pic",
    "type",
    "contribution",
    "country",
    "start_date",
    "end_date",
    "max_contribution",
    "total_cost",
)
ROLES = {"coordinator": Role.LEAD, "participant": Role.PARTNER, "partner": Role.ASSOCIATED}
TYPES = frozenset({"HES", "PRC", "REC", "PUB", "OTH"})
_PROJECT_RAW = ("start_date", "end_date", "max_contribution", "total_cost")
_PIC = re.compile(r"\d{9}")


def detect(head: Head) -> bool:
    return has_columns(head.csv_header(","), (*REQUIRED, "group", "nunique"))


def read(path: Path) -> Iterator[Item]:
    rows = read_table(path, delimiter=",", required=REQUIRED)
    return _participations(rows)


def _value(text: str | None) -> str | None:
    """A cell of an R export: ``NA`` and blanks are missing."""
    if text is None:
        return None
    text = text.strip()
    return None if not text or text == NA else text


def _na_date(text: str | None) -> dt.date | None:
    return iso_date(_value(text))


def _na_amount(text: str | None) -> Money | None:
    return amount(_value(text))


class _Project:
    """The project-level values of the current rcn, parsed once for all its rows."""

    __slots__ = ("amounts", "checked", "dates", "raw", "rcn", "signature")

    def __init__(self, rcn: str, signature: tuple[str, ...], row: Row) -> None:
        self.rcn = rcn
        self.signature = signature
        self.dates = (field(row, "start_date", _na_date), field(row, "end_date", _na_date))
        self.checked = Checked()
        self.amounts = (
            self.checked.amount(row, "max_contribution", _na_amount),
            self.checked.amount(row, "total_cost", _na_amount),
        )
        self.raw = {c: v for c in _PROJECT_RAW if (v := row.cells[c]) and v != NA}


def _participations(rows: Iterator[Row | Reject]) -> Iterator[Item]:
    current: _Project | None = None
    orders: dict[str, int] = {}  # participations so far per rcn
    seen: dict[str, tuple[int, int]] = {}  # key → (hash of the row that took it, its order)
    for row in rows:
        if not isinstance(row, Row):
            yield row
            continue
        cells = row.cells
        try:
            rcn = cells["rcn"].strip()
            if not rcn.isdigit():
                raise RowError(f"column 'rcn': {rcn!r} is not a CORDIS record number")
            signature = (rcn, *(cells[c] for c in _PROJECT_RAW))
            if current is None or current.signature != signature:
                current = None  # stays unset if this row's project values are rejected
                current = _Project(rcn, signature, row)
            record = _record(row, current)
        except RowError as err:
            yield reject(row, err, ",")
            continue
        _place(record, rcn, hash(tuple(row.fields)), orders, seen)
        yield record


def _place(
    record: Record, rcn: str, fingerprint: int, orders: dict[str, int], seen: dict[str, tuple[int, int]]
) -> None:
    """Give the participation its order in the project and the record a key of its own.

    Identical rows share their key and order: they are duplicates. A different row under a key
    already taken gets ``#2``, ``#3``… so both are kept.
    """
    participation = record.project.participations[0]
    key = record.key
    suffix = 1
    while record.key in seen:
        taken, order = seen[record.key]
        if taken == fingerprint:
            participation.order = order
            return
        suffix += 1
        record.key = f"{key}#{suffix}"
    participation.order = orders.get(rcn, 0)
    orders[rcn] = participation.order + 1
    seen[record.key] = (fingerprint, participation.order)


def _record(row: Row, project: _Project) -> Record:
    cells = row.cells
    role_raw = cells["role"].strip()
    role = ROLES.get(role_raw)
    if role is None:
        raise RowError(f"column 'role': {role_raw!r} is not coordinator, participant or partner")
    pic = cells["pic"].strip()
    if not _PIC.fullmatch(pic):
        raise RowError(f"column 'pic': {pic!r} is not a 9-digit Participant Identification Code")
    kind = _value(cells["type"])
    if kind is not None and kind not in TYPES:
        raise RowError(f"column 'type': {kind!r} is not an activity type (HES, PRC, REC, PUB, OTH)")
    country = cells["country"].strip()
    if country == NA:
        country = NA if cells.get("group", "").strip() == "tc" else ""
    who = f"{pic}/{role_raw}"
    checked = Checked(f"[{who}]")
    contribution = checked.amount(row, "contribution", _na_amount)
    org = organisation(None, country or None, pic=pic, type=kind)
    raw = dict(project.raw)
    if contribution is not None:
        raw[f"contribution[{who}]"] = cells["contribution"]
    start, end = project.dates
    result = Project(
        source="cordis",
        source_id=f"rcn-{project.rcn}",
        start_date=start,
        end_date=end,
        fund=H2020[0],
        period=H2020[1],
        eu_contribution=project.amounts[0],
        total_cost=project.amounts[1],
        participations=[Participation(organisation=org, role=role, role_raw=role_raw, eu_contribution=contribution)],
        raw=raw,
    )
    project.checked.onto(checked.onto(result))
    return Record(key=f"{project.rcn}/{pic}/{role_raw}", project=result, line=row.line)


# ---------------------------------------------------------------------------------------------
# programme_parts.csv.gz with cordis-programmes.yml

PARTS_REQUIRED = ("rcn", "programme_part")
COMPANION = "cordis-programmes.yml"
# The companion's mapping, for when the file travels without it.
BUILT_IN_PARTS: dict[str, tuple[str, ...]] = {
    "ERC": ("H2020-EU.1.1.",),
    "FET": ("H2020-EU.1.2.",),
    "MSCA": ("H2020-EU.1.3.",),
    "RI": ("H2020-EU.1.4.",),
    "LEIT": ("H2020-EU.2.1.",),
    "ARF": ("H2020-EU.2.2.",),
    "Innovation in SMEs": ("H2020-EU.2.3.",),
    "SC1": ("H2020-EU.3.1.",),
    "SC2": ("H2020-EU.3.2.",),
    "SC3": ("H2020-EU.3.3.",),
    "SC4": ("H2020-EU.3.4.",),
    "SC5": ("H2020-EU.3.5.",),
    "SC6": ("H2020-EU.3.6.",),
    "SC7": ("H2020-EU.3.7.",),
    "SEWP": ("H2020-EU.4.",),
    "SWAFS": ("H2020-EU.5.",),
    "JRC": ("H2020-EU.6.",),
    "EIT": ("H2020-EU.7.",),
    "Euratom": ("H2020-Euratom",),
}


def detect_parts(head: Head) -> bool:
    header = head.csv_header(",")
    return len(header) == len(PARTS_REQUIRED) and has_columns(header, PARTS_REQUIRED)


def parse_programmes_yml(text: str) -> dict[str, tuple[str, ...]]:
    """The companion's ``Name:`` keys each followed by ``- "CODE"`` items; other YAML is refused."""
    table: dict[str, list[str]] = {}
    name: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("- ") and name is not None:
            table[name].append(stripped[2:].strip().strip("\"'").strip())
        elif stripped.endswith(":") and not line[0].isspace() and not stripped.startswith("-"):
            name = stripped[:-1].strip().strip("\"'")
            table[name] = []
        else:
            raise ValueError(f"line {number} is neither 'Name:' nor '- \"CODE\"': {stripped[:60]!r}")
    return {k: tuple(v) for k, v in table.items() if v}


def _programme_table(path: Path) -> dict[str, tuple[str, ...]]:
    companion = path.parent / COMPANION
    if not companion.is_file():
        return BUILT_IN_PARTS
    try:
        parsed = parse_programmes_yml(companion.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise SourceError(f"the companion {COMPANION} cannot be read: {err}") from None
    return {**BUILT_IN_PARTS, **parsed}


def read_parts(path: Path) -> Iterator[Item]:
    table = _programme_table(path)
    rows = read_table(path, delimiter=",", required=PARTS_REQUIRED)
    return _parts(rows, table)


def _parts(rows: Iterator[Row | Item], table: dict[str, tuple[str, ...]]) -> Iterator[Item]:
    return build_records(rows, lambda row: _part(row, table), ",")


def _part(row: Row, table: dict[str, tuple[str, ...]]) -> Record:
    rcn = row.cells["rcn"].strip()
    if not rcn.isdigit():
        raise RowError(f"column 'rcn': {rcn!r} is not a CORDIS record number")
    part = _value(row.cells["programme_part"])
    if part is None:
        raise RowError("column 'programme_part' is empty")
    codes = table.get(part)
    if not codes:
        raise RowError(f"column 'programme_part': {part!r} is not a known H2020 programme part")
    code = codes[0]
    project = Project(
        source="cordis",
        source_id=f"rcn-{rcn}",
        programme=name_of(code) or part,
        programme_code=code,
        fund=H2020[0],
        period=H2020[1],
    )
    return Record(key=f"{rcn}/{part}", project=project, line=row.line)


FORMATS = [
    Format(
        name="cordis-h2020-participations",
        description="H2020 participations by rcn (R export of CORDIS 2020): PIC, role, type, country, EU contribution",
        detect=detect,
        read=read,
    ),
    Format(
        name="cordis-h2020-programme-parts",
        description="H2020 programme parts by rcn (R export of CORDIS 2020), with cordis-programmes.yml",
        detect=detect_parts,
        read=read_parts,
        companions=(COMPANION,),
    ),
]
