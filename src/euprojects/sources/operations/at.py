"""Austria's list of operations of the IWB/EFRE programme 2014-2020 (ÖROK, an early 2016 snapshot).

UTF-8, ``,``-delimited, all quoted, bilingual German/English headers with embedded newlines;
dates ``DD.MM.YYYY``; amounts ``403514,06`` (decimal comma, no thousands separator); rates
``18,13 %``. The list gives the union co-financing rate of the priority axis but no EU
amount, which is computed (expenditure × rate) and flagged as computed.

The location indicator is a municipality code and name (``60660 - Dobl-Zwaring``); the code's
first digit is the federal state, which is a NUTS 2 region.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from euprojects.model import Money, Project
from euprojects.normalise.dates import parse_date
from euprojects.normalise.money import parse_money
from euprojects.normalise.places import country_code
from euprojects.normalise.text import clean
from euprojects.sources.base import Format, Head, Item, Row
from euprojects.sources.common import Checked, RowError, field
from euprojects.sources.operations.common import (
    PERIOD_2014,
    bilingual_columns,
    by_line,
    code_and_name,
    computed_eu_flag,
    english,
    free_text,
    keyed_records,
    lead,
    parse_rows,
    percent_of,
    read_rows,
)

NAME = "OPERATION NAME"
BENEFICIARY = "NAME OF BENEFICIARY"
SUMMARY = "OPERATION SUMMARY"
START = "OPERATION START DATE"
END = "OPERATION END DATE"
TOTAL = "TOTAL ELIGIBLE EXPENDITURE ALLOCATED TO THE OPERATION"
RATE = "UNION CO-FINANCING RATE, AS PER PRIORITY AXIS"
LOCATION = "LOCATION INDICATOR"
COUNTRY = "COUNTRY"
CATEGORY = "NAME OF CATEGORY OF INTERVENTION FOR THE OPERATION"

REQUIRED = (NAME, BENEFICIARY, START, END, TOTAL, RATE, LOCATION)
OPTIONAL = (SUMMARY, COUNTRY, CATEGORY)
ENCODINGS = ("utf-8",)
DELIMITER = ","
COUNTRY_CODE = "AT"
FUND = "ERDF"
PROGRAMME = "Investitionen in Wachstum und Beschäftigung Österreich 2014-2020 (IWB/EFRE)"
# First digit of the Gemeindekennziffer → federal state → NUTS 2 region.
STATE_NUTS = {
    "1": "AT11",  # Burgenland
    "2": "AT21",  # Kärnten
    "3": "AT12",  # Niederösterreich
    "4": "AT31",  # Oberösterreich
    "5": "AT32",  # Salzburg
    "6": "AT22",  # Steiermark
    "7": "AT33",  # Tirol
    "8": "AT34",  # Vorarlberg
    "9": "AT13",  # Wien
}
_MUNICIPALITY = re.compile(r"\s*(\d{5})\b.*", re.DOTALL)


def detect(head: Head) -> bool:
    labels = {english(cell) for cell in head.csv_header(DELIMITER)}
    return {NAME, BENEFICIARY, TOTAL, RATE, LOCATION} <= labels


def read(path: Path) -> Iterator[Item]:
    header, rows = read_rows(path, delimiter=DELIMITER, required=(), encodings=ENCODINGS)
    columns = bilingual_columns(header, REQUIRED, OPTIONAL)
    items, parsed = parse_rows(rows, lambda row: _project(row, columns), DELIMITER)
    items.extend(keyed_records(parsed, (columns[LOCATION], columns[TOTAL]), DELIMITER))
    yield from by_line(items)


def _eur(text: str | None) -> Money | None:
    return parse_money(text, "EUR", ",")


def _project(row: Row, columns: dict[str, str]) -> Project:
    title = free_text(row.cells.get(columns[NAME]))
    if not title:
        raise RowError(f"column {columns[NAME]!r} is empty: an operation needs its name")
    beneficiary = clean(row.cells.get(columns[BENEFICIARY]))
    country = country_code(row.cells.get(columns.get(COUNTRY, ""))) or COUNTRY_CODE
    checked = Checked()
    total = checked.amount(row, columns[TOTAL], _eur)
    rate = checked.rate(row, columns[RATE])
    eu = percent_of(total, rate)
    _, category = code_and_name(row.cells.get(columns.get(CATEGORY, "")))
    project = Project(
        source="os-at",
        source_id="",
        title=title,
        summary=free_text(row.cells.get(columns.get(SUMMARY, ""))),
        start_date=field(row, columns[START], parse_date),
        end_date=field(row, columns[END], parse_date),
        programme=PROGRAMME,
        period=PERIOD_2014,
        fund=FUND,
        themes=[category] if category else [],
        total_cost=total,
        eu_contribution=eu,
        cofinancing_rate=rate,
        nuts=_nuts(row.cells.get(columns[LOCATION])),
        participations=[lead(beneficiary, country)] if beneficiary else [],
        flags=[computed_eu_flag([rate])] if eu is not None and rate is not None else [],
        raw=_raw(row, columns),
    )
    return checked.onto(project)


def _nuts(location: str | None) -> list[str]:
    """The NUTS 2 region of the municipality code at the front of the location indicator."""
    match = _MUNICIPALITY.fullmatch(location or "")
    code = STATE_NUTS.get(match[1][0]) if match else None
    return [code] if code else []


def _raw(row: Row, columns: dict[str, str]) -> dict[str, str]:
    raw = {}
    for label in (START, END, TOTAL, RATE, LOCATION, COUNTRY, CATEGORY):
        column = columns.get(label)
        value = (row.cells.get(column) or "").strip() if column else ""
        if column and value:
            raw[column] = value
    return raw


FORMATS = [
    Format(
        name="os-at",
        description="Austria: list of operations of the IWB/EFRE programme 2014-2020 (ÖROK, 2016 snapshot)",
        detect=detect,
        read=read,
    )
]
