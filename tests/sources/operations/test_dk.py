import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Money, Record, Reject, Role
from euprojects.sources import detect
from euprojects.sources.base import Head, SourceError
from euprojects.sources.operations.dk import CONTACTS, FORMATS, TITLE, read, utm32_to_wgs84
from tests.sources.damage import assert_only_the_damaged_row_is_lost, insert_byte

FILE = "structural-funds-os-data/DK_ERDF_Denmark_2014-2020.original.csv"


def items(path: Path) -> list[Record | Reject]:
    return list(read(path))


def records(path: Path) -> list[Record]:
    return [item for item in read(path) if isinstance(item, Record)]


def by_title(path: Path, title: str) -> list[Record]:
    return [r for r in records(path) if r.project.title == title]


def table(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="cp1252"), newline=""), delimiter=";"))


def write(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="cp1252")
    return path


def test_every_row_is_a_record(data: Path) -> None:
    found = items(data / FILE)
    assert len(found) == 107
    assert all(isinstance(item, Record) for item in found)
    assert len({item.key for item in found if isinstance(item, Record)}) == 107


def test_a_row_keeps_title_dates_amounts_in_dkk_fund_and_region(data: Path) -> None:
    [record] = by_title(data / FILE, "Vækst 2.0")
    project = record.project
    assert record.line == 2 and project.id == f"os-dk:{record.key}"
    assert (project.start_date.isoformat(), project.end_date.isoformat()) == ("2014-04-24", "2017-02-28")  # type: ignore[union-attr]
    assert project.total_cost == Money(Decimal("15414794"), "DKK")  # "15.414.794": fifteen million
    assert project.eu_contribution == Money(Decimal("7707397"), "DKK")
    assert project.cofinancing_rate == Decimal("50")
    assert (project.fund, project.period, project.nuts) == ("ERDF", "2014-2020", ["DK05"])
    assert project.programme and project.programme.startswith("Innovativ og bæredygtig vækst")
    assert project.summary and project.summary.startswith("Formålet er at skabe vækst i 92 virksomheder")
    assert len(project.summary) > 2000  # the whole description, not a cut
    assert project.raw["Budget / Budget"] == "15.414.794"


def test_the_beneficiary_keeps_its_address_and_coordinates(data: Path) -> None:
    [record] = by_title(data / FILE, "Vækst 2.0")
    [lead] = record.project.participations
    body = lead.organisation
    assert lead.role is Role.LEAD
    assert (body.name, body.country, body.street, body.postcode, body.city) == (
        "Væksthus Nordjylland",
        "DK",
        "Niels Jernes Vej 10",
        "9220",
        "Aalborg Øst",
    )
    assert body.latitude and 57.0 < body.latitude < 57.03 and body.longitude and 9.97 < body.longitude < 10.01


def test_utm_zone_32_is_converted_to_latitude_and_longitude() -> None:
    assert utm32_to_wgs84(500_000, 0) == (0.0, 9.0)
    latitude, longitude = utm32_to_wgs84(890_649.09, 6_118_912.57)  # Nexø, Bornholm
    assert 55.0 < latitude < 55.1 and 15.1 < longitude < 15.15


def test_partners_are_read_from_the_multi_line_cell(data: Path) -> None:
    [record] = by_title(data / FILE, "Viden og Innovationslaboratorier")
    participations = record.project.participations
    assert [p.role for p in participations] == [Role.LEAD, Role.PARTNER, Role.PARTNER, Role.PARTNER]
    assert [p.organisation.name for p in participations[1:]] == [
        "Professionshøjskolen University College Syddanmark",
        "Professionshøjskolen Lillebælt/University College Lillebælt",
        "Erhvervsakademi Kolding",
    ]
    assert all(p.organisation.country == "DK" for p in participations)


def test_a_partner_listed_twice_or_as_the_lead_is_kept_once(data: Path) -> None:
    project = next(
        r.project for r in records(data / FILE) if r.project.lead and r.project.lead.organisation.name == "Topvirk"
    )
    names = [p.organisation.name for p in project.participations]
    assert names == ["Topvirk", "Frederikshavn Kommune"]  # three times in the cell
    bornholm = [
        r.project
        for r in records(data / FILE)
        if r.project.lead and r.project.lead.organisation.name == "Bornholms Regionskommune"
    ]
    assert any(len(p.participations) == 1 for p in bornholm)  # its own name twice in the partner cell


def test_pairs_with_the_same_title_beneficiary_and_start_get_their_own_keys(data: Path) -> None:
    pair = by_title(data / FILE, "Nordjyske NewBizz")
    assert sorted(r.project.fund for r in pair) == ["ERDF", "ESF"]  # type: ignore[type-var]
    assert len({r.key for r in pair}) == 2
    scale_up = by_title(data / FILE, "Scale-up Denmark")
    assert sorted(n for r in scale_up for n in r.project.nuts) == ["DK02", "DK03"]


