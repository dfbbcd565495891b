"""The Interreg North Sea 2021-2027 programme's own project table, as scraped from its "project
data" page: call, priority, acronym, full name, lead partner, dates and budgets (``4.246.412€``).

Two layouts of the same 65 projects: the table alone, and the table with text scraped from each
project's page (description, objectives, partnership). Both give the same project id, so the
store merges them. The scraped pages' whole text (``main_content``) holds staff names and
e-mail addresses and navigation noise: it is never read, nor the page's free-text budget.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from euprojects.model import Money, Participation, Project, Record, Role
from euprojects.normalise.dates import parse_date
from euprojects.normalise.money import parse_money
from euprojects.normalise.text import clean, clean_repaired
from euprojects.sources.base import Format, Head, Item, Row, has_columns, read_table
from euprojects.sources.common import Checked, RowError, build_records, field, organisation, slug

COLUMNS = (
    "call",
    "priority",
    "specific_objective",
    "acronym",
    "summary",
    "lead_partner",
    "start_end",
    "total_budget",
    "erdf_funding",
    "norway_funding",
)
PROGRAMME = "Interreg North Sea"
PERIOD = "2021-2027"
# The programme's four priorities (Interreg North Sea Programme 2021-2027).
PRIORITIES = {
    "Priority 1": "Robust and smart economies in the North Sea region",
    "Priority 2": "A green transition for the North Sea region",
    "Priority 3": "A climate-resilient North Sea region",
    "Priority 4": "Better governance in the North Sea region",
}
SCHEMES = {"FA": "Full application", "SSP": "Small-scale project"}
_SCHEME = re.compile(r"\((FA|SSP)\)")
_MARKER = re.compile(r"\s*\[(FA|SSP)\]\s*$")  # "Digital Health for All [FA]": the table's own mark
_HUNDRED = Decimal(100)


def detect(head: Head) -> bool:
    return has_columns(head.csv_header(","), COLUMNS)


def read(path: Path) -> Iterator[Item]:
    return build_records(read_table(path, delimiter=",", required=COLUMNS), _record, ",")


def euros(text: str | None) -> Money | None:
    """``4.246.412€``: whole euros with ``.`` between thousands."""
    return parse_money(text, "EUR", decimal=",")


def period(text: str | None) -> tuple[dt.date | None, dt.date | None]:
    """``01/10/2024-31/03/2028`` → its start and end dates."""
    value = clean(text)
    if value is None:
        return None, None
    start, sep, end = value.partition("-")
    if not sep:
        raise ValueError(f"{value!r} is not a start-end pair")
    return parse_date(start), parse_date(end)


def _record(row: Row) -> Record:
    acronym = row.get("acronym")
    if not acronym:
        raise RowError("column 'acronym' is empty: a project of the table needs its acronym")
    start, end = field(row, "start_end", period)
    checked = Checked()
    total = checked.amount(row, "total_budget", euros)
    erdf = checked.amount(row, "erdf_funding", euros)
    norway = checked.amount(row, "norway_funding", euros)
    lead = row.get("lead_partner")
    project = Project(
        source="interreg",
        source_id=f"north-sea-{PERIOD}:{slug(acronym)}",
        acronym=acronym,
        title=_title(row.get("summary")),
        summary=_summary(row),
        start_date=start,
        end_date=end,
        programme=PROGRAMME,
        programme_code="interreg-north-sea",
        period=PERIOD,
        fund="ERDF",
        call=row.get("call"),
        topic=_objective(row.get("specific_objective")),
        funding_scheme=_scheme(row.get("call")),
        themes=[PRIORITIES.get(p, p) for p in [row.get("priority")] if p],
        total_cost=total,
        eu_contribution=erdf,
        cofinancing_rate=_rate(erdf, total),
        website=_website(row),
        participations=[Participation(organisation=organisation(lead), role=Role.LEAD, role_raw="lead partner")]
        if lead
        else [],
        raw=_raw(row, norway, erdf, total),
    )
    return Record(key=slug(acronym), project=checked.onto(project), line=row.line)


def _title(text: str | None) -> str | None:
    return _MARKER.sub("", text) if text else None


def _objective(code: str | None) -> str | None:
    return f"Specific objective {code}" if code else None


def _scheme(call: str | None) -> str | None:
    match = _SCHEME.search(call or "")
    return SCHEMES[match[1]] if match else None


def _rate(eu: Money | None, total: Money | None) -> Decimal | None:
    """keep.eu's co-financing rate, EU funding over the total budget; the table gives both."""
    if eu is None or total is None or not total.amount:
        return None
    return (eu.amount * _HUNDRED / total.amount).quantize(Decimal("0.01"))


def _summary(row: Row) -> str | None:
    """The project page's description, objectives and partnership text, as paragraphs."""
    parts = [
        (heading, text)
        for heading, column in (("", "description"), ("Objectives", "objectives"), ("Partnership", "partners"))
        if (text := clean_repaired(row.cells.get(column)))
    ]
    if not parts:
        return None
    return "\n\n".join(f"{heading}: {text}" if heading else text for heading, text in parts)


def _website(row: Row) -> str | None:
    """The project's page, unless the scraper found it gone (status ``failed``, an HTTP 404)."""
    return row.get("project_url") if row.get("status") == "success" else None


def _raw(row: Row, norway: Money | None, erdf: Money | None, total: Money | None) -> dict[str, str]:
    raw = {k: v for k in ("start_end", "total_budget", "erdf_funding", "norway_funding") if (v := row.cells[k])}
    if norway is not None and norway.amount:
        raw["norwegian_funding"] = f"{norway.amount} EUR from Norway, beside the ERDF"
    if erdf is not None and total is not None:
        raw["cofinancing_rate"] = "computed: erdf_funding / total_budget"
    return raw


FORMATS = [
    Format(
        name="interreg-north-sea",
        description="Interreg North Sea 2021-2027 project table (call, priority, acronym, name, lead partner, "
        "dates, budgets), with or without the text scraped from each project's page",
        detect=detect,
        read=read,
    )
]
