"""ERC grant lists (Advanced, Starting, Consolidator) as scraped from the ERC website.

No grant id is published, and acronyms repeat across grants, so a grant is keyed by its type,
acronym and start date. The principal investigator's name is personal data and is not read.

The lists name no framework programme either; a grant's start tells it. FP7's last ERC calls
(2013) funded grants that started in 2014, and Horizon 2020's first Advanced, Starting and
Consolidator grants started in 2015: CORDIS' complete H2020 table has no ERC grant of these
kinds that starts earlier (only Proof of Concept grants), and no grant of these lists that
starts before 2015 has the dates of an H2020 ERC grant. A grant that starts after 2020 may be
either framework's and gets none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from euprojects.model import Participation, Project, Record, Role
from euprojects.normalise.dates import parse_date
from euprojects.normalise.money import parse_money
from euprojects.normalise.programmes import FRAMEWORKS
from euprojects.normalise.text import clean, clean_repaired
from euprojects.sources.base import Format, Head, Item, Row, has_columns, read_table
from euprojects.sources.common import Checked, RowError, build_records, field, organisation, slug

COLUMNS = (
    "project_acronym",
    "project",
    "institution",
    "details_project",
    "budget_project",
    "date_start_project",
    "date_end_project",
)
SCHEMES = {
    "advanced": ("adg", "ERC Advanced Grant"),
    "starting": ("stg", "ERC Starting Grant"),
    "consolidator": ("cog", "ERC Consolidator Grant"),
}
FIRST_H2020_YEAR = 2015  # the first year an H2020 Advanced, Starting or Consolidator grant started
INFERRED = "inferred from the start date: ERC grants that started before 2015 are FP7's, later ones H2020's"


def detect(head: Head) -> bool:
    return has_columns(head.csv_header(","), COLUMNS)


def _scheme(path: Path) -> tuple[str, str]:
    for word, scheme in SCHEMES.items():
        if word in path.name.lower():
            return scheme
    return "erc", "ERC grant"


def read(path: Path) -> Iterator[Item]:
    code, scheme = _scheme(path)
    return build_records(read_table(path, delimiter=",", required=COLUMNS), lambda row: _record(row, code, scheme), ",")


def _record(row: Row, code: str, scheme: str) -> Record:
    acronym = clean(row.cells["project_acronym"])
    start = field(row, "date_start_project", parse_date)
    if not acronym:
        raise RowError("column 'project_acronym' is empty: an ERC grant needs its acronym")
    source_id = f"{code}-{slug(acronym)}-{start:%Y%m%d}" if start else f"{code}-{slug(acronym)}"
    fund = framework(start)
    checked = Checked()
    budget = checked.amount(row, "budget_project", parse_money)
    institution = clean(row.cells["institution"])
    participations = []
    if institution:
        host = organisation(institution)
        participations.append(Participation(organisation=host, role=Role.LEAD, role_raw="host institution"))
    project = Project(
        source="erc",
        source_id=source_id,
        acronym=acronym,
        title=clean_repaired(row.cells["project"]),
        summary=clean_repaired(row.cells["details_project"]),
        start_date=start,
        end_date=field(row, "date_end_project", parse_date),
        programme="European Research Council (ERC)",
        fund=fund,
        period=FRAMEWORKS[fund].period if fund else None,
        funding_scheme=scheme,
        eu_contribution=budget,
        participations=participations,
        raw={k: v for k, v in (("budget_project", row.cells["budget_project"]), ("fund", fund and INFERRED)) if v},
    )
    return Record(key=source_id, project=checked.onto(project), line=row.line)


def framework(start: dt.date | None) -> str | None:
    """The framework programme (fund code) of a grant that starts on ``start``."""
    if start is None or not 2007 <= start.year <= 2020:
        return None
    return "FP7" if start.year < FIRST_H2020_YEAR else "H2020"


FORMATS = [
    Format(
        name="erc-grants",
        description="ERC grant lists scraped from erc.europa.eu (acronym, title, abstract, host, budget, dates)",
        detect=detect,
        read=read,
    )
]
