"""CORDIS project tables in delimited text: FP7 (2021 layout) and H2020 (2019 layout, as copied
by pandas in the CleanTechTag study), plus that study's ``tech.csv`` extract.

One record per project row, keyed by the grant agreement id; the CORDIS record number (rcn)
becomes an alias so tables keyed by rcn join the grant.

The H2020 2019 layout names the coordinator and the participants (``;``-separated) but gives
``participantCountries`` as the *distinct* countries of the participants in order of first
appearance, not one per participant: the two lists pair up only when they have the same
length (every participant in another country). Otherwise the participants' countries are
unknown.

Programme codes are named by the one programme table (``normalise/programmes.py``); the FP7
tables give no code, only the call, whose second word names the specific programme.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import msgspec

from euprojects.model import Money, Organisation, Participation, Project, Record, Role, Status
from euprojects.normalise.dates import parse_date
from euprojects.normalise.money import parse_money
from euprojects.normalise.programmes import FRAMEWORKS, name_of
from euprojects.normalise.text import clean, clean_repaired, is_null, repair
from euprojects.sources.base import Format, Head, Item, Row, SourceError, has_columns, read_table
from euprojects.sources.common import Checked, RowError, build_records, field, organisation

FP7 = ("FP7", FRAMEWORKS["FP7"].period, FRAMEWORKS["FP7"].label)
H2020 = ("H2020", FRAMEWORKS["H2020"].period, FRAMEWORKS["H2020"].label)

# The word after ``FP7-`` in a call id → programme code (``FP7-PEOPLE-2012-IEF`` → FP7-PEOPLE).
# Cross-thematic calls (``FP7-OCEAN-2011``, ``FP7-2012-GC-MATERIALS``) name no single programme.
_FP7_CALL_WORDS = {
    "HEALTH": "FP7-HEALTH",
    "KBBE": "FP7-KBBE",
    "ICT": "FP7-ICT",
    "NMP": "FP7-NMP",
    "ENERGY": "FP7-ENERGY",
    "ENV": "FP7-ENVIRONMENT",
    "ENVIRONMENT": "FP7-ENVIRONMENT",
    "TRANSPORT": "FP7-TRANSPORT",
    "AAT": "FP7-TRANSPORT",
    "SST": "FP7-TRANSPORT",
    "SSH": "FP7-SSH",
    "SPACE": "FP7-SPACE",
    "SEC": "FP7-SECURITY",
    "SECURITY": "FP7-SECURITY",
    "PEOPLE": "FP7-PEOPLE",
    "INFRASTRUCTURES": "FP7-INFRASTRUCTURES",
    "INFRA": "FP7-INFRASTRUCTURES",
    "SME": "FP7-SME",
    "REGIONS": "FP7-REGIONS",
    "REGPOT": "FP7-REGPOT",
    "SIS": "FP7-SIS",
    "SCIENCE": "FP7-SIS",  # FP7-SCIENCE-IN-SOCIETY-2009-1
    "COH": "FP7-COH",
    "INCO": "FP7-INCO",
    "FISSION": "FP7-EURATOM-FISSION",
}


def fp7_programme_code(call: str | None) -> str | None:
    """The FP7 programme a call belongs to: ``FP7-PEOPLE-2012-IEF`` → ``FP7-PEOPLE``, ``ERC-2012-ADG`` → ERC."""
    if not call:
        return None
    words = call.upper().split("-")
    if words[0] == "ERC":
        return "FP7-IDEAS-ERC"
    if words[0] == "FP7" and len(words) > 1:
        return _FP7_CALL_WORDS.get(words[1])
    return None


# ---------------------------------------------------------------------------------------------
# Cell parsers shared by the CORDIS loaders (fast paths for the forms these files use).


class Organisations:
    """:func:`common.organisation` remembered by its arguments: the same organisation recurs in
    many rows, and its identity key (a folded name) costs more than the rest of a row.
    Each call returns its own copy."""

    LIMIT = 200_000

    def __init__(self) -> None:
        self._known: dict[tuple[str | None, ...], Organisation] = {}

    def get(
        self,
        name: str | None,
        country: str | None = None,
        *,
        pic: str | None = None,
        type: str | None = None,
        short_name: str | None = None,
        street: str | None = None,
        postcode: str | None = None,
        city: str | None = None,
        website: str | None = None,
        vat: str | None = None,
    ) -> Organisation:
        key = (name, country, pic, type, short_name, street, postcode, city, website, vat)
        known = self._known.get(key)
        if known is None:
            if len(self._known) >= self.LIMIT:
                self._known.clear()
            known = organisation(
                name,
                country,
                pic=pic,
                type=type,
                short_name=short_name,
                street=street,
                postcode=postcode,
                city=city,
                website=website,
                identifiers={"vat": vat} if vat else {},
            )
            self._known[key] = known
        return msgspec.structs.replace(known)


_PLAIN_AMOUNT = re.compile(r"\d+(?:\.\d{1,2})?")


def iso_date(text: str | None) -> dt.date | None:
    """An ISO date, quickly; anything else goes through :func:`parse_date` for its message."""
    if text is None:
        return None
    if len(text) == 10 and text[4] == text[7] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    return parse_date(text)


def amount(text: str | None) -> Money | None:
    """EUR with a decimal point (``642632.00``, ``100000``, ``3036000.0``)."""
    if text is None:
        return None
    if _PLAIN_AMOUNT.fullmatch(text):
        return Money(amount=Decimal(text))
    return parse_money(text, decimal=".")


def amount_inferred(text: str | None) -> Money | None:
    """EUR whose decimal mark is inferred (semicolon CORDIS dumps before 2021 used commas)."""
    if text is None:
        return None
    if _PLAIN_AMOUNT.fullmatch(text):
        return Money(amount=Decimal(text))
    return parse_money(text)


def raw_of(cells: dict[str, str], columns: tuple[str, ...]) -> dict[str, str]:
    """Published text of the normalised columns that have a value."""
    return {c: v for c in columns if (v := cells.get(c)) and not is_null(v)}


def grant_id(row: Row, column: str = "id") -> str:
    value = clean(row.cells.get(column))
    if value is None:
        raise RowError(f"column {column!r} is empty: a CORDIS project needs its grant agreement id")
    if not value.isdigit():
        raise RowError(f"column {column!r}: {value!r} is not a grant agreement number")
    return value


def rcn_alias(row: Row, column: str = "rcn") -> list[str]:
    value = clean(row.cells.get(column))
    if value is None:
        return []
    if not value.isdigit():
        raise RowError(f"column {column!r}: {value!r} is not a CORDIS record number")
    return [f"cordis:rcn-{value}"]


# ---------------------------------------------------------------------------------------------
# FP7 projects, official CORDIS layout of 2021.

FP7_REQUIRED = (
    "id",
    "acronym",
    "status",
    "title",
    "startDate",
    "endDate",
    "totalCost",
    "ecMaxContribution",
    "frameworkProgramme",
    "subCall",
    "fundingScheme",
    "objective",
    "rcn",
)
# Columns of the later H2020 / Horizon Europe project.csv, which otherwise shares this layout.
_LATER_LAYOUT = ("legalBasis", "topics", "masterCall", "ecSignatureDate")
FP7_STATUS = {"CLO": Status.FINISHED, "ONG": Status.ONGOING, "CAN": Status.CANCELLED}
_FP7_RAW = ("startDate", "endDate", "totalCost", "ecMaxContribution", "status")


def detect_fp7(head: Head) -> bool:
    header = head.csv_header(";")
    return has_columns(header, FP7_REQUIRED) and not any(c in header for c in _LATER_LAYOUT)


def read_fp7(path: Path) -> Iterator[Item]:
    return build_records(read_table(path, delimiter=";", required=FP7_REQUIRED), _fp7_record, ";")


def _fp7_record(row: Row) -> Record:
    cells = row.cells
    project_id = grant_id(row)
    framework = clean(cells["frameworkProgramme"])
    if framework != "FP7":
        raise RowError(f"column 'frameworkProgramme': {framework!r} is not FP7")
    status_text = clean(cells["status"])
    call = clean(cells["subCall"])
    code = fp7_programme_code(call)
    checked = Checked()
    project = Project(
        source="cordis",
        source_id=project_id,
        acronym=clean(cells["acronym"]),
        title=clean_repaired(cells["title"]),
        summary=clean_repaired(cells["objective"]),
        start_date=field(row, "startDate", iso_date),
        end_date=field(row, "endDate", iso_date),
        status=FP7_STATUS.get(status_text) if status_text else None,
        status_source=status_text,
        programme=(name_of(code) if code else None) or FP7[2],
        programme_code=code,
        fund=FP7[0],
        period=FP7[1],
        call=call,
        funding_scheme=clean(cells["fundingScheme"]),
        total_cost=checked.amount(row, "totalCost", amount),
        eu_contribution=checked.amount(row, "ecMaxContribution", amount),
        raw=raw_of(cells, _FP7_RAW),
    )
    return Record(key=project_id, project=checked.onto(project), line=row.line, aliases=rcn_alias(row))


# ---------------------------------------------------------------------------------------------
# H2020 projects, official CORDIS layout of 2019 (as pandas wrote it, or as CORDIS did).

H2020_REQUIRED = (
    "rcn",
    "id",
    "acronym",
    "status",
    "programme",
    "topics",
    "frameworkProgramme",
    "title",
    "startDate",
    "endDate",
    "projectUrl",
    "objective",
    "totalCost",
    "ecMaxContribution",
    "call",
    "fundingScheme",
    "coordinator",
    "coordinatorCountry",
    "participants",
    "participantCountries",
)
H2020_STATUS = {"SIGNED": Status.ONGOING, "CLOSED": Status.FINISHED, "TERMINATED": Status.CANCELLED}
_H2020_RAW = ("startDate", "endDate", "totalCost", "ecMaxContribution", "status")


def _h2020_delimiter(head: Head) -> str | None:
    for delimiter in (",", ";"):
        if has_columns(head.csv_header(delimiter), H2020_REQUIRED):
            return delimiter
    return None


def detect_h2020(head: Head) -> bool:
    return _h2020_delimiter(head) is not None


def read_h2020(path: Path) -> Iterator[Item]:
    try:
        head = Head(path)
    except OSError as err:
        raise SourceError(f"cannot read the file: {err.strerror or err}") from None
    # pandas copies write ',' and decimal points; CORDIS' own 2019 dump wrote ';' and decimal commas.
    delimiter = _h2020_delimiter(head) or ","
    parse = amount if delimiter == "," else amount_inferred
    rows = read_table(path, delimiter=delimiter, required=H2020_REQUIRED)
    orgs = Organisations()
    return build_records(rows, lambda row: _h2020_record(row, parse, orgs), delimiter)


def _h2020_record(row: Row, parse: Callable[[str | None], Money | None], orgs: Organisations) -> Record:
    cells = row.cells
    project_id = grant_id(row)
    framework = clean(cells["frameworkProgramme"])
    if framework != "H2020":
        raise RowError(f"column 'frameworkProgramme': {framework!r} is not H2020")
    codes = [c for c in (clean(p) for p in cells["programme"].split(";")) if c]
    code = codes[0] if codes else None
    status_text = clean(cells["status"])
    raw = raw_of(cells, _H2020_RAW)
    if len(codes) > 1:
        raw["programme"] = cells["programme"]
    checked = Checked()
    project = Project(
        source="cordis",
        source_id=project_id,
        acronym=clean(cells["acronym"]),
        title=clean_repaired(cells["title"]),
        summary=clean_repaired(cells["objective"]),
        start_date=field(row, "startDate", iso_date),
        end_date=field(row, "endDate", iso_date),
        status=H2020_STATUS.get(status_text) if status_text else None,
        status_source=status_text,
        programme=(name_of(code) if code else None) or H2020[2],
        programme_code=code,
        fund=H2020[0],
        period=H2020[1],
        call=clean(cells["call"]),
        topic=clean(cells["topics"]),
        funding_scheme=clean(cells["fundingScheme"]),
        total_cost=checked.amount(row, "totalCost", parse),
        eu_contribution=checked.amount(row, "ecMaxContribution", parse),
        website=clean(cells["projectUrl"]),
        participations=_h2020_participations(cells, orgs),
        raw=raw,
    )
    return Record(key=project_id, project=checked.onto(project), line=row.line, aliases=rcn_alias(row))


def _h2020_participations(cells: dict[str, str], orgs: Organisations) -> list[Participation]:
    participations = []
    coordinator = clean(repair(cells["coordinator"]))
    if coordinator:
        lead = orgs.get(coordinator, clean(cells["coordinatorCountry"]))
        participations.append(Participation(organisation=lead, role=Role.LEAD, role_raw="coordinator"))
    listed = cells["participants"]
    if not listed.strip():
        return participations
    names = repair(listed).split(";")
    countries = cells["participantCountries"].split(";")
    if len(countries) != len(names):  # the distinct countries, not one per participant
        countries = [""] * len(names)
    for name, country in zip(names, countries, strict=True):
        cleaned = clean(name)
        if cleaned:
            org = orgs.get(cleaned, clean(country))
            participations.append(
                Participation(organisation=org, role=Role.PARTNER, role_raw="participant", order=len(participations))
            )
    return participations


# ---------------------------------------------------------------------------------------------
# tech.csv of the CleanTechTag study: project texts with the technology terms found in them.
# The terms are keyword hits ('recycling' in a chemistry project, 'PV' and 'photovoltaic' both,
# ambiguous acronyms such as 'SPS' or 'DSM') and the groups are missing on most rows, so neither
# is read as a theme.

TECH_REQUIRED = ("id", "acronym", "title", "objective", "startDate", "endDate", "ecMaxContribution")
TECH_SIGNATURE = (*TECH_REQUIRED, "matches_group", "matches_technology")
_TECH_RAW = ("startDate", "endDate", "ecMaxContribution")


def detect_tech(head: Head) -> bool:
    return has_columns(head.csv_header(","), TECH_SIGNATURE)


def read_tech(path: Path) -> Iterator[Item]:
    return build_records(read_table(path, delimiter=",", required=TECH_REQUIRED), _tech_record, ",")


def _tech_record(row: Row) -> Record:
    cells = row.cells
    project_id = grant_id(row)
    checked = Checked()
    project = Project(
        source="cordis",
        source_id=project_id,
        acronym=clean(cells["acronym"]),
        title=clean_repaired(cells["title"]),
        summary=clean_repaired(cells["objective"]),
        start_date=field(row, "startDate", iso_date),
        end_date=field(row, "endDate", iso_date),
        programme=H2020[2],
        fund=H2020[0],
        period=H2020[1],
        eu_contribution=checked.amount(row, "ecMaxContribution", amount),
        raw=raw_of(cells, _TECH_RAW),
    )
    return Record(key=project_id, project=checked.onto(project), line=row.line)


FORMATS = [
    Format(
        name="cordis-fp7-projects",
        description="CORDIS FP7 projects, official 2021 CSV layout: title, objective, dates, budget, call",
        detect=detect_fp7,
        read=read_fp7,
    ),
    Format(
        name="cordis-h2020-projects-2019",
        description="CORDIS H2020 projects, 2019 CSV layout: programme, topic, texts, budget, partner names",
        detect=detect_h2020,
        read=read_h2020,
    ),
    Format(
        name="cordis-h2020-tech",
        description="CleanTechTag tech.csv: H2020 project texts, dates and EU contribution",
        detect=detect_tech,
        read=read_tech,
    ),
]
