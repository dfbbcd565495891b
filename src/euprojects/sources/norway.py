"""Horizon 2020 grants to Norwegian organisations, from the Research Council of Norway's open data.

One row is one Norwegian participation in an H2020 project (other consortium members are not
in the file), so each row becomes one Record that knows the project and one participation. The
grant id (``Prosjektnr``) is CORDIS' own, so records use the CORDIS id ``cordis:<grant id>`` and
merge with CORDIS' records of the same project. Organisations are identified by their Norwegian
organisation number (``no-orgnr``).

The file is ``;``-separated UTF-8 with CRLF line ends, dates are ``DD.MM.YYYY HH:MM`` and
amounts carry float noise (``626199.99999984``), which parse_money rounds to cents. ``meta.xml``
beside the file gives the publication time as Unix seconds; it is kept in ``raw``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from euprojects.model import Flag, Money, Participation, Project, Record, Role, Status
from euprojects.normalise.dates import from_epoch, parse_date
from euprojects.normalise.money import parse_money
from euprojects.normalise.text import clean, clean_repaired
from euprojects.sources.base import Format, Head, Item, Row, has_columns, read_table
from euprojects.sources.common import Checked, RowError, build_records, field, organisation

FRAMEWORK = "H2020"
PERIOD = "2014-2020"
AMOUNT = "Innvilget beløp organisasjon EUR"
COLUMNS = (
    "Rammeprogram",
    "Prosjektnr",
    "Prosjektkortnavn",
    "Prosjektnavn",
    "Utlysnings-id",
    "Topic kode",
    "Topic",
    "Søknadstypenavn",
    "Kontraktstatus",
    "Kontrakt startdato",
    "Kontrakt sluttdato",
    "Organisasjonsnummer",
    "Organisasjonsnavn",
    "Organisasjon rolle",
    "Deltakernr",
    AMOUNT,
)
# Most specific first: sub-programme, programme, pillar. (code column, name column)
PROGRAMME_LEVELS = (
    ("Programnivå 1 kode (H2020)", "Programnivå 1 (H2020)"),
    ("Program kode (H2020)", "Program (H2020)"),
    ("Programområde kode (H2020)", "Programområde (H2020)"),
)
TREATY = "Traktat kode (H2020)"
STATUSES = {
    "SIGNED": Status.ONGOING,
    "CLOSED": Status.FINISHED,
    "TERMINATED": Status.CANCELLED,  # ended early, as CORDIS records it (cordis_projects.H2020_STATUS)
}
ROLES = {
    "COORDINATOR": Role.LEAD,
    "PARTICIPANT": Role.PARTNER,
    "PARTNER": Role.PARTNER,
    "ASSOCIATED_PARTNER": Role.ASSOCIATED,
    "THIRD_PARTY": Role.THIRD_PARTY,
}
# The file writes "unknown" in Norwegian where a name or sector is missing.
UNKNOWN = frozenset({"ukjent"})
_EU_CODE = re.compile(r"EU(?:\.[0-9A-Za-z]+)+\.")
_GRANT = re.compile(r"\d+")
_ORGNR = re.compile(r"\d{9}")
_UPDATED = re.compile(r"<updated>\s*(\d+)\s*</updated>")


def detect(head: Head) -> bool:
    return has_columns(head.csv_header(";"), COLUMNS)


def read(path: Path) -> Iterator[Item]:
    """Records of the participations; SourceError from read_table before the first row."""
    rows = read_table(path, delimiter=";", required=COLUMNS)
    return _items(rows, _published(path))


def _items(rows: Iterator[Row | Item], published: dict[str, str]) -> Iterator[Item]:
    return build_records(rows, lambda row: _record(row, published))


def _published(path: Path) -> dict[str, str]:
    """The publication date from ``meta.xml`` beside the file, for ``raw``; empty when absent.

    A regular expression rather than an XML parser: the file is tiny and untrusted, and only
    one element is wanted.
    """
    try:
        text = (path.parent / "meta.xml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    match = _UPDATED.search(text)
    if not match:
        return {}
    try:
        day = from_epoch(match[1])
    except (ValueError, OverflowError, OSError):  # seconds beyond the calendar: no usable date
        return {}
    return {"meta.xml updated": match[1], "publication_date": day.isoformat()} if day else {}


def _record(row: Row, published: dict[str, str]) -> Record:
    grant = _grant(row)
    start = field(row, "Kontrakt startdato", parse_date)
    end = field(row, "Kontrakt sluttdato", parse_date)
    checked = Checked()
    amount = checked.amount(row, AMOUNT, lambda text: parse_money(text, decimal="."))
    status_source = row.get("Kontraktstatus")
    participant = row.get("Deltakernr")
    order = _participant_number(row)
    programme, code = _programme(row)
    participation = _participation(row, order, amount)
    project = Project(
        source="cordis",
        source_id=grant,
        acronym=row.get("Prosjektkortnavn"),
        title=clean_repaired(row.cells.get("Prosjektnavn")),
        start_date=start,
        end_date=end,
        status=STATUSES.get(status_source.upper()) if status_source else None,
        status_source=status_source,
        programme=programme,
        programme_code=code,
        period=PERIOD,
        fund=FRAMEWORK,
        call=row.get("Utlysnings-id"),
        topic=row.get("Topic kode"),
        topic_title=row.get("Topic"),
        funding_scheme=row.get("Søknadstypenavn"),
        participations=[participation] if participation else [],
        flags=[] if participation else [_unknown_organisation(row, amount)],
        raw=_raw(row, participant, published),
    )
    key = f"{grant}/{row.get('Organisasjonsnummer') or ''}/{participant}"
    return Record(key=key, project=checked.onto(project), line=row.line)


def _grant(row: Row) -> str:
    """The grant agreement id, which is also the CORDIS project id."""
    grant = row.get("Prosjektnr") or ""
    if not _GRANT.fullmatch(grant):
        raise RowError(f"column 'Prosjektnr': {grant!r} is not a grant agreement number")
    framework = row.get("Rammeprogram")
    if framework != FRAMEWORK:
        raise RowError(f"column 'Rammeprogram': {framework!r} is not H2020, the only framework this format knows")
    return grant


def _participant_number(row: Row) -> int:
    text = row.get("Deltakernr") or ""
    if not text.isdigit():
        raise RowError(f"column 'Deltakernr': {text!r} is not a participant number")
    return int(text)


def _programme(row: Row) -> tuple[str, str | None]:
    """The most specific programme level the row names, with its code as CORDIS writes it.

    CORDIS' legal basis is ``H2020-`` + the programme code (``H2020-EU.2.1.1.``). Rows of the
    Euratom programme carry no H2020 programme level, only the treaty code.
    """
    for code_column, name_column in PROGRAMME_LEVELS:
        name = row.get(name_column)
        if name:
            code = row.get(code_column)
            return name, f"H2020-{code}" if code and _EU_CODE.fullmatch(code) else None
    treaty = row.get(TREATY)
    if treaty and treaty.upper() == "EURATOM":
        return "Euratom", None
    return "Horizon 2020", None


def _known(value: str | None) -> str | None:
    return None if value is None or value.casefold() in UNKNOWN else value


def _participation(row: Row, order: int, amount: Money | None) -> Participation | None:
    """The Norwegian participant; None when the file names neither the organisation nor its number."""
    number = row.get("Organisasjonsnummer")
    if number and not _ORGNR.fullmatch(number):
        raise RowError(f"column 'Organisasjonsnummer': {number!r} is not a 9-digit organisation number")
    name = _known(row.get("Organisasjonsnavn"))
    if not name and not number:
        return None
    role_raw = row.get("Organisasjon rolle") or ""
    role = ROLES.get(role_raw.upper())
    if role is None:
        raise RowError(f"column 'Organisasjon rolle': {role_raw!r} is not a known role")
    org = organisation(
        name,
        "NO",
        national=("no-orgnr", number) if number else None,
        short_name=_known(row.get("Kortnavn")),
        city=row.get("Adresse kommune"),
        type=_known(row.get("FoU sektor")),
    )
    return Participation(organisation=org, role=role, role_raw=role_raw, order=order, eu_contribution=amount)


def _unknown_organisation(row: Row, amount: Money | None) -> Flag:
    """A participation of an organisation the file calls only "ukjent" (unknown) and gives no number.

    The project's facts are still good, so the row stays a record; the grant is told in a flag
    because there is no organisation to hang a participation on.
    """
    granted = f"{amount.amount} {amount.currency}" if amount else "no amount"
    return Flag(
        "participant_unknown",
        f"Norwegian participant {row.get('Deltakernr')} is unnamed ('ukjent', no organisation number); "
        f"granted {granted}",
    )


def _raw(row: Row, participant: str | None, published: dict[str, str]) -> dict[str, str]:
    """Published text of the normalised values; the amount is per participant, so it says whose."""
    raw = {
        column: value
        for column in ("Kontrakt startdato", "Kontrakt sluttdato", "Kontraktstatus")
        if (value := clean(row.cells.get(column)))
    }
    amount = clean(row.cells.get(AMOUNT))
    if amount:
        raw[f"{AMOUNT} (Deltakernr {participant})"] = amount
    return {**raw, **published}


FORMATS = [
    Format(
        name="norway-h2020",
        description="H2020 grants to Norwegian organisations (Research Council of Norway): one row per participation",
        detect=detect,
        read=read,
        companions=("fields.csv", "meta.xml"),
    )
]
