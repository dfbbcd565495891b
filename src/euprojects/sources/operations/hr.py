"""Croatia's list of ESIF operations (strukturnifondovi.hr, "2007-2020").

UTF-8, ``,``-delimited; dates ``DD.MM.YYYY``; amounts ``5.172.338,50 kn`` — or ``€`` for the
contracts signed before 2014, which keep their euro amounts here. Every beneficiary carries
its 11-digit OIB in parentheses, which becomes the organisation's identity (``hr-oib:…``).

The list repeats an operation once per county it concerns, each row with the operation's
whole amounts (an ESF project in 21 rows of 5.172.338,50 kn each). Those rows become one
record with all its counties as NUTS 3 regions; nothing is added up.

``Bespovratna sredstva`` (the grant) is EU money and national co-financing together: it is
the record's EU contribution, flagged as such.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from euprojects.model import Flag, Money, Participation, Project, Record, Reject
from euprojects.normalise.dates import parse_date
from euprojects.normalise.money import parse_money
from euprojects.normalise.places import fold
from euprojects.normalise.text import clean
from euprojects.sources.base import Format, Head, Item, Row, has_columns
from euprojects.sources.common import Checked, RowError, field, reject
from euprojects.sources.operations.common import (
    assign_keys,
    by_line,
    free_text,
    includes_national_flag,
    lead,
    read_rows,
)

TITLE = "Naziv projekta"
FUND = "Fond"
OP_CODE = "Šifra operativnog programa"
OP = "Operativni program"
REGION = "NUTSII"
COUNTY = "Županija"
BENEFICIARY = "Korisnik"
DESCRIPTION = "Opis projekta"
CONTRACT = "Datum ugovaranja"
END = "Zaključni datum provedbe aktivnosti"
GRANT = "Bespovratna sredstva"
TOTAL = "Ukupno prihvatljivi troškovi"

REQUIRED = (TITLE, FUND, OP, BENEFICIARY, CONTRACT, END, GRANT, TOTAL)
LOCATION = (REGION, COUNTY)
RAW_COLUMNS = (FUND, OP_CODE, OP, REGION, COUNTY, CONTRACT, END, GRANT, TOTAL)
ENCODINGS = ("utf-8",)
DELIMITER = ","
COUNTRY = "HR"

FUNDS = {
    "europski socijalni fond": "ESF",
    "europski socijani fond": "ESF",  # sic: the list's own spelling
    "europski fond za regionalni razvoj": "ERDF",
    "kohezijski fond": "CF",
    "inicijativa za zaposljavanje mladih": "YEI",
}
# The four operational programmes in the list are Croatia's 2007-2013 programmes (run under
# IPA before accession on 1 July 2013, as Structural Fund programmes after it); their
# expenditure stayed eligible until 31 December 2016. The two 2014-2020 programmes are known
# by name in case a later list includes them.
PERIODS_BY_CODE = {"HR": "2007-2013", "RC": "2007-2013", "TR": "2007-2013", "EN": "2007-2013"}
PERIODS_BY_NAME = {
    "razvoj ljudskih potencijala": "2007-2013",
    "regionalna konkurentnost": "2007-2013",
    "promet": "2007-2013",
    "okolis": "2007-2013",
    "konkurentnost i kohezija": "2014-2020",
    "ucinkoviti ljudski potencijali": "2014-2020",
}
# NUTS 2013/2016: Jadranska Hrvatska HR03, Kontinentalna Hrvatska HR04, and their counties.
REGION_NUTS = {"adriatic croatia": "HR03", "continental croatia": "HR04"}
COUNTY_NUTS = {
    "primorsko goranska": "HR031",
    "licko senjska": "HR032",
    "zadarska": "HR033",
    "sibensko kninska": "HR034",
    "splitsko dalmatinska": "HR035",
    "istarska": "HR036",
    "dubrovacko neretvanska": "HR037",
    "grad zagreb": "HR041",
    "zagrebacka": "HR042",
    "krapinsko zagorska": "HR043",
    "varazdinska": "HR044",
    "koprivnicko krizevacka": "HR045",
    "medimurska": "HR046",
    "bjelovarsko bilogorska": "HR047",
    "viroviticko podravska": "HR048",
    "pozesko slavonska": "HR049",
    "brodsko posavska": "HR04A",
    "osjecko baranjska": "HR04B",
    "vukovarsko srijemska": "HR04C",
    "karlovacka": "HR04D",
    "sisacko moslavacka": "HR04E",
}
_OIB = re.compile(r"(.*?)\s*\(\s*(\d{11})\s*\)\s*", re.DOTALL)


def detect(head: Head) -> bool:
    return has_columns(head.csv_header(DELIMITER), (TITLE, OP_CODE, BENEFICIARY, GRANT, TOTAL))


def read(path: Path) -> Iterator[Item]:
    _, rows = read_rows(path, delimiter=DELIMITER, required=REQUIRED, encodings=ENCODINGS)
    yield from by_line(_items(rows))


@dataclass(slots=True)
class _Part:
    """One row, parsed; ``content`` is everything but its county, to find the repeats."""

    row: Row
    title: str
    beneficiary: str | None
    oib: str | None
    start: dt.date | None
    end: dt.date | None
    grant: Money | None
    total: Money | None
    content: tuple[str, ...]
    checked: Checked


def _items(rows: list[Row | Reject]) -> list[Item]:
    items: list[Item] = []
    groups: dict[tuple[str, ...], list[_Part]] = {}
    for row in rows:
        if not isinstance(row, Row):
            items.append(row)
            continue
        try:
            part = _part(row)
        except RowError as err:
            items.append(reject(row, err, DELIMITER))
            continue
        groups.setdefault(part.content, []).append(part)
    items.extend(_keyed(list(groups.values())))
    return items


def _part(row: Row) -> _Part:
    title = free_text(row.cells.get(TITLE))
    if not title:
        raise RowError(f"column {TITLE!r} is empty: an operation needs its name")
    name, oib = _beneficiary(row.cells.get(BENEFICIARY))
    checked = Checked()
    return _Part(
        row=row,
        title=title,
        beneficiary=name,
        oib=oib,
        start=field(row, CONTRACT, parse_date),
        end=field(row, END, parse_date),
        grant=checked.amount(row, GRANT, _hrk),
        total=checked.amount(row, TOTAL, _hrk),
        content=tuple(clean(value) or "" for column, value in row.cells.items() if column not in LOCATION),
        checked=checked,
    )


def _hrk(text: str | None) -> Money | None:
    """Kuna unless the cell names another currency (``€`` on the pre-2014 contracts)."""
    return parse_money(text, "HRK", ",")


def _beneficiary(cell: str | None) -> tuple[str | None, str | None]:
    """``Ministarstvo … mladih (15351583880)`` → the name and the OIB."""
    text = clean(cell)
    if not text:
        return None, None
    match = _OIB.fullmatch(text)
    if not match:
        return text, None
    return clean(match[1]) or text, match[2]


def oib_valid(oib: str) -> bool:
    """The OIB's check digit (ISO 7064, MOD 11,10) is right."""
    remainder = 10
    for digit in oib[:10]:
        remainder = (remainder + int(digit)) % 10 or 10
        remainder = remainder * 2 % 11
    return (11 - remainder) % 10 == int(oib[10])


