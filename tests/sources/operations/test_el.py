import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Money, Record, Reject, Role
from euprojects.sources import detect
from euprojects.sources.base import Head, SourceError
from euprojects.sources.operations.el import FORMATS, read
from tests.sources.damage import assert_only_the_damaged_row_is_lost, insert_byte

FILE = "structural-funds-os-data/EL_ListOfOperations_20160513.csv"
START = "ΗΜ/ΝΙΑ ΕΝΑΡΞΗΣ ΤΗΣ ΠΡΑΞΗΣ / \nOPERATION START DATE "


def records(path: Path) -> dict[str, Record]:
    return {item.key: item for item in read(path) if isinstance(item, Record)}


def table(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="cp1253"), newline=""), delimiter=";"))


def write(path: Path, rows: list[list[str]], encoding: str = "cp1253") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding=encoding)
    return path


def amount(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", ".")) if text else Decimal(0)


def test_rows_of_one_mis_code_become_one_record(data: Path) -> None:
    found = list(read(data / FILE))
    assert all(isinstance(item, Record) for item in found)
    assert len(found) == 342  # 2 029 rows: 342 operations, 1 687 rows grouped into them
    assert len(table(data / FILE)) - 1 - len(found) == 1687


def test_a_single_row_operation(data: Path) -> None:
    record = records(data / FILE)["5000569"]
    project = record.project
    assert project.id == "os-el:5000569"
    assert project.title and project.title.startswith("ΛΕΙΤΟΥΡΓΙΑ ΔΟΜΩΝ ΚΑΙ ΥΠΗΡΕΣΙΩΝ ΤΗΣ ΔΗΜΟΣΙΑΣ ΔΙΟΙΚΗΣΗΣ")
    assert [(p.organisation.name, p.organisation.country, p.role) for p in project.participations] == [
        ("ΔΗΜΟΣ ΑΡΤΑΙΩΝ", "GR", Role.LEAD)
    ]
    assert (project.start_date.isoformat(), project.end_date.isoformat()) == ("2015-12-01", "2018-12-01")  # type: ignore[union-attr]
    assert project.total_cost == Money(Decimal("190676.64"), "EUR")
    assert project.cofinancing_rate == Decimal("80.00")
    assert project.eu_contribution == Money(Decimal("152541.31"), "EUR")  # 80 % of the total, computed
    assert [f.code for f in project.flags] == ["eu_amount_computed"]
    assert (project.fund, project.period, project.nuts) == ("ESF", "2014-2020", ["EL21"])
    assert (project.programme, project.programme_code) == ("Ήπειρος", "8")
    assert project.themes == ["Καταπολέμηση κάθε μορφής διακρίσεων και προώθηση των ίσων ευκαιριών"]


def test_a_split_operation_sums_its_amounts_and_collects_its_regions(data: Path) -> None:
    rows = [row for row in table(data / FILE)[1:] if row[4].startswith("5000306-")]
    assert len(rows) == 39
    record = records(data / FILE)["5000306"]
    project = record.project
    assert record.line == 12  # the first row, after a header of eleven lines
    assert project.total_cost == Money(sum((amount(row[8]) for row in rows), Decimal(0)), "EUR")
    assert project.total_cost == Money(Decimal("300000.31"), "EUR")
    expected_eu = sum((amount(row[8]) * amount(row[9]) / 100 for row in rows), Decimal(0))
    assert project.eu_contribution and abs(project.eu_contribution.amount - expected_eu) < Decimal("0.2")
    assert project.nuts[0] == "EL24" and len(project.nuts) == 13 and "EL30" in project.nuts
    assert project.cofinancing_rate is None  # 50, 80 and 85 % on different axes
    assert project.fund == "ERDF"  # the largest of ERDF, ESF and CF
    flags = {f.code: f.message for f in project.flags}
    assert "39 rows" in flags["rows_grouped"] and "ERDF 55 %" in flags["several_funds"]
    assert "50 %, 80 %, 85 %" in flags["eu_amount_computed"]


def test_rows_without_an_amount_are_said_to_be_missing(data: Path) -> None:
    project = records(data / FILE)["5000328"].project
    assert project.total_cost == Money(Decimal("800000.00"), "EUR")
    assert "1 of the 3 rows" in {f.code: f.message for f in project.flags}["amount_incomplete"]


def test_a_location_naming_several_nuts_3_regions(data: Path) -> None:
    project = records(data / FILE)["5000601"].project
    assert project.nuts == ["EL111", "EL112", "EL113", "EL114", "EL115", "EL122", "EL126"]
    assert project.themes[0] == "Πληροφόρηση και επικοινωνία"  # "123 Πληροφόρηση …", code without a dash


def test_a_bad_row_is_rejected_and_its_operation_says_so_a_bad_amount_costs_only_itself(
    data: Path, tmp_path: Path
) -> None:
    rows = [[cell.replace("\n", " ") for cell in row] for row in table(data / FILE)]  # one line per row
    header = rows[0]
    group = [row for row in rows[1:] if row[4].startswith("5000328-")]
    group[1][header.index(START.replace("\n", " "))] = "31/02/2016"
    negative = next(row for row in rows[1:] if row[4].startswith("5000569-"))
    negative[8] = "-190.676,64"
    found = list(read(write(tmp_path / "el.csv", [header, *group, negative])))
    rejects = [item for item in found if isinstance(item, Reject)]
    assert [(r.line, "OPERATION START DATE" in r.reason, "31/02/2016" in r.reason) for r in rejects] == [
        (3, True, True)
    ]
    [record, kept] = [item for item in found if isinstance(item, Record)]
    assert any(f.code == "rows_rejected" for f in record.project.flags)
    project = kept.project
    assert kept.line == 5 and project.total_cost is None and project.eu_contribution is None
    assert project.cofinancing_rate is not None and project.title and project.start_date
    invalid = [f.message for f in project.flags if f.code == "invalid_amount"]
    assert len(invalid) == 1 and "TOTAL ELIGIBLE EXPENDITURE" in invalid[0] and "-190676.64 is negative" in invalid[0]
    assert "-190.676,64" in project.raw.values()


def test_detected_as_its_own_format_only(data: Path) -> None:
    assert detect(data / FILE).name == "os-el"
    others = [p for p in data.rglob("*") if p.is_file() and p.name != "README.md" and p != data / FILE]
    assert others and not [p.name for p in others if FORMATS[0].detect(Head(p))]


def test_a_utf8_copy_reads_the_same(data: Path, tmp_path: Path) -> None:
    rows = table(data / FILE)[:60]
    original = records(write(tmp_path / "el-cp1253.csv", rows))
    copy = records(write(tmp_path / "el-utf8.csv", rows, encoding="utf-8"))
    assert FORMATS[0].detect(Head(tmp_path / "el-utf8.csv"))
    assert original and [r.project for r in copy.values()] == [r.project for r in original.values()]


def test_utf16_is_a_source_error_and_broken_utf8_loses_only_its_row(data: Path, tmp_path: Path) -> None:
    rows = table(data / FILE)[:60]
    with pytest.raises(SourceError, match="UTF-16"):
        list(read(write(tmp_path / "el-utf16.csv", rows, encoding="utf-16")))
    intact = write(tmp_path / "el-utf8.csv", rows, encoding="utf-8")
    line = insert_byte(intact.read_bytes(), tmp_path / "el-broken.csv", 3000, b"\xfe")
    assert_only_the_damaged_row_is_lost(read, intact, tmp_path / "el-broken.csv", line)


def test_a_missing_column_is_a_source_error(data: Path, tmp_path: Path) -> None:
    rows = [row[:8] + row[9:] for row in table(data / FILE)[:5]]
    with pytest.raises(SourceError, match=r"missing required column.*TOTAL ELIGIBLE EXPENDITURE"):
        list(read(write(tmp_path / "el.csv", rows)))
