"""CORDIS Horizon Europe satellite tables (XLSX edition): report titles, deliverables,
EuroSciVoc fields of science and web links.

Each is one sheet ``DATA`` with the header in row 1 and every cell stored as text. Their
``rcn`` columns number the report or deliverable itself (every row has its own), not the
project, so they give no ``cordis:rcn-`` alias.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from euprojects.model import Flag, Link, Project, Record
from euprojects.normalise.text import clean, clean_repaired
from euprojects.sources.base import Format, Head, Item, Row, has_columns, read_sheet
from euprojects.sources.common import RowError, build_records
from euprojects.sources.cordis.organisations import FUND, PERIOD, PROGRAMME

REPORT_COLUMNS = ("id", "title", "projectID", "projectAcronym", "attachment", "rcn")
DELIVERABLE_COLUMNS = ("id", "title", "deliverableType", "description", "projectID", "projectAcronym", "url")
EUROSCIVOC_COLUMNS = ("projectID", "euroSciVocCode", "euroSciVocPath", "euroSciVocTitle")
WEBLINK_COLUMNS = ("projectID", "physUrl", "id", "type", "represents")

# Report images are published as paths on the CORDIS site.
CORDIS_SITE = "https://cordis.europa.eu"


def _project(
    row: Row,
    *,
    acronym: str | None = None,
    title: str | None = None,
    themes: list[str] | None = None,
    links: list[Link] | None = None,
    flags: list[Flag] | None = None,
    website: str | None = None,
) -> Project:
    """The partial project a row of any of these tables describes."""
    project_id = clean(row.cells.get("projectID"))
    if project_id is None:
        raise RowError("column 'projectID' is empty")
    if not project_id.isdigit():
        raise RowError(f"column 'projectID': {project_id!r} is not a grant agreement number")
    return Project(
        source="cordis",
        source_id=project_id,
        acronym=acronym,
        title=title,
        fund=FUND,
        period=PERIOD,
        programme=PROGRAMME,
        themes=themes or [],
        links=links or [],
        flags=flags or [],
        website=website,
    )


def _required(row: Row, column: str) -> str:
    value = clean(row.cells.get(column))
    if value is None:
        raise RowError(f"column {column!r} is empty")
    return value


def _reader(columns: tuple[str, ...], build: Callable[[Row], Record]) -> Callable[[Path], Iterator[Item]]:
    def read(path: Path) -> Iterator[Item]:
        yield from _items(read_sheet(path, required=columns), build)

    return read


def _items(rows: Iterator[Row | Item], build: Callable[[Row], Record]) -> Iterator[Item]:
    return build_records(rows, build)


# --- reportSummaries.xlsx --------------------------------------------------------------------


class TitleError(ValueError):
    """A report title from which no project title can be cut."""


def project_title(report_title: str, acronym: str | None) -> tuple[str, bool]:
    """The project title inside a CORDIS report title, and whether its parentheses balanced.

    ``Periodic Reporting for period 1 - CGI-Clinics (Data-driven … (with nested brackets))``
    → ``Data-driven … (with nested brackets)``. The group that holds the title is the one that
    opens right after `` - <acronym> `` (acronyms can hold parentheses themselves:
    ``Aurora Plasma Brake (APB) (Deorbiting …)``); when the acronym is not found there, it is
    the group that closes the report title. A group that never closes (the report title lost
    its last parenthesis) runs to the end; so does one that closes early when the report title
    still ends in a parenthesis. Either is returned with ``False``.
    """
    start = -1
    if acronym:
        marker = f" - {acronym} ("
        found = report_title.find(marker)
        if found >= 0:
            start = found + len(marker) - 1
    if start < 0:
        start = _opening_of_last_group(report_title)
    if start < 0:
        raise TitleError("holds no project title in parentheses")
    depth = 0
    for index in range(start, len(report_title)):
        char = report_title[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                if index == len(report_title) - 1:
                    return _checked(report_title[start + 1 : index]), True
                if report_title.endswith(")"):  # a stray ')' inside the title closed the group early
                    return _checked(report_title[start + 1 : -1]), False
                return _checked(report_title[start + 1 : index]), False
    return _checked(report_title[start + 1 :]), False


def _opening_of_last_group(text: str) -> int:
    """Index of the '(' that matches the report title's final ')', or -1."""
    text = text.rstrip()
    if not text.endswith(")"):
        return -1
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char == ")":
            depth += 1
        elif char == "(":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _checked(title: str) -> str:
    cleaned = clean_repaired(title)
    if not cleaned:
        raise TitleError("has empty parentheses where the project title should be")
    return cleaned


