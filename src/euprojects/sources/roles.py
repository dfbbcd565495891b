"""What each format's records are worth beside the others', in one table.

``priority``: whose value wins when several records describe one project (official project
tables above derived and scraped ones). ``establishes``: whether the format's records make a
project on their own; a topic, a programme part, a web link or a field of science only adds to
a project that a project, participation or organisation table establishes, and a record named
by such tables alone stays out of search, facets, statistics and exports until one does.
``partners``: how complete the format's partner lists are — ``full`` (every partner, with
identifiers or amounts), ``names`` (every partner, by name only), ``partial`` (only some
partners, e.g. only Norway's), or ``none``. ``as_of``: the year the format's organisation details
describe (when its publisher last updated them, as the data folder's README dates it): of two
equally complete mentions of one organisation, the more recent gives its name and address
(``orgs/details.py``). Only formats that name organisations need one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PartnerList = Literal["full", "names", "partial", "none"]


@dataclass(frozen=True, slots=True)
class FormatRole:
    priority: int
    establishes: bool = True
    partners: PartnerList = "none"
    as_of: int = 0


ROLES: dict[str, FormatRole] = {
    # CORDIS: official tables first, then derived and scraped ones
    "cordis-he-organizations": FormatRole(95, partners="full", as_of=2024),
    "cordis-fp7-projects": FormatRole(90),
    # CORDIS' H2020 tables of December 2020 (participations by rcn, with each project's dates and
    # amounts) are newer than the 2019 project table, whose titles and texts they lack
    "cordis-h2020-participations": FormatRole(88, partners="full", as_of=2020),
    "cordis-h2020-projects-2019": FormatRole(85, partners="names", as_of=2019),
    "cordis-legal-basis": FormatRole(75, establishes=False),
    "cordis-topics": FormatRole(70, establishes=False),
    "cordis-h2020-tech": FormatRole(60),
    "cordis-report-summaries": FormatRole(60),
    # FP1–FP3 addresses are those of the participations (1984–1994), however late the table was saved
    "cordis-fp1-fp3-organizations": FormatRole(55, partners="full", as_of=1994),
    "cordis-h2020-programme-parts": FormatRole(50, establishes=False),
    "norway-h2020": FormatRole(45, partners="partial", as_of=2022),
    "erc-grants": FormatRole(40, partners="partial", as_of=2019),
    "marzeelabs-json": FormatRole(35, partners="names", as_of=2014),
    "cordis-scraped-pages": FormatRole(30, partners="names", as_of=2018),
    "cordis-deliverables": FormatRole(20, establishes=False),
    "cordis-euroscivoc": FormatRole(20, establishes=False),
    "cordis-webitem": FormatRole(20, establishes=False),
    "cordis-weblinks": FormatRole(20, establishes=False),
    # keep.eu and the Interreg programmes' own lists
    # keep.eu pages are fetched as they stand today
    "keep-page-html": FormatRole(80, partners="full", as_of=2025),
    "keep-page-text": FormatRole(75, partners="names", as_of=2025),
    # keep.eu's own exports: the XLSX of a search and the Open Data API's JSON
    "keep-xlsx": FormatRole(78, partners="full", as_of=2025),
    "keep-json": FormatRole(82, partners="full", as_of=2025),
    "interreg-north-sea": FormatRole(45, partners="partial", as_of=2025),
    # national lists of operations (beneficiaries; Denmark lists partners), collected in 2016–2017
    "os-at": FormatRole(60, partners="full", as_of=2016),
    "os-dk": FormatRole(60, partners="full", as_of=2016),
    "os-el": FormatRole(60, partners="full", as_of=2016),
    "os-fi": FormatRole(60, partners="full", as_of=2016),
    "os-hr": FormatRole(60, partners="full", as_of=2016),
    "os-pl": FormatRole(60, partners="full", as_of=2016),
    # organisation aggregates, never projects
    "kohesio-beneficiaries": FormatRole(30, establishes=False, as_of=2023),
    # Kohesio's operations: aggregated from the national lists, beneficiaries by name
    "kohesio-projects": FormatRole(55, partners="names", as_of=2025),
}
