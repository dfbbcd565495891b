"""Greece's list of operations of the NSRF/ESPA 2014-2020, all operational programmes (13/05/2016).

cp1253, ``;``-delimited, CRLF, bilingual Greek/English headers with embedded newlines; dates
``DD/MM/YYYY``; amounts ``1.912,96``; rates ``85,00`` (per cent).

The operation's MIS code stands at the front of its name (``5000306-Εκπόνηση μελετών …``).
One operation is often spread over several rows — one per NUTS region, fund, priority axis
and category of intervention — that split its budget, and those rows are scattered over the
file. The rows of one MIS code therefore become ONE record: the amounts added up, the NUTS
codes and categories collected, the record's line that of the first row.

The list gives the union co-financing rate of each row's priority axis but no EU amount; the
EU amount is computed per row (expenditure × rate) and added up, and flagged as computed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from euprojects.model import Flag, Money, Project, Record, Reject
from euprojects.normalise.dates import parse_date
from euprojects.normalise.money import parse_money
from euprojects.sources.base import Format, Head, Item, Row
from euprojects.sources.common import Checked, RowError, field, reject, short_hash
from euprojects.sources.operations.common import (
    PERIOD_2014,
    bilingual_columns,
    by_line,
    code_and_name,
    computed_eu_flag,
    english,
    free_text,
    head_columns,
    lead,
    main_fund,
    money_sum,
    nuts_codes,
    percent_of,
    read_rows,
    several_funds_flag,
)

PROGRAMME = "OPERATIONAL PROGRAMME"
AXIS = "PRIORITY"
FUND = "FUND"
BENEFICIARY = "BENEFICIARY NAME"
NAME = "OPERATION NAME"
SUMMARY = "OPERATION SUMMARY"
START = "OPERATION START DATE"
END = "OPERATION END DATE"
TOTAL = "TOTAL ELIGIBLE EXPENDITURE ALLOCATED TO THE OPERATION"
RATE = "UNION CO-FINANCING RATE AS PER PRIORITY AXIS"
LOCATION = "POSTCODE OR OTHER APPROPRIATE LOCATION INDICATOR"
COUNTRY = "COUNTRY"
CATEGORY = "NAME OF CATEGORY OF INTERVENTION FOR THE OPERATION"

REQUIRED = (PROGRAMME, FUND, BENEFICIARY, NAME, START, END, TOTAL, RATE, LOCATION)
OPTIONAL = (AXIS, SUMMARY, COUNTRY, CATEGORY)
ENCODINGS = ("utf-8", "cp1253")
DELIMITER = ";"
COUNTRY_CODE = "GR"

# "1-ΕΤΠΑ" ERDF, "2-ΕΚΤ" ESF, "6-ΤΣ" Cohesion Fund, "7-ΠΑΝ" Youth Employment Initiative.
FUNDS = {"ΕΤΠΑ": "ERDF", "ΕΚΤ": "ESF", "ΤΣ": "CF", "ΠΑΝ": "YEI"}
_MIS = re.compile(r"\s*(\d{5,})\s*-\s*(.+)", re.DOTALL)


def detect(head: Head) -> bool:
    labels = {english(cell) for cell in head_columns(head, DELIMITER, ENCODINGS)}
    return {PROGRAMME, NAME, BENEFICIARY, TOTAL, RATE, LOCATION} <= labels


def read(path: Path) -> Iterator[Item]:
    header, rows = read_rows(path, delimiter=DELIMITER, required=(), encodings=ENCODINGS)
    columns = bilingual_columns(header, REQUIRED, OPTIONAL)
    yield from by_line(_items(rows, columns))


@dataclass(slots=True)
class _Part:
    """One row of an operation, parsed."""

    row: Row
    key: str
    title: str
    beneficiary: str | None
    start: dt.date | None
    end: dt.date | None
    total: Money | None
    rate: Decimal | None
    fund: str | None
    nuts: list[str]
    category: str | None
    checked: Checked


def _items(rows: list[Row | Reject], columns: dict[str, str]) -> list[Item]:
    items: list[Item] = []
    groups: dict[str, list[_Part]] = {}
    rejected: Counter[str] = Counter()
    for row in rows:
        if not isinstance(row, Row):
            items.append(row)
            continue
        try:
            key, title = _identity(row, columns)
        except RowError as err:
            items.append(reject(row, err, DELIMITER))
            continue
        try:
            part = _part(row, columns, key, title)
        except RowError as err:
            rejected[key] += 1
            items.append(reject(row, err, DELIMITER))
            continue
        groups.setdefault(key, []).append(part)
    items.extend(_record(key, parts, columns, rejected[key]) for key, parts in groups.items())
    return items


def _identity(row: Row, columns: dict[str, str]) -> tuple[str, str]:
    """The MIS code and the title without it; short_hash(title, beneficiary, start) if no code."""
    name = free_text(row.cells.get(columns[NAME]))
    if not name:
        raise RowError(f"column {columns[NAME]!r} is empty: an operation needs its name")
    match = _MIS.fullmatch(name)
    if match:
        return match[1], free_text(match[2]) or name
    start = row.cells.get(columns[START], "").strip()
    return short_hash(name, free_text(row.cells.get(columns[BENEFICIARY])), start), name


def _eur(text: str | None) -> Money | None:
    """Euro; an amount naming another currency cannot be added to the operation's others."""
    money = parse_money(text, "EUR", ",")
    if money is not None and money.currency != "EUR":
        raise ValueError(f"{(text or '').strip()!r} is in {money.currency}, not in euro")
    return money


