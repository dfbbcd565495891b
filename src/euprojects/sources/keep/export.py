"""keep.eu's XLSX export of a search: a projects sheet and a partners sheet (``formats/keep.md`` §2).

The sheets are found by their header cells (``Period`` for projects, ``Organisation in English``
for partners), not by position or name, and columns are bound by header text with the two
apostrophes folded together and case ignored, since keep.eu's headers mix ``'`` and ``’`` and
their capitals. Partners join their project on programme + project id (2021-2027) or programme +
acronym. Ids are those of keep.eu's pages (``keep:<programme>-<period>:<acronym>``), so a project
exported and a project page saved describe one project.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from euprojects.model import Flag, Participation, Project, Record, Reject, Role
from euprojects.normalise.dates import parse_date
from euprojects.normalise.money import parse_money, parse_rate
from euprojects.normalise.text import clean
from euprojects.sources.base import Format, Head, Item, SourceError, has_columns
from euprojects.sources.common import Checked, organisation
from euprojects.sources.files.xlsx import Workbook, XlsxError
from euprojects.sources.keep.page import _programme, _source_id, fund_of

PROJECT_SIGNATURE = ("period", "programme", "project acronym", "project name in english")
PARTNER_SIGNATURE = ("programme", "project acronym", "organisation in english", "lead partner")


def header_key(text: str) -> str:
    """A header as compared: apostrophes folded, whitespace collapsed, lower case."""
    return " ".join(text.replace("\u2019", "'").replace("\ufeff", "").split()).lower()


def _sheets(path: Path) -> tuple[int | None, int | None, int]:
    """Positions of the projects and partners sheets (by their header cells), and the sheet count."""
    projects = partners = None
    with Workbook(path) as book:
        names = book.sheet_names()
        for index in range(len(names)):
            try:
                header = {header_key(c) for c in book.first_row(index)}
            except XlsxError:
                continue
            if projects is None and set(PROJECT_SIGNATURE) <= header:
                projects = index
            elif partners is None and set(PARTNER_SIGNATURE) <= header:
                partners = index
    return projects, partners, len(names)


def detect(head: Head) -> bool:
    if not head.is_zip:
        return False
    try:
        projects, _, _ = _sheets(head.path)
    except XlsxError:
        return False
    header = head.header(PROJECT_SIGNATURE if projects is not None else (), "the workbook's projects sheet")
    return projects is not None and has_columns(header, PROJECT_SIGNATURE)


def _table(book: Workbook, sheet: int) -> Iterator[tuple[int, dict[str, str]]]:
    rows = book.rows(sheet)
    _, header = next(rows)
    keys = [header_key(c) for c in header]
    for number, cells in rows:
        yield number, {k: v for k, v in zip(keys, cells, strict=False) if k}


def read(path: Path) -> Iterator[Item]:
    try:
        projects_sheet, partners_sheet, _ = _sheets(path)
        if projects_sheet is None:
            raise SourceError("no sheet has keep.eu's project columns (Period, Programme, Project acronym …)")
        with Workbook(path) as book:
            projects = list(_table(book, projects_sheet))
            partners = list(_table(book, partners_sheet)) if partners_sheet is not None else []
    except XlsxError as err:
        raise SourceError(str(err)) from None
    return _records(projects, partners)


def _join_key(cells: dict[str, str]) -> tuple[str, str]:
    programme = clean(cells.get("programme")) or ""
    ident = clean(cells.get("project id (2021-2027 only)")) or clean(cells.get("project acronym")) or ""
    return programme, ident


def _records(projects: list[tuple[int, dict[str, str]]], partners: list[tuple[int, dict[str, str]]]) -> Iterator[Item]:
    by_project: dict[tuple[str, str], list[tuple[int, dict[str, str]]]] = {}
    for number, cells in partners:
        by_project.setdefault(_join_key(cells), []).append((number, cells))
    seen: set[tuple[tuple[str, str], ...]] = set()
    for number, cells in projects:
        fingerprint = tuple(sorted(cells.items()))
        if fingerprint in seen:
            continue  # keep.eu repeats some project rows exactly
        seen.add(fingerprint)
        try:
            yield _record(number, cells, by_project.get(_join_key(cells), []))
        except ValueError as err:
            yield Reject(line=number, reason=f"projects sheet: {err}", raw=" | ".join(cells.values())[:2000])


def _record(number: int, cells: dict[str, str], partners: list[tuple[int, dict[str, str]]]) -> Record:
    def get(name: str) -> str | None:
        return clean(cells.get(name))

    programme_text = get("programme")
    acronym = get("project acronym")
    title = get("project name in english")
    if not programme_text:
        raise ValueError("column 'Programme' is empty")
    if not (acronym or title):
        raise ValueError("neither 'Project acronym' nor 'Project name in English' is given")
    programme, period = _programme(" ".join(programme_text.split()))
    period = period or _period(get("period"))
    checked = Checked()
    project = Project(
        source="keep",
        source_id=_source_id(programme, period, acronym or title or ""),
        acronym=acronym,
        title=title,
        summary=get("description in english"),
        results=get("actual achievements in english") or get("expected achievements in english"),
        start_date=checked.text("project start", get("project start"), parse_date, code="invalid_date"),
        end_date=checked.text("project end", get("project end"), parse_date, code="invalid_date"),
        programme=programme,
        programme_code=get("project id (2021-2027 only)"),
        period=period,
        fund=fund_of(programme),
        call=get("call serial number"),
        themes=[t for n in range(1, 4) if (t := get(f"theme {n}"))],
        total_cost=checked.text(
            "project's total budget / expenditure", get("project's total budget / expenditure"), parse_money
        ),
        eu_contribution=checked.text("project's eu funding", get("project's eu funding"), parse_money),
        cofinancing_rate=checked.text(
            "union co-financing rate", get("union co-financing rate"), _rate, code="invalid_rate"
        ),
        website=get("website"),
        declared_partner_count=_count(get("number of partners")),
        participations=[_participation(order, row, checked) for order, (_, row) in enumerate(partners)],
        raw={"Programme": programme_text},
    )
    if period == "2021-2027" and not get("project id (2021-2027 only)"):
        project.flags = [Flag("missing_id", "a 2021-2027 project without the programme's project id")]
    return Record(key=project.id, project=checked.onto(project), line=number)


def _period(text: str | None) -> str | None:
    return text if text and re.fullmatch(r"\d{4}-\d{4}", text) else None


def _rate(text: str | None) -> Decimal | None:
    """``80%``, ``80.0`` or ``0.8`` (formats/keep.md §1.4)."""
    return parse_rate(text, fraction_ok=True)


def _count(text: str | None) -> int | None:
    return int(float(text)) if text and re.fullmatch(r"\d+(\.0+)?", text) else None


def _participation(order: int, cells: dict[str, str], checked: Checked) -> Participation:
    def get(name: str) -> str | None:
        return clean(cells.get(name))

    name = get("organisation in english") or get("organisation in language 2")
    country = get("country code") or get("country")
    pic = get("participant identification code")
    national = get("partner's id if not pic")
    org = organisation(
        name,
        country,
        pic=pic,
        national=("national", national) if national and not pic else None,
        type=get("type of organisation"),
        street=get("street"),
        postcode=get("postal code"),
        city=get("town"),
        nuts=get("nuts3 code (or equivalent)") or get("nuts2 code (or equivalent)"),
        website=get("website"),
    )
    where = f" [{name}]"
    budget = checked.text(
        "partner's total eligible budget / expenditure" + where,
        get("partner's total eligible budget / expenditure"),
        parse_money,
    )
    eu = get("partner's programme co-financing (eur) (2021-2027 only)") or get("erdf contribution (2014-2020 only)")
    return Participation(
        organisation=org,
        role=Role.LEAD if (get("lead partner") or "").lower() == "yes" else Role.PARTNER,
        role_raw=get("lead partner"),
        order=order,
        eu_contribution=checked.text("partner's co-financing" + where, eu, parse_money),
        total_cost=budget,
    )


FORMATS = [
    Format(
        name="keep-xlsx",
        description="keep.eu's XLSX export of a search: projects sheet and partners sheet",
        detect=detect,
        read=read,
    )
]