def _keyed(groups: list[list[_Part]]) -> Iterator[Item]:
    """One record per operation, keyed by short_hash(title, beneficiary, contract date).

    Rows that share those three but differ in anything but the county would be different
    operations; they are keyed with their fund, programme and amounts too, and rejected
    only when even those are the same.
    """

    def base(group: list[_Part]) -> tuple[str | None, ...]:
        first = group[0]
        return first.title, first.beneficiary, first.start.isoformat() if first.start else None

    def extra(group: list[_Part]) -> tuple[str | None, ...]:
        return tuple(clean(group[0].row.cells.get(column)) for column in (FUND, OP_CODE, GRANT, TOTAL))

    for group, (key, duplicate) in zip(groups, assign_keys(groups, base, extra), strict=True):
        if duplicate is not None:
            reason = (
                f"duplicates line {groups[duplicate][0].row.line}: same name, beneficiary, contract date, fund, "
                "programme and amounts"
            )
            yield from (reject(part.row, RowError(reason), DELIMITER) for part in group)
            continue
        yield _record(key, group)


def _record(key: str, group: list[_Part]) -> Record:
    first = group[0]
    cells = first.row.cells
    flags = [includes_national_flag(GRANT)]
    if len(group) > 1:
        flags.append(
            Flag(
                "rows_grouped",
                f"The list repeats this operation in {len(group)} rows, one per county, each with the "
                "operation's whole amounts; it is shown once, with all its counties.",
            )
        )
    project = Project(
        source="os-hr",
        source_id=key,
        title=first.title,
        summary=free_text(cells.get(DESCRIPTION)),
        start_date=first.start,
        end_date=first.end,
        programme=free_text(cells.get(OP)),
        programme_code=clean(cells.get(OP_CODE)),
        period=_period(cells, first.start),
        fund=FUNDS.get(fold(cells.get(FUND) or "")),
        total_cost=first.total,
        eu_contribution=first.grant,
        nuts=_nuts(group),
        participations=_participations(first, flags),
        flags=flags,
        raw=_raw(group),
    )
    return Record(key=key, project=first.checked.onto(project), line=first.row.line, rows=len(group))


