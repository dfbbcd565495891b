"""How values look on the pages: European money, readable dates, country names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from euprojects import vocabulary
from euprojects.model import Money
from euprojects.normalise.money import format_eur_style, to_eur
from euprojects.normalise.places import country_name


def money(value: Money | None) -> str:
    """An amount as published, with its euro value beside it when it is in another currency
    (at the fixed rates of normalise.money): ``7 707 397,00 DKK (≈ 1 033 110 EUR)``."""
    if value is None:
        return ""
    shown = format_eur_style(value.amount, value.currency)
    in_euro = to_eur(value) if value.currency != "EUR" else None
    return f"{shown} (≈\u00a0{_whole_euros(in_euro)})" if in_euro is not None else shown


def _whole_euros(value: float) -> str:
    return f"{round(value):,}".replace(",", "\u00a0") + "\u00a0EUR"


def euros(value: float | None) -> str:
    if value is None:
        return ""
    return format_eur_style(Decimal(str(round(value, 2))), "EUR")


def rate(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}".replace(".", ",")
    return f"{text}\u00a0%"


def date(value: dt.date | str | None) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%b} {day.year}"


def country(code: str | None) -> str:
    return country_name(code) or (code or "")


def amount(value: float | None, currency: str | None) -> str:
    if value is None:
        return ""
    return money(Money(Decimal(str(round(value, 2))), currency or "EUR"))


def untitled(project_id: str, label: str | None = None) -> str:
    """What to call a project its sources give no title or acronym: the label the merge built
    from its programme, lead partner and years, else ``CORDIS record 221856`` rather than a bare id."""
    if label:
        return label
    source, _, rest = project_id.partition(":")
    if source == "cordis" and rest.startswith("rcn-"):
        return f"Untitled CORDIS project (record {rest[4:]})"
    return f"Untitled project ({project_id})"


def number(value: int | float | None) -> str:
    return f"{value:,}".replace(",", "\u00a0") if value is not None else ""


FILTERS = {
    "money": money,
    "euros": euros,
    "rate": rate,
    "date": date,
    "country": country,
    "number": number,
    "status_label": lambda v: vocabulary.STATUSES.get(v or "", v or ""),
    "role_label": lambda v: vocabulary.ROLES.get(v or "", v or ""),
    "fund_label": lambda v: vocabulary.FUNDS.get(v or "", v or ""),
}
