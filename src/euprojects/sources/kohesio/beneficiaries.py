"""Kohesio's beneficiary search results: what each organisation received from the cohesion funds
in one region, summed over its operations (total budget, EU contribution, number of projects).

These are aggregates, not projects: they become :class:`~euprojects.model.Beneficiary` rows on the
organisation's page and in the statistics, never project records. The capture quotes nothing
(names hold bare ``"``), so it is read with quoting off; amounts are Java floats, large ones in
scientific notation (``4.729375062E7``). Kohesio's per-country exports have the same columns; the
Interreg one names the pseudo-country ``TC``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from euprojects.model import Beneficiary, BeneficiaryRecord, Money
from euprojects.normalise.text import clean
from euprojects.sources.base import Format, Head, Item, Row, has_columns, read_table
from euprojects.sources.common import Checked, RowError, build_records, field, organisation, short_hash

COLUMNS = ("Country", "Region", "Beneficiary Name", "Total Budget", "EU Contribution", "Number of Projects")
_JAVA_FLOAT = re.compile(r"\d+(\.\d+)?(E\d+)?")
_CENT = Decimal("0.01")
# Kohesio files Interreg programmes under the pseudo-country "TC" (territorial cooperation): not
# Turks and Caicos, and no country of the beneficiary at all.
INTERREG = frozenset({"TC", "INTERREG", "TERRITORIAL COOPERATION"})


def detect(head: Head) -> bool:
    return has_columns(head.csv_header("\t"), (*COLUMNS, "Transliterated Name"))


def read(path: Path) -> Iterator[Item]:
    rows = read_table(path, delimiter="\t", required=COLUMNS, quoting=csv.QUOTE_NONE)
    return build_records(rows, _record, "\t")


def euros(text: str | None) -> Money | None:
    """An amount as Kohesio's API prints a Java double: ``127024.68`` or ``4.729375062E7``."""
    value = clean(text)
    if value is None:
        return None
    if not _JAVA_FLOAT.fullmatch(value):
        raise ValueError(f"{value!r} is not an amount")
    return Money(Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP))


def count(text: str | None) -> int | None:
    value = clean(text)
    if value is None:
        return None
    if not value.isdigit():
        raise ValueError(f"{value!r} is not a number of projects")
    return int(value)


def _record(row: Row) -> BeneficiaryRecord:
    name, country, region = row.get("Beneficiary Name"), row.get("Country"), row.get("Region")
    if not name:
        raise RowError("column 'Beneficiary Name' is empty")
    checked = Checked()
    total, eu = checked.amount(row, "Total Budget", euros), checked.amount(row, "EU Contribution", euros)
    projects = field(row, "Number of Projects", count)
    latin = row.get("Transliterated Name")
    interreg = (country or "").strip().upper() in INTERREG
    beneficiary = Beneficiary(
        source="kohesio",
        organisation=organisation(name, None if interreg else country),
        region=region or ("Interreg (territorial cooperation)" if interreg else None),
        total_budget=total,
        eu_contribution=eu,
        projects=projects,
        names=[latin] if latin and latin != name else [],
        raw={
            k: v
            for k in ("Total Budget", "EU Contribution", *(("Country",) if interreg else ()))
            if (v := row.cells.get(k, ""))
        },
    )
    # Rows of one name in one region with other totals are other bodies (many schools are called
    # "Základní škola"), so the totals are part of the key; an exact repeat is a duplicate.
    key = short_hash(
        country,
        region,
        name,
        row.cells.get("Total Budget"),
        row.cells.get("EU Contribution"),
        row.cells.get("Number of Projects"),
    )
    return BeneficiaryRecord(key=key, beneficiary=checked.onto(beneficiary), line=row.line)


FORMATS = [
    Format(
        name="kohesio-beneficiaries",
        description="Kohesio beneficiary search results (organisation, region, total budget, EU contribution, "
        "number of projects): aggregates shown on organisation pages",
        detect=detect,
        read=read,
    )
]
