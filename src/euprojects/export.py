"""Exports of whole result sets: CSV, XLSX and JSON Lines, written a batch of projects at a time.

Every export says which search produced it (CSV: a first ``#`` line; JSON Lines: a first
metadata object; XLSX: an "About" sheet). Text cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Generator, Iterable
from typing import Any

import msgspec

from euprojects.model import Participation, Project
from euprojects.normalise.money import to_eur
from euprojects.workbook import StreamingWorkbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PROJECT_COLUMNS = (
    "id", "source", "acronym", "title", "programme", "programme_code", "period", "fund", "call", "topic",
    "funding_scheme", "status", "start_date", "end_date", "total_cost", "eu_contribution", "currency",
    "eu_contribution_eur", "cofinancing_rate", "partner_count", "lead", "lead_country", "countries", "themes",
    "website", "summary",
)  # fmt: skip
PARTICIPATION_COLUMNS = (
    "project_id", "acronym", "order", "role", "organisation_id", "organisation", "country", "city", "nuts",
    "type", "pic", "eu_contribution", "currency", "total_cost",
)  # fmt: skip
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportInfo(msgspec.Struct):
    """What produced an export, written into it."""

    query: str
    filters: dict[str, list[str]]
    sort: str
    total: int
    generated: str = msgspec.field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat())
    source: str = "euprojects"

    def line(self) -> str:
        filters = "; ".join(f"{k}={','.join(v)}" for k, v in sorted(self.filters.items())) or "none"
        return (
            f"euprojects export of {self.total} project(s); query: {self.query or '(all)'}; "
            f"filters: {filters}; sort: {self.sort}; generated {self.generated}"
        )


def safe(value: Any) -> Any:
    """A cell value a spreadsheet shows as text rather than evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _number(value: object) -> float | None:
    return float(value) if value is not None else None  # type: ignore[arg-type]


def project_row(project: Project) -> list[Any]:
    status = project.effective_status()
    lead = project.lead
    money = project.eu_contribution
    values: list[Any] = [
        project.id,
        project.source,
        project.acronym,
        project.title,
        project.programme,
        project.programme_code,
        project.period,
        project.fund,
        project.call,
        project.topic,
        project.funding_scheme,
        status.value if status else None,
        project.start_date.isoformat() if project.start_date else None,
        project.end_date.isoformat() if project.end_date else None,
        _number(project.total_cost.amount) if project.total_cost else None,
        _number(money.amount) if money else None,
        money.currency if money else (project.total_cost.currency if project.total_cost else None),
        round(value, 2) if (value := to_eur(money)) is not None else None,
        _number(project.cofinancing_rate),
        project.partner_count,
        lead.organisation.name if lead else None,
        lead.organisation.country if lead else None,
        " ".join(project.countries),
        "; ".join(project.themes),
        project.website,
        project.summary,
    ]
    return [safe(v) for v in values]


def participation_row(project: Project, participation: Participation) -> list[Any]:
    org = participation.organisation
    money = participation.eu_contribution
    values: list[Any] = [
        project.id,
        project.acronym,
        participation.order,
        participation.role.value,
        org.id,
        org.name,
        org.country,
        org.city,
        org.nuts,
        org.type,
        org.identifiers.get("pic"),
        _number(money.amount) if money else None,
        money.currency if money else None,
        _number(participation.total_cost.amount) if participation.total_cost else None,
    ]
    return [safe(v) for v in values]


def csv_chunks(batches: Iterable[list[Project]], info: ExportInfo) -> Generator[bytes, None, None]:
    """CSV in UTF-8 with a byte-order mark, so Excel reads accented names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # One quoted cell, so a spreadsheet keeps the line whole whatever commas it holds.
    buffer.write("\ufeff")
    writer.writerow(["# " + info.line().replace("\n", " ")])
    writer.writerow(PROJECT_COLUMNS)
    for batch in batches:
        for project in batch:
            writer.writerow(project_row(project))
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def jsonl_chunks(batches: Iterable[list[Project]], info: ExportInfo) -> Generator[bytes, None, None]:
    """One JSON object per line: first the export's description, then each whole project."""
    encoder = msgspec.json.Encoder(decimal_format="number")
    yield encoder.encode({"export": info}) + b"\n"
    for batch in batches:
        yield b"".join(encoder.encode({"id": p.id, **msgspec.to_builtins(p)}) + b"\n" for p in batch)


def xlsx_chunks(
    batches: Iterable[list[Project]], info: ExportInfo, compresslevel: int = 1
) -> Generator[bytes, None, None]:
    """A workbook with a Projects and a Participations sheet and an About sheet that records the
    search, as zip bytes while it is written: the Projects rows of each batch leave at once, the
    Participations wait in a temporary file (removed however the export ends) until the end.
    zlib's level 1 rather than xlsxwriter's 6: about 15 % less CPU for the whole real store, for a
    file 17 % larger (bench/export.py)."""
    with StreamingWorkbook(compresslevel) as book:
        projects = book.add_sheet("Projects", PROJECT_COLUMNS)
        partners = book.add_sheet("Participations", PARTICIPATION_COLUMNS)
        for batch in batches:
            for project in batch:
                projects.append(project_row(project))
                for participation in project.participations:
                    partners.append(participation_row(project, participation))
            yield book.take()
        projects.end()
        about = book.add_sheet("About", width=2)
        for key, value in about_rows(info):
            about.append([key, safe(value)])
        yield from book.finish()


def about_rows(info: ExportInfo) -> list[tuple[str, Any]]:
    return [
        ("source", info.source),
        ("generated", info.generated),
        ("query", info.query),
        ("filters", "; ".join(f"{k}={','.join(v)}" for k, v in sorted(info.filters.items()))),
        ("sort", info.sort),
        ("projects", info.total),
    ]
