"""The small per-project tables of CORDIS' H2020 and Horizon Europe CSV downloads: call topics,
legal basis (programme parts) and web items (logos, print material).

All are ``;``-separated and fully quoted, keyed by the grant agreement id (``projectID``),
except the web items, whose project is only named inside the file path
(``/docs/projects/files/792/792037/215035.jpg`` → 792037).

Topics: the H2020 and Horizon Europe files share one header. H2020 grant ids went past
101000000 in 2020, so the id cannot tell them apart; the topic code can: Horizon Europe
topics are ``HORIZON-…``, ``EURATOM-…`` or ERC calls of 2021 and later (``ERC-2023-STG``).
A topic title that merely repeats the code (``SCIENCE WAF SOCIETY``) is not kept as a title.

Legal basis: the row marked ``uniqueProgrammePart`` gives the project's programme. The other
rows are further programme parts the project is attached to (mostly intervention areas below
the main part, sometimes other clusters). Programme parts that are thematic — the clusters of
Horizon Europe's second pillar and their intervention areas (``HORIZON.2.5`` "Climate, Energy
and Mobility", ``HORIZON.2.5.2`` "Energy Supply") — also become themes, from the main row and
the others alike; instruments (ERC, MSCA, EIC, Twinning, COST…) are not themes. Every row is
one record; a row that adds nothing (an extra non-thematic part) still counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from euprojects.model import Link, Project, Record
from euprojects.normalise.text import clean
from euprojects.sources.base import Format, Head, Item, Row, has_columns, read_table
from euprojects.sources.common import RowError, build_records
from euprojects.sources.cordis.projects import H2020, grant_id

HORIZON = ("HORIZON", "2021-2027")
_ERC_CALL = re.compile(r"ERC-(\d{4})\b")

# ---------------------------------------------------------------------------------------------
# topics.csv

TOPICS_REQUIRED = ("projectID", "topic", "title")


def detect_topics(head: Head) -> bool:
    header = head.csv_header(";")
    return has_columns(header, TOPICS_REQUIRED) and "legalBasis" not in header


def read_topics(path: Path) -> Iterator[Item]:
    return build_records(read_table(path, delimiter=";", required=TOPICS_REQUIRED), _topic, ";")


def framework_of_topic(topic: str) -> tuple[str, str]:
    """(fund, period) of a call topic code: Horizon Europe or H2020."""
    if topic.startswith(("HORIZON-", "EURATOM-")):
        return HORIZON
    erc = _ERC_CALL.match(topic)
    if erc and int(erc[1]) >= 2021:
        return HORIZON
    return H2020[0], H2020[1]


def _topic(row: Row) -> Record:
    project_id = grant_id(row, "projectID")
    topic = clean(row.cells["topic"])
    if topic is None:
        raise RowError("column 'topic' is empty")
    title = clean(row.cells["title"])
    fund, period = framework_of_topic(topic)
    project = Project(
        source="cordis",
        source_id=project_id,
        topic=topic,
        topic_title=title if title != topic else None,
        fund=fund,
        period=period,
    )
    return Record(key=project_id, project=project, line=row.line)


# ---------------------------------------------------------------------------------------------
# legalBasis.csv

LEGAL_REQUIRED = ("projectID", "legalBasis", "title", "uniqueProgrammePart")
# Horizon Europe pillar II: the six clusters and their intervention areas (not 2.7, the JRC).
_THEMATIC = re.compile(r"HORIZON\.2\.[1-6](?:\.\d+)*")


def detect_legal_basis(head: Head) -> bool:
    return has_columns(head.csv_header(";"), LEGAL_REQUIRED)


def read_legal_basis(path: Path) -> Iterator[Item]:
    return build_records(read_table(path, delimiter=";", required=LEGAL_REQUIRED), _legal_basis, ";")


def framework_of_programme(code: str) -> tuple[str, str]:
    if code.startswith("H2020"):
        return H2020[0], H2020[1]
    return HORIZON


def _legal_basis(row: Row) -> Record:
    cells = row.cells
    project_id = grant_id(row, "projectID")
    code = clean(cells["legalBasis"])
    if code is None:
        raise RowError("column 'legalBasis' is empty")
    title = clean(cells["title"])
    marker = (clean(cells["uniqueProgrammePart"]) or "").lower()
    if marker not in ("true", ""):
        raise RowError(f"column 'uniqueProgrammePart': {cells['uniqueProgrammePart']!r} is neither true nor empty")
    main = marker == "true"
    fund, period = framework_of_programme(code)
    project = Project(
        source="cordis",
        source_id=project_id,
        programme=title if main else None,
        programme_code=code if main else None,
        fund=fund,
        period=period,
        themes=[title] if title and _THEMATIC.fullmatch(code) else [],
    )
    return Record(key=f"{project_id}/{code}", project=project, line=row.line)


# ---------------------------------------------------------------------------------------------
# webItem.csv

WEB_REQUIRED = ("uri", "title", "type", "represents")
_WEB_SIGNATURE = ("language", "availableLanguages", *WEB_REQUIRED, "source")
_PROJECT_FILE = re.compile(r"/docs/projects/files/\d+/(\d+)/")
CORDIS = "https://cordis.europa.eu"


def detect_web_items(head: Head) -> bool:
    return has_columns(head.csv_header(";"), _WEB_SIGNATURE)


def read_web_items(path: Path) -> Iterator[Item]:
    return build_records(read_table(path, delimiter=";", required=WEB_REQUIRED), _web_item, ";")


def _web_item(row: Row) -> Record:
    cells = row.cells
    uri = clean(cells["uri"])
    if uri is None:
        raise RowError("column 'uri' is empty")
    match = _PROJECT_FILE.match(uri)
    if match is None:
        raise RowError(f"column 'uri': {uri!r} names no project (expected /docs/projects/files/<n>/<grant id>/…)")
    link = Link(
        url=CORDIS + uri if uri.startswith("/") else uri,
        title=clean(cells["title"]),
        kind=clean(cells["represents"]) or clean(cells["type"]),
    )
    project = Project(source="cordis", source_id=match[1], links=[link])
    return Record(key=uri, project=project, line=row.line)


FORMATS = [
    Format(
        name="cordis-topics",
        description="CORDIS H2020 / Horizon Europe topics.csv: each project's call topic and its title",
        detect=detect_topics,
        read=read_topics,
    ),
    Format(
        name="cordis-legal-basis",
        description="CORDIS legalBasis.csv: each project's programme part(s), code and name",
        detect=detect_legal_basis,
        read=read_legal_basis,
    ),
    Format(
        name="cordis-webitem",
        description="CORDIS webItem.csv: project logos and print material, linked on cordis.europa.eu",
        detect=detect_web_items,
        read=read_web_items,
    ),
]
