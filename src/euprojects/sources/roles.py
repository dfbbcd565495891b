"""What each format's records are worth beside the others', in one table.

``priority``: whose value wins when several records describe one project (official project
tables above derived and scraped ones). ``establishes``: whether the format's records make a
project on their own; a topic, a programme part, a web link or a field of science only adds to
a project that a project, participation or organisation table establishes, and a record named
by such tables alone stays out of search, facets, statistics and exports until one does.
``partners``: how complete the format's partner lists are — ``full`` (every partner, with
identifiers or amounts), ``names`` (every partner, by name only), ``partial`` (only some
partners, e.g. only Norway's), or ``none``.
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


ROLES: dict[str, FormatRole] = {
    # CORDIS: official tables first, then derived and scraped ones
    "cordis-he-organizations": FormatRole(95, partners="full"),
    "cordis-fp7-projects": FormatRole(90),
    # CORDIS' H2020 tables of December 2020 (participations by rcn, with each project's dates and
    # amounts) are newer than the 2019 project table, whose titles and texts they lack
    "cordis-h2020-participations": FormatRole(88, partners="full"),
    "cordis-h2020-projects-2019": FormatRole(85, partners="names"),
    "cordis-legal-basis": FormatRole(75, establishes=False),
    "cordis-topics": FormatRole(70, establishes=False),
    "cordis-h2020-tech": FormatRole(60),
    "cordis-report-summaries": FormatRole(60),
    "cordis-fp1-fp3-organizations": FormatRole(55, partners="full"),
    "cordis-h2020-programme-parts": FormatRole(50, establishes=False),
    "norway-h2020": FormatRole(45, partners="partial"),
    "erc-grants": FormatRole(40, partners="partial"),
    "marzeelabs-json": FormatRole(35, partners="names"),
    "cordis-scraped-pages": FormatRole(30, partners="names"),
    "cordis-deliverables": FormatRole(20, establishes=False),
    "cordis-euroscivoc": FormatRole(20, establishes=False),
    "cordis-webitem": FormatRole(20, establishes=False),
    "cordis-weblinks": FormatRole(20, establishes=False),
    # keep.eu and the Interreg programmes' own lists
    "keep-page-html": FormatRole(80, partners="full"),
    "keep-page-text": FormatRole(75, partners="names"),
    "interreg-north-sea": FormatRole(45, partners="partial"),
    # national lists of operations (beneficiaries; Denmark lists partners)
    "os-at": FormatRole(60, partners="full"),
    "os-dk": FormatRole(60, partners="full"),
    "os-el": FormatRole(60, partners="full"),
    "os-fi": FormatRole(60, partners="full"),
    "os-hr": FormatRole(60, partners="full"),
    "os-pl": FormatRole(60, partners="full"),
    # organisation aggregates, never projects
    "kohesio-beneficiaries": FormatRole(30, establishes=False),
}
