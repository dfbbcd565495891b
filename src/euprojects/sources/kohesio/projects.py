"""Kohesio's per-country project (operation) exports: one row per operation of the cohesion funds,
2014-2020 or 2021-2027, as Kohesio aggregates the member states' lists of operations.

No export file could be inspected; the columns are those that loaders of the exports read by
name (``Operation_Unique_Identifier``, ``Operation_Name_English``, ``Project_EU_Budget``,
``Cofinancing_Rate``, ``Fund_Code``, ``Programme_Name``, ``Programming_Period``, ``NUTS3_Code`` …):
comma-separated UTF-8 with a BOM, dates ``DD/MM/YYYY``, decimals with a point, several values in
one cell separated by ``|``. Each operation is keyed by its Kohesio item (``Q7361953`` of
``https://linkedopendata.eu/entity/Q7361953``), the id Kohesio's pages use.

Beneficiaries are taken as ``|``-separated lists in the beneficiary columns, the first as the
operation's lead. The Interreg export (``TC``) names no single country: its ``Country`` cell is
``TC`` or lists the programme's countries, and a beneficiary gets a country only when the list
pairs one with each beneficiary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from euprojects.model import Money, Participation, Project, Record, Role
from euprojects.normalise.dates import parse_date
from euprojects.normalise.html import html_to_text
from euprojects.normalise.money import parse_money, parse_rate
from euprojects.sources.base import Format, Head, Item, Row, has_columns, read_table
from euprojects.sources.common import Checked, RowError, build_records, organisation
from euprojects.sources.kohesio.beneficiaries import INTERREG

ID = "Operation_Unique_Identifier"
COLUMNS = (ID, "Operation_Name_English", "Operation_Name_Programme_Language", "Country", "Programming_Period")
_ITEM = re.compile(r"(?:https?://linkedopendata\.eu/entity/)?(Q\d+)")
_PERIOD = re.compile(r"\d{4}-\d{4}")


def detect(head: Head) -> bool:
    return has_columns(head.csv_header(","), COLUMNS)


def read(path: Path) -> Iterator[Item]:
    rows = read_table(path, delimiter=",", required=COLUMNS)
    return build_records(rows, _record, ",")


def values(text: str | None) -> list[str]:
    """The values of a cell that may hold several, separated by ``|``."""
    return [v for part in (text or "").split("|") if (v := part.strip())]


def _record(row: Row) -> Record:
    match = _ITEM.fullmatch(row.get(ID) or "")
    if not match:
        raise RowError(f"column {ID!r}: {row.get(ID)!r} is not a Kohesio item (Q…)")
    title = row.get("Operation_Name_English") or row.get("Operation_Name_Programme_Language")
    if not title:
        raise RowError("neither 'Operation_Name_English' nor 'Operation_Name_Programme_Language' is given")
    checked = Checked()
    currency = row.get("Total_Eligible_Expenditure_Currency") or "EUR"

    def money(text: str | None) -> Money | None:
        return parse_money(text, currency)

    period = row.get("Programming_Period")
    project = Project(
        source="kohesio",
        source_id=match[1],
        title=title,
        summary=html_to_text(row.get("Operation_Summary_English") or row.get("Operation_Summary_Programme_Language")),
        start_date=checked.text(
            "Operation_Start_Date", row.get("Operation_Start_Date"), parse_date, code="invalid_date"
        ),
        end_date=checked.text("Operation_End_Date", row.get("Operation_End_Date"), parse_date, code="invalid_date"),
        programme=row.get("Programme_Name"),
        period=period if period and _PERIOD.fullmatch(period) else None,
        fund=row.get("Fund_Code"),
        themes=values(row.get("Category_Label")),
        total_cost=checked.amount(row, "Total_Eligible_Expenditure_amount", money),
        eu_contribution=checked.amount(row, "Project_EU_Budget", money),
        cofinancing_rate=checked.rate(row, "Cofinancing_Rate", parse_rate),
        nuts=values(row.get("NUTS3_Code")) or values(row.get("NUTS2_Code")) or values(row.get("NUTS1_Code")),
        participations=_beneficiaries(row),
        raw={k: v for k in ("Operation_Local_Identifier", "Country") if (v := row.get(k))},
    )
    return Record(key=project.id, project=checked.onto(project), line=row.line)


def _beneficiaries(row: Row) -> list[Participation]:
    """The operation's beneficiaries, known by their Kohesio item where the row gives one for each
    (their national number, kept beside it, is no key: bare numbers of two countries collide)."""
    names = values(row.get("Beneficiary_Name"))
    items = [m[1] if (m := _ITEM.fullmatch(v)) else "" for v in values(row.get("Beneficiary_Unique_Identifier"))]
    local = values(row.get("Beneficiary_Local_Identifier"))
    countries = _countries(row.get("Country"), len(names))
    paired = len(items) == len(names)
    return [
        Participation(
            organisation=organisation(
                name,
                countries[order],
                national=("kohesio-beneficiary", items[order]) if paired and items[order] else None,
                identifiers={"national": local[order]} if len(local) == len(names) else {},
            ),
            role=Role.LEAD if order == 0 else Role.PARTNER,
            role_raw="beneficiary",
            order=order,
        )
        for order, name in enumerate(names)
    ]


def _countries(text: str | None, count: int) -> list[str | None]:
    """Each beneficiary's country: the one country of a national export, the listed country of
    each beneficiary when an Interreg row pairs them, else none (``TC`` is no country)."""
    listed = values(text)
    if any(c.upper() in INTERREG for c in listed):
        return [None] * count
    if len(listed) == 1:
        return [listed[0]] * count
    if len(listed) == count:
        return list(listed)
    return [None] * count


FORMATS = [
    Format(
        name="kohesio-projects",
        description="Kohesio's per-country export of operations (projects) with their beneficiaries; "
        "TC holds the Interreg programmes",
        detect=detect,
        read=read,
    )
]