def test_nothing_from_the_contact_column_reaches_the_records(data: Path) -> None:
    rows = table(data / FILE)
    column = rows[0].index(CONTACTS)
    contacts = [row[column] for row in rows[1:]]
    emails = {e for cell in contacts for e in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", cell)}
    phones = {p for cell in contacts for p in re.findall(r"(?<!\d)(?:\+45 ?)?\d{2} ?\d{2} ?\d{2} ?\d{2}(?!\d)", cell)}
    assert len(emails) > 100 and len(phones) > 100  # the check below looks for something real
    everything = repr(items(data / FILE))
    assert not [e for e in emails if e in everything]
    assert not [p for p in phones if p in everything or p.replace(" ", "") in everything]
    assert "@" not in everything


def test_a_bad_row_is_rejected_without_its_contacts_a_bad_amount_left_out(data: Path, tmp_path: Path) -> None:
    rows = table(data / FILE)
    header, row = rows[0], rows[1]
    row[header.index("Projektbeskrivelse")] = "One line."  # so that each row is one line of the file
    row[header.index("Prioritetsakse / Priority axis")] = "2 Flere vækstvirksomheder."
    row[header.index(CONTACTS)] = "Jane Doe,12 34 56 78,jane.doe@example.org"
    bad_date, negative = list(row), list(row)
    bad_date[header.index("Startdato / Operation start date")] = "31.02.2015"
    negative[header.index("Budget / Budget")] = "-15.414.794"
    negative[header.index(TITLE)] = "Another operation"
    found = items(write(tmp_path / "dk.csv", [header, row, bad_date, negative]))
    assert isinstance(found[0], Record) and "Jane" not in repr(found[0])
    assert isinstance(found[1], Reject) and found[1].line == 3
    assert "Startdato / Operation start date" in found[1].reason and "31.02.2015" in found[1].reason
    assert "Vækst 2.0" in found[1].raw
    assert "Jane" not in found[1].raw and "12 34 56 78" not in found[1].raw and "@" not in found[1].raw
    assert isinstance(found[2], Record) and found[2].line == 4 and "Jane" not in repr(found[2])
    project = found[2].project
    assert project.total_cost is None and project.raw["Budget / Budget"] == "-15.414.794"
    assert (project.eu_contribution, project.cofinancing_rate) == (
        found[0].project.eu_contribution,
        found[0].project.cofinancing_rate,
    )
    assert [(f.code, f.message) for f in project.flags] == [
        ("invalid_amount", "column 'Budget / Budget': -15414794 is negative; left out")
    ]


def test_a_row_with_missing_fields_is_rejected_without_its_text(data: Path, tmp_path: Path) -> None:
    rows = table(data / FILE)
    found = items(write(tmp_path / "dk.csv", [rows[0], rows[1][:-3]]))
    assert isinstance(found[0], Reject) and found[0].raw == "" and "16 fields" in found[0].reason


def test_detected_as_its_own_format_only(data: Path) -> None:
    assert detect(data / FILE).name == "os-dk"
    others = [p for p in data.rglob("*") if p.is_file() and p.name != "README.md" and p != data / FILE]
    assert others and not [p.name for p in others if FORMATS[0].detect(Head(p))]


def test_a_utf8_copy_reads_the_same(data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "dk-utf8.csv"
    copy.write_text((data / FILE).read_text(encoding="cp1252"), encoding="utf-8")
    assert [r.project for r in records(copy)] == [r.project for r in records(data / FILE)]


def test_utf16_is_a_source_error(data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "dk-utf16.csv"
    copy.write_text((data / FILE).read_text(encoding="cp1252"), encoding="utf-16")
    with pytest.raises(SourceError, match="UTF-16"):
        list(read(copy))


def test_utf8_with_a_broken_byte_loses_only_its_row_not_mojibake(data: Path, tmp_path: Path) -> None:
    intact = tmp_path / "dk.csv"
    intact.write_bytes((data / FILE).read_text(encoding="cp1252").encode("utf-8"))
    whole = intact.read_bytes()
    line = insert_byte(whole, tmp_path / "dk-broken.csv", len(whole) // 2, b"\xff")
    assert_only_the_damaged_row_is_lost(read, intact, tmp_path / "dk-broken.csv", line)


def test_a_missing_column_is_a_source_error(data: Path, tmp_path: Path) -> None:
    rows = table(data / FILE)
    column = rows[0].index("Budget / Budget")
    path = write(tmp_path / "dk.csv", [[c for i, c in enumerate(row) if i != column] for row in rows[:3]])
    with pytest.raises(SourceError, match=r"missing required column.*Budget / Budget"):
        list(read(path))
