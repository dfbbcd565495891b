"""Denmark's list of operations 2014-2020 (Erhvervsstyrelsen's export of ERDF and ESF projects).

cp1252, ``;``-delimited, bilingual Danish/English headers, amounts in DKK with ``.`` as the
thousands separator and no decimals (``15.414.794`` is fifteen million). The only list with
partners: a newline-separated list of names in one cell.

The ``Kontaktperson / Contacts`` column holds names, phone numbers and e-mail addresses of
individuals. It is removed from every row as soon as the row is read, so it reaches neither a
record, nor ``raw``, nor a reject.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

from euprojects.model import Money, Participation, Project, Reject, Role
from euprojects.normalise.dates import parse_date
from euprojects.normalise.money import parse_money
from euprojects.normalise.places import country_code
from euprojects.normalise.text import clean
from euprojects.sources.base import Format, Head, Item, Row, has_columns
from euprojects.sources.common import Checked, RowError, field, organisation, reject
from euprojects.sources.operations.common import (
    PERIOD_2014,
    by_line,
    free_text,
    keyed_records,
    lead,
    raw_values,
    read_rows,
)

TITLE = "Projektitel / Operation name"
START = "Startdato / Operation start date"
END = "Slutdato / Operation end date"
AXIS = "Prioritetsakse / Priority axis"
BUDGET = "Budget / Budget"
EU = "EU-medfinansiering / Union co-financing"
RATE = "EU-medfinansieringssats / Union co-financing rate"
DESCRIPTION = "Projektbeskrivelse"
FUND = "Fond / Fund"
REGION = "Region / Region"
COUNTRY = "Land / Country"
STREET = "Vejnavn / Street name"
POSTCODE = "Postnr / Operation postcode"
CITY = "Bynavn / City name"
EAST = "Koordinat east / Coordinates east"
NORTH = "Koordinat north / Coordinates north"
CONTACTS = "Kontaktperson / Contacts"  # personal data: dropped unread
PARTNERS = "Partere / Project partners"
BENEFICIARY = "Kontraktansvarlig partner / Beneficiary name"
REQUIRED = (TITLE, START, END, BUDGET, EU, RATE, FUND, BENEFICIARY)
ENCODINGS = ("utf-8", "cp1252")
DELIMITER = ";"

FUNDS = {"R": "ERDF", "S": "ESF"}
PROGRAMMES = {
    "ERDF": "Innovativ og bæredygtig vækst i virksomheder (Regionalfondsprogrammet 2014-2020)",
    "ESF": "Vækst via uddannelse og iværksætteri (Socialfondsprogrammet 2014-2020)",
}
NATIONAL_PROGRAMME = "EU's Regional- og Socialfond i Danmark 2014-2020"
# The five regions are NUTS 2 regions, Bornholm a NUTS 3 region of Hovedstaden. The other values
# of the column ("Bæredygtig, grøn byudvikling", "National pulje", "EURES") are national pools.
REGION_NUTS = {
    "hovedstaden": "DK01",
    "sjælland": "DK02",
    "syddanmark": "DK03",
    "midtjylland": "DK04",
    "nordjylland": "DK05",
    "bornholm": "DK014",
}
RAW_COLUMNS = (START, END, BUDGET, EU, RATE, FUND, REGION, COUNTRY, AXIS, EAST, NORTH)


def detect(head: Head) -> bool:
    return has_columns(head.csv_header(DELIMITER), (TITLE, BENEFICIARY, FUND, PARTNERS))


def read(path: Path) -> Iterator[Item]:
    header, rows = read_rows(path, delimiter=DELIMITER, required=REQUIRED, encodings=ENCODINGS, ragged=True)
    yield from by_line(_items(header, rows))


def _items(header: list[str], rows: list[Row | Reject]) -> list[Item]:
    items: list[Item] = []
    parsed: list[tuple[Row, Project]] = []
    for row in rows:
        if isinstance(row, Reject):
            items.append(row)
        elif len(row.fields) != len(header):
            # The cells cannot be matched to the header, so the contact column cannot be
            # told apart: the line is not kept at all.
            reason = (
                f"has {len(row.fields)} fields where the header has {len(header)} "
                "(line not kept: it may hold contact details)"
            )
            items.append(Reject(line=row.line, reason=reason))
        else:
            safe = _without_contacts(row, header)
            try:
                parsed.append((safe, _project(safe)))
            except RowError as err:
                items.append(reject(safe, err, DELIMITER))
    # Four titles occur twice with the same beneficiary and start date: each is a separate
    # operation (an ERDF and an ESF part, or parts from two regional pools, each with its own
    # description and budget), keyed with its fund, priority axis and region too.
    items.extend(keyed_records(parsed, (FUND, AXIS, REGION), DELIMITER))
    return items


def _without_contacts(row: Row, header: list[str]) -> Row:
    """The row with the contact column removed from its cells and from its raw fields."""
    keep = [i for i, name in enumerate(header) if name != CONTACTS]
    cells = {name: value for name, value in row.cells.items() if name != CONTACTS}
    return Row(line=row.line, cells=cells, fields=[row.fields[i] for i in keep])


def _dkk(text: str | None) -> Money | None:
    return parse_money(text, "DKK", ",")


def _project(row: Row) -> Project:
    title = free_text(row.cells.get(TITLE))
    if not title:
        raise RowError(f"column {TITLE!r} is empty: an operation needs its name")
    fund = FUNDS.get((clean(row.cells.get(FUND)) or "").upper())
    region = clean(row.cells.get(REGION))
    nuts = REGION_NUTS.get(region.lower()) if region else None
    checked = Checked()
    project = Project(
        source="os-dk",
        source_id="",
        title=title,
        summary=free_text(row.cells.get(DESCRIPTION)),
        start_date=field(row, START, parse_date),
        end_date=field(row, END, parse_date),
        programme=PROGRAMMES.get(fund or "", NATIONAL_PROGRAMME),
        period=PERIOD_2014,
        fund=fund,
        total_cost=checked.amount(row, BUDGET, _dkk),
        eu_contribution=checked.amount(row, EU, _dkk),
        cofinancing_rate=checked.rate(row, RATE),
        nuts=[nuts] if nuts else [],
        participations=_participations(row),
        raw=raw_values(row, RAW_COLUMNS),
    )
    return checked.onto(project)


def _participations(row: Row) -> list[Participation]:
    """The beneficiary as lead, then the listed partners once each (the lead not again)."""
    country = country_code(row.cells.get(COUNTRY)) or "DK"
    participations = []
    name = clean(row.cells.get(BENEFICIARY))
    if name:
        latitude, longitude = _coordinates(row)
        participations.append(
            lead(
                name,
                country,
                street=clean(row.cells.get(STREET)),
                postcode=clean(row.cells.get(POSTCODE)),
                city=clean(row.cells.get(CITY)),
                latitude=latitude,
                longitude=longitude,
            )
        )
    seen = {p.organisation.id for p in participations}
    for partner in _partner_names(row.cells.get(PARTNERS)):
        body = organisation(partner, country)
        if body.id in seen:
            continue
        seen.add(body.id)
        participations.append(Participation(organisation=body, role=Role.PARTNER, order=len(participations)))
    return participations


def _partner_names(cell: str | None) -> list[str]:
    """Partner names from the multi-line cell: one per line, each but the last ending in the
    ``.`` that separates it from the next (``Syddansk Universitet.\\nCLEAN.\\nBanke ApS``)."""
    lines = [line.strip() for line in (cell or "").splitlines() if line.strip()]
    names = []
    for index, line in enumerate(lines):
        if index < len(lines) - 1 and line.endswith("."):
            line = line[:-1]
        name = clean(line)
        if name:
            names.append(name)
    return names


def _coordinates(row: Row) -> tuple[float | None, float | None]:
    """WGS84 latitude and longitude of the beneficiary's address; None when not given or not numbers."""
    try:
        east = float((row.cells.get(EAST) or "").strip())
        north = float((row.cells.get(NORTH) or "").strip())
    except ValueError:
        return None, None
    if not (100_000 <= east <= 1_000_000 and 5_900_000 <= north <= 6_500_000):
        return None, None
    return utm32_to_wgs84(east, north)