def _period(cells: dict[str, str], contract: dt.date | None) -> str | None:
    """The programming period: from the operational programme; failing that, from the contract date.

    A contract before 2014 can only belong to 2007-2013 and one after 2016 (when Croatia's
    2007-2013 eligibility ended) only to 2014-2020; in between the date cannot tell.
    """
    period = PERIODS_BY_CODE.get((clean(cells.get(OP_CODE)) or "").upper())
    period = period or PERIODS_BY_NAME.get(fold(cells.get(OP) or ""))
    if period or contract is None:
        return period
    if contract < dt.date(2014, 1, 1):
        return "2007-2013"
    if contract > dt.date(2016, 12, 31):
        return "2014-2020"
    return None


def _nuts(group: list[_Part]) -> list[str]:
    """The counties' NUTS 3 codes; the NUTS 2 region's where the county is not known."""
    codes: dict[str, None] = {}
    for part in group:
        county = COUNTY_NUTS.get(fold(part.row.cells.get(COUNTY) or ""))
        code = county or REGION_NUTS.get(fold(part.row.cells.get(REGION) or ""))
        if code:
            codes.setdefault(code, None)
    return list(codes)


def _participations(first: _Part, flags: list[Flag]) -> list[Participation]:
    if not first.beneficiary:
        return []
    oib = first.oib
    if oib and not oib_valid(oib):
        flags.append(
            Flag("oib_invalid", f"The beneficiary's OIB {oib} fails its check digit; it is not used to identify it.")
        )
        oib = None
    return [lead(first.beneficiary, COUNTRY, national=("hr-oib", oib) if oib else None)]


def _raw(group: list[_Part]) -> dict[str, str]:
    """Published values; the county columns list every county of the operation."""
    raw = {}
    for column in RAW_COLUMNS:
        values: dict[str, None] = {}
        for part in group if column in LOCATION else group[:1]:
            value = (part.row.cells.get(column) or "").strip()
            if value:
                values.setdefault(value, None)
        if values:
            raw[column] = "; ".join(values)
    return raw


FORMATS = [
    Format(
        name="os-hr",
        description="Croatia: list of ESIF operations (strukturnifondovi.hr), with the beneficiaries' OIB",
        detect=detect,
        read=read,
    )
]
