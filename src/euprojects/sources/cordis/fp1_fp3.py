"""CORDIS participant lists of the first three framework programmes (1984-1994).

One record per participation row. ``projectID`` (``MA1B0008``, ``AGRE0067``, ``6549``) is unique
across the three published files and names one ``projectRcn`` each, so the project is
``cordis:<projectID>`` with the alias ``cordis:rcn-<projectRcn>``.

The three files share one header and their rcn ranges overlap, so nothing in the content tells
FP1 from FP2 or FP3: the framework programme is read from the file name (``…fp2…`` or its years
``1987-1991``); a file named otherwise gets no fund or period rather than a guessed one.

The copies at hand are TAB-separated; multi-line addresses are double-quoted. CORDIS' own
downloads use ``;`` and are read the same way. Rows carry no id of the organisation: a row is
keyed by the project's rcn, its role and a hash of the organisation's published details, so
two identical rows share a key (duplicates) while two different organisations of the same name
do not. A row that names its organisation ``N/A`` (or not at all) still says that a participant
of that country took that role: it is an unnamed organisation of its own
(``unnamed:<project>:<line>``), so the two FP1 projects known only by such a row exist and three
projects keep their coordinator. The contact columns (``contactForm`` … ``contactFaxNumber``)
are never read, not even into a reject's raw text. ``NA`` in ``country`` is Namibia (the files
mark a missing value by an empty cell).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from euprojects.model import Flag, Organisation, Participation, Project, Record, Reject, Role
from euprojects.normalise.programmes import FRAMEWORKS as PROGRAMME_FRAMEWORKS
from euprojects.normalise.text import clean
from euprojects.sources.base import Format, Head, Item, Row, SourceError, has_columns, read_table
from euprojects.sources.common import RowError, short_hash, unnamed_organisation
from euprojects.sources.cordis.projects import Organisations

REQUIRED = (
    "projectRcn",
    "projectID",
    "projectAcronym",
    "role",
    "name",
    "shortName",
    "country",
    "street",
    "city",
    "postCode",
    "organizationUrl",
    "vatNumber",
)
CONTACT = (
    "contactForm",
    "contactType",
    "contactTitle",
    "contactFirstNames",
    "contactLastNames",
    "contactFunction",
    "contactTelephoneNumber",
    "contactFaxNumber",
)
ROLES = {"coordinator": Role.LEAD, "participant": Role.PARTNER}
FRAMEWORKS = {
    number: (fund, PROGRAMME_FRAMEWORKS[fund].period, PROGRAMME_FRAMEWORKS[fund].label)
    for number, fund in (("1", "FP1"), ("2", "FP2"), ("3", "FP3"))
}
_FP_IN_NAME = re.compile(r"(?<![a-z0-9])fp([123])(?![0-9])")
_YEARS = {period: number for number, (_, period, _) in FRAMEWORKS.items()}
_DETAILS = ("name", "shortName", "country", "street", "city", "postCode", "organizationUrl", "vatNumber")


def _delimiter(head: Head) -> str | None:
    for delimiter in ("\t", ";"):
        if has_columns(head.csv_header(delimiter), (*REQUIRED, "contactForm")):
            return delimiter
    return None


def detect(head: Head) -> bool:
    return _delimiter(head) is not None


def framework(path: Path) -> tuple[str, str, str] | None:
    """FP1/FP2/FP3 (fund, period, programme name) from the file name, None when it does not say."""
    name = path.name.lower()
    match = _FP_IN_NAME.search(name)
    if match:
        return FRAMEWORKS[match[1]]
    for period, number in _YEARS.items():
        if period in name:
            return FRAMEWORKS[number]
    return None


def read(path: Path) -> Iterator[Item]:
    try:
        head = Head(path)
    except OSError as err:
        raise SourceError(f"cannot read the file: {err.strerror or err}") from None
    delimiter = _delimiter(head) or "\t"
    rows = read_table(path, delimiter=delimiter, required=REQUIRED)
    header = [c.replace("\ufeff", "").strip() for c in head.first_line.split(delimiter)]
    # Cells up to the first contact column may appear in a reject's raw text, never beyond it.
    public = min((header.index(c) for c in CONTACT if c in header), default=len(header))
    return _records(rows, framework(path), delimiter, public, len(header))


def _records(
    rows: Iterator[Row | Reject], fp: tuple[str, str, str] | None, delimiter: str, public: int, width: int
) -> Iterator[Item]:
    orgs = Organisations()
    orders: dict[str, int] = {}  # participations so far per project
    seen: dict[str, int] = {}  # key → order of the row that took it
    for row in rows:
        if not isinstance(row, Row):  # a row with the wrong number of fields
            fields = row.raw.split(delimiter)
            # With fields missing, contact cells may have moved left: keep that many fewer.
            cut = public - max(0, width - len(fields))
            yield Reject(line=row.line, reason=row.reason, raw=_public(fields, cut, delimiter))
            continue
        try:
            record = _record(row, fp, orgs)
        except RowError as err:
            yield Reject(line=row.line, reason=str(err), raw=_public(row.fields, public, delimiter))
            continue
        participation = record.project.participations[0]
        rcn = record.key.partition("/")[0]
        order = seen.get(record.key)
        if order is None:
            order = orders.get(rcn, 0)
            orders[rcn] = order + 1
            seen[record.key] = order
        participation.order = order
        yield record


def _public(fields: list[str], public: int, delimiter: str) -> str:
    return delimiter.join(fields[: max(0, public)])


def _record(row: Row, fp: tuple[str, str, str] | None, orgs: Organisations) -> Record:
    cells = row.cells
    rcn = cells["projectRcn"].strip()
    if not rcn.isdigit():
        raise RowError(f"column 'projectRcn': {rcn!r} is not a CORDIS record number")
    project_id = clean(cells["projectID"])
    if project_id is None:
        raise RowError("column 'projectID' is empty")
    role_raw = cells["role"].strip()
    role = ROLES.get(role_raw.lower())
    if role is None:
        raise RowError(f"column 'role': {role_raw!r} is neither coordinator nor participant")
    project = Project(
        source="cordis",
        source_id=project_id,
        acronym=clean(cells["projectAcronym"]),
        fund=fp[0] if fp else None,
        period=fp[1] if fp else None,
        programme=fp[2] if fp else None,
    )
    org = _organisation(row, project, orgs)
    project.participations = [Participation(organisation=org, role=role, role_raw=role_raw)]
    details = short_hash(*(cells[c] for c in _DETAILS))
    return Record(key=f"{rcn}/{role_raw}/{details}", project=project, line=row.line, aliases=[f"cordis:rcn-{rcn}"])


def _organisation(row: Row, project: Project, orgs: Organisations) -> Organisation:
    """The participant as its row describes it; unnamed (``N/A``, or no name at all) when the row
    gives no name, its published text kept in the project's raw values and a flag saying so."""
    cells = row.cells
    country = cells["country"].strip() or None  # not clean(): 'NA' is Namibia here
    street = clean(cells["street"])
    if street and "\n" in street:
        street = ", ".join(part.strip(" ,") for part in street.split("\n") if part.strip(" ,"))
    details = {
        "short_name": clean(cells["shortName"]),
        "street": street,
        "postcode": clean(cells["postCode"]),
        "city": clean(cells["city"]),
        "website": clean(cells["organizationUrl"]),
    }
    vat = clean(cells["vatNumber"])
    name = clean(cells["name"])
    if name is not None:
        return orgs.get(name, country, vat=vat, **details)
    published = cells["name"].strip()
    where = f"name (line {row.line})"
    if published:
        project.raw = {where: published}
    said = f"as {published!r}" if published else "with an empty name"
    project.flags = [
        Flag("organisation_unnamed", f"A participant is published {said}: kept as an unnamed organisation.")
    ]
    identifiers = {"vat": vat} if vat else {}
    return unnamed_organisation(project.id, row.line, country, identifiers=identifiers, **details)


FORMATS = [
    Format(
        name="cordis-fp1-fp3-organizations",
        description="CORDIS FP1-FP3 participants (1984-1994), TAB or ';' text: organisation, role, address",
        detect=detect,
        read=read,
    )
]
