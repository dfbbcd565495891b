import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Money, Record, Reject, Role
from euprojects.sources import detect
from euprojects.sources.base import Head, SourceError
from euprojects.sources.operations.hr import FORMATS, oib_valid, read
from tests.sources.damage import assert_only_the_damaged_row_is_lost, insert_byte

FILE = "structural-funds-os-data/HR_ESIF_Croatia_2007-2020.csv"
ISECSS = "Informatizacija i stručne edukacije u centrima za socijalnu skrb (ISECSS)"


def records(path: Path) -> list[Record]:
    return [item for item in read(path) if isinstance(item, Record)]


def by_title(path: Path, prefix: str) -> Record:
    [record] = [r for r in records(path) if r.project.title and r.project.title.startswith(prefix)]
    return record


def table(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_an_operation_repeated_per_county_is_one_record(data: Path) -> None:
    found = list(read(data / FILE))
    assert all(isinstance(item, Record) for item in found)
    assert len(found) == 1215  # 2 532 rows: 1 317 of them repeat an operation for another county
    assert len({item.key for item in found if isinstance(item, Record)}) == 1215


def test_a_row_keeps_title_dates_amounts_programme_and_counties(data: Path) -> None:
    record = by_title(data / FILE, ISECSS)
    project = record.project
    assert record.line == 2 and project.title == ISECSS
    assert (project.start_date.isoformat(), project.end_date.isoformat()) == ("2015-06-18", "2016-06-17")  # type: ignore[union-attr]
    assert project.eu_contribution == Money(Decimal("5172338.50"), "HRK")  # 21 rows of it: not added up
    assert project.total_cost == Money(Decimal("5172338.50"), "HRK")
    assert (project.fund, project.period) == ("ESF", "2007-2013")
    assert (project.programme, project.programme_code) == ("Razvoj ljudskih potencijala", "HR")
    assert len(project.nuts) == 21 and project.nuts[:2] == ["HR037", "HR036"] and "HR041" in project.nuts
    assert project.summary and project.summary.startswith("Projekt će doprinijeti daljnjem razvoju")
    flags = {f.code: f.message for f in project.flags}
    assert "Bespovratna sredstva" in flags["eu_amount_includes_national"] and "21 rows" in flags["rows_grouped"]


def test_the_beneficiary_is_identified_by_its_oib(data: Path) -> None:
    [lead] = by_title(data / FILE, ISECSS).project.participations
    body = lead.organisation
    assert lead.role is Role.LEAD
    assert (body.id, body.name, body.country) == (
        "hr-oib:15351583880",
        "Ministarstvo socijalne politike i mladih",
        "HR",
    )
    assert body.identifiers == {"hr-oib": "15351583880"}
    assert all(r.project.lead and r.project.lead.organisation.id.startswith("hr-oib:") for r in records(data / FILE))


def test_the_oib_check_digit() -> None:
    assert oib_valid("15351583880")
    assert not oib_valid("15351583881")


def test_a_pre_2014_contract_keeps_its_euro_amounts(data: Path) -> None:
    project = by_title(data / FILE, "Potpora socijalnoj uključenosti i integraciji na tržište rada žena").project
    assert project.eu_contribution == Money(Decimal("861610.28"), "EUR")
    assert project.total_cost == Money(Decimal("1013778.44"), "EUR")
    assert project.start_date and project.start_date.year == 2010 and project.period == "2007-2013"
    assert len(project.nuts) == 21  # one row per county


def test_a_bad_date_rejects_the_row_a_bad_amount_only_itself(data: Path, tmp_path: Path) -> None:
    rows = [[cell.replace("\n", " ") for cell in row] for row in table(data / FILE)[:4]]
    rows[2][8] = "30.02.2015"
    rows[3][10] = "-2.589.410,00 kn"
    found = list(read(write(tmp_path / "hr.csv", rows)))
    rejects = [item for item in found if isinstance(item, Reject)]
    assert [(r.line, r.reason) for r in rejects] == [
        (3, "column 'Datum ugovaranja': '30.02.2015' is not a valid date"),
    ]
    project = next(item.project for item in found if isinstance(item, Record) and item.line == 4)
    assert project.eu_contribution is None and project.total_cost is not None and project.title
    assert [f.message for f in project.flags if f.code == "invalid_amount"] == [
        "column 'Bespovratna sredstva': -2589410.00 is negative; left out"
    ]
    assert project.raw["Bespovratna sredstva"] == "-2.589.410,00 kn"


def test_detected_as_its_own_format_only(data: Path) -> None:
    assert detect(data / FILE).name == "os-hr"
    others = [p for p in data.rglob("*") if p.is_file() and p.name != "README.md" and p != data / FILE]
    assert others and not [p.name for p in others if FORMATS[0].detect(Head(p))]


def test_utf8_with_a_broken_byte_loses_only_its_row(data: Path, tmp_path: Path) -> None:
    line = insert_byte((data / FILE).read_bytes(), tmp_path / "hr.csv", 2000, b"\xc3(")
    assert_only_the_damaged_row_is_lost(read, data / FILE, tmp_path / "hr.csv", line)


def test_a_missing_column_is_a_source_error(data: Path, tmp_path: Path) -> None:
    rows = [row[:6] + row[7:] for row in table(data / FILE)[:3]]
    with pytest.raises(SourceError, match=r"missing required column.*Korisnik"):
        list(read(write(tmp_path / "hr.csv", rows)))
