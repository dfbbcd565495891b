"""CORDIS Horizon Europe participants (``organization.xlsx``), also when split into chunks.

One record per participation row: the project is known by its grant id; the row adds one
organisation with its role, EU contribution and total cost. The ``rcn`` column is the CORDIS
record number of the *organisation* (it differs between the rows of one project and is the
same on every row of one organisation), so it becomes an organisation identifier, not a
project alias. ``contactForm`` is an EC portal contact URL and is not read.

Amounts of one participation are kept in ``Project.raw`` under the column name qualified by
the participation (``totalCost[999964562/coordinator/1]``), because the records of all
partners of a project merge into one ``raw`` and the plain column name would collide.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from euprojects.model import Participation, Project, Record, Role
from euprojects.normalise.money import parse_money
from euprojects.normalise.places import nuts_code
from euprojects.normalise.text import clean
from euprojects.sources.base import Format, Head, Item, Row, has_columns, read_sheet
from euprojects.sources.common import Checked, RowError, build_records, field, organisation

FUND = "HORIZON"
PERIOD = "2021-2027"
# The framework programme's name, for the lower-priority Horizon Europe tables (cordis_reports).
# Participation rows leave ``programme`` empty: at priority 95 the generic name would outrank
# the specific programme part that cordis-legal-basis (75) gives every one of these projects.
PROGRAMME = "Horizon Europe"

REQUIRED = (
    "projectID",
    "projectAcronym",
    "organisationID",
    "name",
    "country",
    "role",
    "order",
    "ecContribution",
    "netEcContribution",
    "totalCost",
)
# Columns whose presence together tells this table from every other CORDIS table.
SIGNATURE = (*REQUIRED, "activityType", "nutsCode", "geolocation", "endOfParticipation")

ROLES = {
    "coordinator": Role.LEAD,
    "participant": Role.PARTNER,
    "associatedpartner": Role.ASSOCIATED,
    "thirdparty": Role.THIRD_PARTY,
}
BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def detect(head: Head) -> bool:
    return has_columns(head.xlsx_header, SIGNATURE)


def read(path: Path) -> Iterator[Item]:
    yield from _items(read_sheet(path, required=REQUIRED))


def _items(rows: Iterator[Row | Item]) -> Iterator[Item]:
    return build_records(rows, _record)


def _record(row: Row) -> Record:
    cells = row.cells
    project_id = _grant_id(row)
    pic = clean(cells.get("organisationID"))
    role_raw = clean(cells.get("role"))
    if role_raw is None:
        raise RowError("column 'role' is empty")
    role = ROLES.get(role_raw.lower())
    if role is None:
        raise RowError(
            f"column 'role': {role_raw!r} is not a CORDIS role "
            "(coordinator, participant, associatedPartner, thirdParty)"
        )
    order = field(row, "order", _order)
    who = f"{pic or ''}/{role_raw}/{order}"
    checked = Checked(f"[{who}]")
    contribution = checked.amount(row, "ecContribution", parse_money)
    checked.amount(row, "netEcContribution", parse_money)  # kept as published in raw; checked all the same
    total_cost = checked.amount(row, "totalCost", parse_money)
    latitude, longitude = _geolocation(cells.get("geolocation"))
    name = clean(cells.get("name"))
    try:
        org = organisation(
            name,
            clean(cells.get("country")),
            pic=pic,
            short_name=clean(cells.get("shortName")),
            street=clean(cells.get("street")),
            postcode=clean(cells.get("postCode")),
            city=clean(cells.get("city")),
            nuts=_region(cells.get("nutsCode")),
            type=clean(cells.get("activityType")),
            sme=field(row, "SME", _boolean),
            website=clean(cells.get("organizationURL")),
            latitude=latitude,
            longitude=longitude,
            identifiers=_identifiers(cells),
        )
    except ValueError as err:  # neither a name nor a PIC
        raise RowError(f"column 'name': {err}") from None
    participation = Participation(
        organisation=org,
        role=role,
        role_raw=role_raw,
        order=order,
        eu_contribution=contribution,
        total_cost=total_cost,
    )
    project = Project(
        source="cordis",
        source_id=project_id,
        acronym=clean(cells.get("projectAcronym")),
        fund=FUND,
        period=PERIOD,
        participations=[participation],
        raw=_raw(cells, who, latitude is None),
    )
    return Record(key=f"{project_id}/{who}", project=checked.onto(project), line=row.line)


def _grant_id(row: Row) -> str:
    value = clean(row.cells.get("projectID"))
    if value is None:
        raise RowError("column 'projectID' is empty")
    if not value.isdigit():
        raise RowError(f"column 'projectID': {value!r} is not a grant agreement number")
    return value


def _order(text: str | None) -> int:
    value = clean(text)
    if value is None:
        return 0
    if not value.isdigit():
        raise ValueError(f"{value!r} is not a position in the consortium")
    return int(value)


def _boolean(text: str | None) -> bool | None:
    value = clean(text)
    if value is None:
        return None
    try:
        return BOOLEANS[value.lower()]
    except KeyError:
        raise ValueError(f"{value!r} is neither true nor false") from None


def _geolocation(text: str | None) -> tuple[float | None, float | None]:
    """``"48.8473434,2.3487498"`` → (48.8473434, 2.3487498); (None, None) when absent or unreadable."""
    if not text:
        return None, None
    lat_text, sep, lon_text = text.partition(",")
    if not sep:
        return None, None
    try:
        latitude, longitude = float(lat_text), float(lon_text)
    except ValueError:
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    return latitude, longitude


def _region(text: str | None) -> str | None:
    """A NUTS region code; a bare country code (what CORDIS writes for non-European partners
    and unplaced ones, ``US``, ``IL``) says nothing the country does not."""
    code = nuts_code(text) if text else None
    return code if code and len(code) > 2 else None


def _identifiers(cells: dict[str, str]) -> dict[str, str]:
    identifiers = {}
    vat = clean(cells.get("vatNumber"))
    if vat:
        identifiers["vat"] = vat
    rcn = clean(cells.get("rcn"))
    if rcn:
        identifiers["cordis-org-rcn"] = rcn
    return identifiers


def _raw(cells: dict[str, str], who: str, geolocation_unread: bool) -> dict[str, str]:
    """Published text of the normalised values, keyed ``column[pic/role/order]``."""
    raw = {}
    for column in ("ecContribution", "netEcContribution", "totalCost"):
        value = cells.get(column)
        if value:
            raw[f"{column}[{who}]"] = value
    ended = clean(cells.get("endOfParticipation"))
    if ended and ended.lower() != "false":  # the partner left; the participation stays listed
        raw[f"endOfParticipation[{who}]"] = ended
    active = clean(cells.get("active"))
    if active:
        raw[f"active[{who}]"] = active
    geolocation = clean(cells.get("geolocation"))
    if geolocation and geolocation_unread:
        raw[f"geolocation[{who}]"] = geolocation
    return raw


FORMATS = [
    Format(
        name="cordis-he-organizations",
        description="CORDIS Horizon Europe participants (organization.xlsx, whole or in chunks): "
        "organisation, address, role, EU contribution",
        detect=detect,
        read=read,
    )
]