def _report(row: Row) -> Record:
    key = _required(row, "id")
    report_title = _required(row, "title")
    acronym = clean(row.cells.get("projectAcronym"))
    try:
        title, balanced = project_title(report_title, acronym)
    except TitleError as err:
        raise RowError(f"column 'title': {report_title!r} {err}") from None
    flags = []
    if not balanced:
        flags.append(
            Flag(
                "title-parentheses-unbalanced",
                f"The title was cut from the CORDIS report title {report_title!r}, "
                "whose parentheses do not balance; its end may be wrong.",
            )
        )
    links = [Link(url=_site_url(path), kind="report image") for path in _paths(row.cells.get("attachment"))]
    project = _project(row, acronym=acronym, title=title, links=links, flags=flags)
    return Record(key=key, project=project, line=row.line)


def _paths(text: str | None) -> list[str]:
    return [path for path in (p.strip() for p in (text or "").split(";")) if path]


def _site_url(path: str) -> str:
    if re.match(r"https?://", path):
        return path
    return CORDIS_SITE + ("" if path.startswith("/") else "/") + path


# --- projectDeliverables.xlsx ----------------------------------------------------------------


def _deliverable(row: Row) -> Record:
    key = _required(row, "id")
    cells = row.cells
    url = clean(cells.get("url"))
    title = clean_repaired(cells.get("title"))
    if url is None and title is None:
        raise RowError("columns 'url' and 'title' are both empty: the deliverable cannot be shown")
    description = clean_repaired(cells.get("description"))
    if description and title and description.casefold() == title.casefold():
        description = None  # 2 400 rows repeat the title as their description
    link = Link(url=url, title=title, kind=clean(cells.get("deliverableType")), description=description)
    project = _project(row, acronym=clean(cells.get("projectAcronym")), links=[link])
    return Record(key=key, project=project, line=row.line)


# --- euroSciVoc.xlsx -------------------------------------------------------------------------


def _euroscivoc(row: Row) -> Record:
    cells = row.cells
    code = clean(cells.get("euroSciVocCode"))
    title = clean(cells.get("euroSciVocTitle"))
    path = clean(cells.get("euroSciVocPath"))
    themes = _field_and_ancestors(path, code)
    if title and title not in themes:
        themes.append(title)
    if not themes:
        raise RowError("columns 'euroSciVocTitle' and 'euroSciVocPath' are both empty")
    project = _project(row, themes=themes)
    return Record(key=f"{project.source_id}{_code_key(code, title)}", project=project, line=row.line)


def _field_and_ancestors(path: str | None, code: str | None) -> list[str]:
    """Every level of a EuroSciVoc path, broadest first: ``/natural sciences/physical sciences/optics``.

    A label holding a slash would split wrongly, so the path is trusted only when it has as
    many levels as the code (``/23/43/251``); otherwise only its top level, the field of
    science, is kept.
    """
    if not path:
        return []
    levels = [level.strip() for level in path.strip("/").split("/")]
    if code and code.strip("/").count("/") == len(levels) - 1:
        return [level for level in levels if level]
    return levels[:1] if levels[0] else []


def _code_key(code: str | None, title: str | None) -> str:
    if code:
        return code if code.startswith("/") else f"/{code}"
    return f"/{title}"


# --- webLink.xlsx ----------------------------------------------------------------------------


def _weblink(row: Row) -> Record:
    cells = row.cells
    url = _required(row, "physUrl")
    link_id = _required(row, "id")
    represents = clean(cells.get("represents"))
    title = represents if represents and represents.lower() != "project" else None
    kind = clean(cells.get("type"))
    link = Link(url=url, title=title, kind=kind)
    # CORDIS lists the project's own web site as a relatedWebsite that represents the project.
    website = url if kind == "relatedWebsite" and represents in (None, "project") else None
    project = _project(row, links=[link], website=website)
    # The id is a hash of the URL, so a page linked from two projects has one id in two rows.
    return Record(key=f"{project.source_id}/{link_id}", project=project, line=row.line)


# --- formats ---------------------------------------------------------------------------------


def _detector(columns: tuple[str, ...]) -> Callable[[Head], bool]:
    def detect(head: Head) -> bool:
        return has_columns(head.xlsx_header, columns)

    return detect


FORMATS = [
    Format(
        name="cordis-report-summaries",
        description="CORDIS Horizon Europe reportSummaries.xlsx: project titles cut from periodic report titles",
        detect=_detector(REPORT_COLUMNS),
        read=_reader(REPORT_COLUMNS, _report),
    ),
    Format(
        name="cordis-deliverables",
        description="CORDIS Horizon Europe projectDeliverables.xlsx: public deliverables as project links",
        detect=_detector(DELIVERABLE_COLUMNS),
        read=_reader(DELIVERABLE_COLUMNS, _deliverable),
    ),
    Format(
        name="cordis-euroscivoc",
        description="CORDIS Horizon Europe euroSciVoc.xlsx: fields of science as project themes",
        detect=_detector(EUROSCIVOC_COLUMNS),
        read=_reader(EUROSCIVOC_COLUMNS, _euroscivoc),
    ),
    Format(
        name="cordis-weblinks",
        description="CORDIS Horizon Europe webLink.xlsx: project web sites, social media and document links",
        detect=_detector(WEBLINK_COLUMNS),
        read=_reader(WEBLINK_COLUMNS, _weblink),
    ),
]