# GRS80 (ETRS89) ellipsoid; UTM zone 32N, central meridian 9° E.
_A = 6_378_137.0
_F = 1 / 298.257222101
_K0 = 0.9996
_LON0 = 9.0
_N = _F / (2 - _F)
_RECT = _A / (1 + _N) * (1 + _N**2 / 4 + _N**4 / 64)
_BETA = (_N / 2 - 2 * _N**2 / 3 + 37 * _N**3 / 96, _N**2 / 48 + _N**3 / 15, 17 * _N**3 / 480)
_DELTA = (2 * _N - 2 * _N**2 / 3 - 2 * _N**3, 7 * _N**2 / 3 - 8 * _N**3 / 5, 56 * _N**3 / 15)


def utm32_to_wgs84(east: float, north: float) -> tuple[float, float]:
    """Latitude and longitude (degrees, 6 decimals) of an ETRS89 / UTM 32N point (EPSG:25832).

    Krüger's series to the third order in n: far below a metre of error in Denmark. ETRS89 and
    WGS84 differ by well under a metre there, which does not matter for a map pin.
    """
    xi = north / (_K0 * _RECT)
    eta = (east - 500_000.0) / (_K0 * _RECT)
    xi_p = xi - sum(b * math.sin(2 * j * xi) * math.cosh(2 * j * eta) for j, b in enumerate(_BETA, 1))
    eta_p = eta - sum(b * math.cos(2 * j * xi) * math.sinh(2 * j * eta) for j, b in enumerate(_BETA, 1))
    chi = math.asin(math.sin(xi_p) / math.cosh(eta_p))
    latitude = chi + sum(d * math.sin(2 * j * chi) for j, d in enumerate(_DELTA, 1))
    longitude = math.radians(_LON0) + math.atan2(math.sinh(eta_p), math.cos(xi_p))
    return round(math.degrees(latitude), 6), round(math.degrees(longitude), 6)


FORMATS = [
    Format(
        name="os-dk",
        description="Denmark: list of operations 2014-2020, ERDF and ESF (Erhvervsstyrelsen), with partners",
        detect=detect,
        read=read,
    )
]