def _part(row: Row, columns: dict[str, str], key: str, title: str) -> _Part:
    _, fund_code = code_and_name(row.cells.get(columns[FUND]))
    category = row.cells.get(columns[CATEGORY]) if CATEGORY in columns else None
    checked = Checked()
    return _Part(
        row=row,
        key=key,
        title=title,
        beneficiary=free_text(row.cells.get(columns[BENEFICIARY])),
        start=field(row, columns[START], parse_date),
        end=field(row, columns[END], parse_date),
        total=checked.amount(row, columns[TOTAL], _eur),
        rate=checked.rate(row, columns[RATE]),
        fund=FUNDS.get(fund_code or ""),
        nuts=nuts_codes(row.cells.get(columns[LOCATION])),
        category=code_and_name(category)[1],
        checked=checked,
    )


def _record(key: str, parts: list[_Part], columns: dict[str, str], rejected: int) -> Record:
    first = parts[0]
    code, programme = code_and_name(first.row.cells.get(columns[PROGRAMME]))
    total, eu, rate, flags = _money(parts)
    fund, fund_flags = _fund(parts)
    flags += fund_flags + _group_flags(parts, rejected)
    project = Project(
        source="os-el",
        source_id=key,
        title=first.title,
        summary=free_text(first.row.cells.get(columns[SUMMARY])) if SUMMARY in columns else None,
        start_date=first.start,
        end_date=first.end,
        programme=programme,
        programme_code=code,
        period=PERIOD_2014,
        fund=fund,
        themes=_unique(p.category for p in parts),
        total_cost=total,
        eu_contribution=eu,
        cofinancing_rate=rate,
        nuts=_unique(code for p in parts for code in p.nuts),
        participations=[lead(first.beneficiary, COUNTRY_CODE)] if first.beneficiary else [],
        flags=flags,
        raw=_raw(parts, columns),
    )
    for part in parts:
        part.checked.onto(project)
    return Record(key=key, project=project, line=first.row.line, rows=len(parts))


def _money(parts: list[_Part]) -> tuple[Money | None, Money | None, Decimal | None, list[Flag]]:
    """Total, computed EU amount, the rate when all rows share it, and the flags they need."""
    total = money_sum(p.total for p in parts)
    eu = money_sum(percent_of(p.total, p.rate) for p in parts)
    rates = sorted({p.rate for p in parts if p.rate is not None})
    flags = [computed_eu_flag(rates)] if eu is not None else []
    missing = sum(1 for p in parts if p.total is None)
    if missing and total is not None:
        flags.append(
            Flag(
                "amount_incomplete",
                f"{missing} of the {len(parts)} rows of this operation in the list give no amount; "
                "the total adds up the amounts that are given.",
            )
        )
    return total, eu, rates[0] if len(rates) == 1 else None, flags


def _fund(parts: list[_Part]) -> tuple[str | None, list[Flag]]:
    """The fund, or the one with the largest share when the rows name several."""
    shares: dict[str, Decimal] = {}
    for part in parts:
        if part.fund:
            shares[part.fund] = shares.get(part.fund, Decimal(0)) + (part.total.amount if part.total else 0)
    fund = main_fund(shares)
    if fund is None or len(shares) == 1:
        return fund, []
    return fund, [several_funds_flag(shares, fund)]


_SAME: tuple[tuple[str, Callable[[_Part], object]], ...] = (
    ("name", lambda p: p.title),
    ("beneficiary", lambda p: p.beneficiary),
    ("start date", lambda p: p.start),
    ("end date", lambda p: p.end),
)


def _group_flags(parts: list[_Part], rejected: int) -> list[Flag]:
    """Say that rows were added up, and where they disagree or some could not be read."""
    flags = []
    if len(parts) > 1:
        flags.append(
            Flag(
                "rows_grouped",
                f"The list gives this operation in {len(parts)} rows (by region, fund, priority axis and "
                "category of intervention); their amounts are added up here.",
            )
        )
    for label, value in _SAME:
        values = {value(p) for p in parts}
        if len(values) > 1:
            flags.append(
                Flag("rows_disagree", f"The rows of this operation give different {label}s; the first is shown.")
            )
    if rejected:
        flags.append(
            Flag(
                "rows_rejected",
                f"{rejected} row(s) of this operation could not be read (see the file's rejects); "
                "their amounts are missing from the totals.",
            )
        )
    return flags


def _raw(parts: list[_Part], columns: dict[str, str]) -> dict[str, str]:
    """Published values: every row's amount in row order, the distinct values of the other columns."""
    raw = {}
    for label in (PROGRAMME, AXIS, FUND, START, END, TOTAL, RATE, LOCATION, COUNTRY, CATEGORY):
        column = columns.get(label)
        if column is None:
            continue
        values = [(p.row.cells.get(column) or "").strip() for p in parts]
        shown = values if label == TOTAL else _unique(values)
        text = "; ".join(v for v in shown if v)
        if text:
            raw[column] = text
    return raw


def _unique(values: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


FORMATS = [
    Format(
        name="os-el",
        description="Greece: list of operations of the NSRF 2014-2020, all operational programmes (13/05/2016)",
        detect=detect,
        read=read,
    )
]
