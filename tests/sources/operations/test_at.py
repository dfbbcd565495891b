import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Money, Record, Reject, Role
from euprojects.sources import detect
from euprojects.sources.base import Head, SourceError
from euprojects.sources.operations.at import FORMATS, read

FILE = "structural-funds-os-data/AT_Vorhabensliste_IWB_EFRE_AT2014-2020.csv"


def records(path: Path) -> dict[str, Record]:
    return {item.project.title or "": item for item in read(path) if isinstance(item, Record)}


def table(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_every_row_is_a_record(data: Path) -> None:
    found = list(read(data / FILE))
    assert len(found) == 49 and all(isinstance(item, Record) for item in found)
    assert len({item.key for item in found if isinstance(item, Record)}) == 49


def test_a_row_keeps_dates_amounts_rate_place_and_category(data: Path) -> None:
    record = records(data / FILE)["Ankauf einer Doppelbiegeanlage"]
    project = record.project
    assert record.line == 12 and project.id == f"os-at:{record.key}"  # the header takes eleven lines
    assert (project.start_date.isoformat(), project.end_date.isoformat()) == ("2016-06-27", "2017-06-30")  # type: ignore[union-attr]
    assert project.total_cost == Money(Decimal("403514.06"), "EUR")
    assert project.cofinancing_rate == Decimal("18.13")
    assert project.eu_contribution == Money(Decimal("73157.10"), "EUR")  # 18,13 % of the total
    assert "18.13 %" in {f.code: f.message for f in project.flags}["eu_amount_computed"]
    assert project.nuts == ["AT22"]  # 60660 Dobl-Zwaring: Steiermark
    assert project.raw["Regionalcode des Vorhabens/ location indicator"] == "60660 - Dobl-Zwaring"
    assert project.themes == ["Allgemeine produktive Investitionen in kleine und mittlere Unternehmen („KMU“)"]
    assert (project.fund, project.period) == ("ERDF", "2014-2020")
    assert project.summary and project.summary.startswith("Das Projekt führt zu einer Erweiterung")
    [lead] = project.participations
    assert (lead.organisation.name, lead.organisation.country, lead.role) == ("TR Flachdachbau GmbH", "AT", Role.LEAD)


def test_municipality_codes_give_the_federal_state(data: Path) -> None:
    projects = records(data / FILE)
    assert projects["Umweltbildungsstelle Jamtal"].project.nuts == ["AT33"]  # 70606 Galtür, Tirol
    assert projects["b2e - business2excellence"].project.nuts == ["AT31"]  # 40101 Linz, Oberösterreich


def test_a_bad_date_rejects_the_row_a_bad_rate_only_itself(data: Path, tmp_path: Path) -> None:
    rows = [[cell.replace("\n", " ") for cell in row] for row in table(data / FILE)[:4]]
    rows[2][3] = "32.01.2015"
    rows[3][6] = "118,13 %"
    found = list(read(write(tmp_path / "at.csv", rows)))
    rejects = [r for r in found if isinstance(r, Reject)]
    assert [r.line for r in rejects] == [3]
    assert "operation start date" in rejects[0].reason and "'32.01.2015' is not a valid date" in rejects[0].reason
    [good, bad_rate] = [r for r in found if isinstance(r, Record)]
    assert good.project.cofinancing_rate is not None
    project = bad_rate.project
    assert bad_rate.line == 4 and project.total_cost is not None and project.start_date is not None
    assert (project.cofinancing_rate, project.eu_contribution) == (None, None)
    [flag] = project.flags
    assert flag.code == "invalid_rate" and "CO-FINANCING RATE" in flag.message.upper()
    assert "'118,13 %' is not a rate between 0 and 100 %" in flag.message
    assert "118,13 %" in project.raw.values()


def test_detected_as_its_own_format_only(data: Path) -> None:
    assert detect(data / FILE).name == "os-at"
    others = [p for p in data.rglob("*") if p.is_file() and p.name != "README.md" and p != data / FILE]
    assert others and not [p.name for p in others if FORMATS[0].detect(Head(p))]


def test_a_cp1252_copy_is_a_source_error(data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "at-cp1252.csv"
    copy.write_text((data / FILE).read_text(encoding="utf-8"), encoding="cp1252")
    with pytest.raises(SourceError, match="wrong encoding"):
        list(read(copy))


def test_a_missing_column_is_a_source_error(data: Path, tmp_path: Path) -> None:
    rows = [row[:5] + row[6:] for row in table(data / FILE)[:3]]
    with pytest.raises(SourceError, match=r"missing required column.*TOTAL ELIGIBLE EXPENDITURE"):
        list(read(write(tmp_path / "at.csv", rows)))
