import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Money, Record, Reject, Role
from euprojects.sources import detect
from euprojects.sources.base import Head, SourceError
from euprojects.sources.common import short_hash
from euprojects.sources.operations.pl import FORMATS, read
from tests.sources.damage import assert_only_the_damaged_row_is_lost, insert_byte

FILE = "structural-funds-os-data/PL_Poland_ERDF_2014_2020.csv"


def records(path: Path) -> list[Record]:
    return [item for item in read(path) if isinstance(item, Record)]


def table(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="cp1250"), newline=""), delimiter=";"))


def write(path: Path, rows: list[list[str]], encoding: str = "cp1250") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding=encoding)
    return path


def test_every_row_is_a_record(data: Path) -> None:
    found = list(read(data / FILE))
    assert len(found) == 749 and all(isinstance(item, Record) for item in found)
    assert len({item.key for item in found if isinstance(item, Record)}) == 749


def test_a_row_keeps_title_beneficiary_amounts_in_pln_and_domain(data: Path) -> None:
    record = records(data / FILE)[0]
    project = record.project
    title, beneficiary = (
        "Budowa drogi ekspresowej S51 Olsztyn - Olsztynek",
        "GENERALNA DYREKCJA DRÓG KRAJOWYCH I AUTOSTRAD",
    )
    assert record.line == 2 and project.title == title
    assert record.key == short_hash(title, beneficiary, None) and project.id == f"os-pl:{record.key}"
    assert project.total_cost == Money(Decimal("1568930487.38"), "PLN")
    assert project.eu_contribution == Money(Decimal("867306201.54"), "PLN")
    assert (project.fund, project.period, project.themes) == ("ERDF", "2014-2020", ["transport"])
    assert project.start_date is None and project.nuts == []
    [lead] = project.participations
    assert (lead.organisation.name, lead.organisation.country, lead.role) == (beneficiary, "PL", Role.LEAD)
    assert project.raw["Wartość projektu"] == "1568930487.38"


def test_quoted_names_and_no_domain(data: Path) -> None:
    projects = {r.project.title: r.project for r in records(data / FILE)}
    engine = projects["Silnik o zapłonie samoczynnym do napędu statku powietrznego"]
    assert engine.lead and engine.lead.organisation.name == 'WYTWÓRNIA SPRZĘTU KOMUNIKACYJNEGO "PZL-KALISZ" S.A.'
    assert engine.themes == ["badania, rozwój, innowacje"]
    assert projects["„Budowa obwodnicy Ostródy w ciągu dk 16”"].themes == []  # "brak"


def test_a_bad_amount_is_left_out_naming_column_and_value(data: Path, tmp_path: Path) -> None:
    rows = table(data / FILE)[:4]
    rows[2][3] = "-532029620.00"
    rows[3][2] = "dużo"
    found = list(read(write(tmp_path / "pl.csv", rows)))
    assert all(isinstance(item, Record) for item in found)
    projects = [item.project for item in found if isinstance(item, Record)]
    assert [(p.total_cost is None, p.eu_contribution is None) for p in projects] == [
        (False, False),
        (False, True),
        (True, False),
    ]
    assert [[f.message for f in p.flags] for p in projects[1:]] == [
        ["column 'Dofinansowanie z EU': -532029620.00 is negative; left out"],
        ["column 'Wartość projektu': 'dużo' is not an amount; left out"],
    ]
    assert [projects[1].raw["Dofinansowanie z EU"], projects[2].raw["Wartość projektu"]] == ["-532029620.00", "dużo"]


def test_a_duplicate_row_is_rejected(data: Path, tmp_path: Path) -> None:
    rows = table(data / FILE)[:3]
    found = list(read(write(tmp_path / "pl.csv", [*rows, rows[2]])))
    assert isinstance(found[2], Reject) and found[2].line == 4 and found[2].reason.startswith("duplicates line 3")


def test_detected_as_its_own_format_only(data: Path) -> None:
    assert detect(data / FILE).name == "os-pl"
    others = [p for p in data.rglob("*") if p.is_file() and p.name != "README.md" and p != data / FILE]
    assert others and not [p.name for p in others if FORMATS[0].detect(Head(p))]


def test_a_utf8_copy_reads_the_same(data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "pl-utf8.csv"
    copy.write_text((data / FILE).read_text(encoding="cp1250"), encoding="utf-8")
    assert [r.project for r in records(copy)] == [r.project for r in records(data / FILE)]


def test_utf16_is_a_source_error_and_broken_utf8_loses_only_its_row(data: Path, tmp_path: Path) -> None:
    text = (data / FILE).read_text(encoding="cp1250")
    utf16 = tmp_path / "pl-utf16.csv"
    utf16.write_text(text, encoding="utf-16")
    with pytest.raises(SourceError, match="UTF-16"):
        list(read(utf16))
    intact = tmp_path / "pl.csv"
    intact.write_bytes(text.encode("utf-8"))
    line = insert_byte(intact.read_bytes(), tmp_path / "pl-broken.csv", 5000, b"\x9c")
    assert_only_the_damaged_row_is_lost(read, intact, tmp_path / "pl-broken.csv", line)


def test_a_missing_column_is_a_source_error(data: Path, tmp_path: Path) -> None:
    rows = [row[1:] for row in table(data / FILE)[:3]]
    with pytest.raises(SourceError, match=r"missing required column.*Tytuł projektu"):
        list(read(write(tmp_path / "pl.csv", rows)))
