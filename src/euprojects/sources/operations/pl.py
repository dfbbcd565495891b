"""Poland's list of ERDF projects 2014-2020 (mapadotacji.gov.pl).

cp1250, ``;``-delimited, LF; values are quoted only where they contain quotes. Amounts in PLN
with a decimal point (``1568930487.38``). No dates, no places, no programme: only title,
beneficiary, total value, EU co-financing and a domain. Records are keyed by
short_hash(title, beneficiary) — there is no start date to add.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from euprojects.model import Money, Project
from euprojects.normalise.money import parse_money
from euprojects.normalise.text import clean
from euprojects.sources.base import Format, Head, Item, Row, has_columns
from euprojects.sources.common import Checked, RowError
from euprojects.sources.operations.common import (
    PERIOD_2014,
    by_line,
    free_text,
    head_columns,
    keyed_records,
    lead,
    parse_rows,
    raw_values,
    read_rows,
)

TITLE = "Tytuł projektu"
BENEFICIARY = "Nazwa beneficjenta"
VALUE = "Wartość projektu"
EU = "Dofinansowanie z EU"
MULTIMEDIA = "Multimedia"
DOMAIN = "Dziedzina"
MULTI_REGION = "Czy projekt jest realizowany na obszarze większym niż jedna jednostka administracyjna?"

REQUIRED = (TITLE, BENEFICIARY, VALUE, EU)
RAW_COLUMNS = (VALUE, EU, DOMAIN, MULTIMEDIA, MULTI_REGION)
ENCODINGS = ("utf-8", "cp1250")
DELIMITER = ";"
COUNTRY = "PL"
# The list does not say which operational programme a project belongs to; it is ERDF only.
FUND = "ERDF"
PROGRAMME = "Fundusze Europejskie 2014-2020 (Polska)"
NO_DOMAIN = "brak"


def detect(head: Head) -> bool:
    return has_columns(head_columns(head, DELIMITER, ENCODINGS), REQUIRED)


def read(path: Path) -> Iterator[Item]:
    _, rows = read_rows(path, delimiter=DELIMITER, required=REQUIRED, encodings=ENCODINGS)
    items, parsed = parse_rows(rows, _project, DELIMITER)
    items.extend(keyed_records(parsed, (VALUE, EU), DELIMITER))
    yield from by_line(items)


def _pln(text: str | None) -> Money | None:
    return parse_money(text, "PLN", ".")


def _project(row: Row) -> Project:
    title = free_text(row.cells.get(TITLE))
    if not title:
        raise RowError(f"column {TITLE!r} is empty: a project needs its title")
    beneficiary = clean(row.cells.get(BENEFICIARY))
    domain = clean(row.cells.get(DOMAIN))
    checked = Checked()
    project = Project(
        source="os-pl",
        source_id="",
        title=title,
        programme=PROGRAMME,
        period=PERIOD_2014,
        fund=FUND,
        themes=[domain] if domain and domain.lower() != NO_DOMAIN else [],
        total_cost=checked.amount(row, VALUE, _pln),
        eu_contribution=checked.amount(row, EU, _pln),
        participations=[lead(beneficiary, COUNTRY)] if beneficiary else [],
        raw=raw_values(row, RAW_COLUMNS),
    )
    return checked.onto(project)


FORMATS = [
    Format(
        name="os-pl",
        description="Poland: list of ERDF projects 2014-2020 (mapadotacji.gov.pl), amounts in PLN",
        detect=detect,
        read=read,
    )
]
