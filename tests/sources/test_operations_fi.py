from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Flag, Money, Record, Reject, Role, Status
from euprojects.sources import detect
from euprojects.sources.base import Head, SourceError
from euprojects.sources.operations_fi import FORMATS, read

FILE = "structural-funds-os-data/FI_ERDF_2014-2020_projektilista.original.csv"
HEADER = (
    "Koodi,Rahasto,Hankkeen nimi,Tl,Viranomainen,Tila,Aloituspvm,Päättymispvm,Toteuttajan nimi,"
    "Myönnetty EU- ja valtion rahoitus,Toteutunut EU- ja valtion rahoitus,"
    "Suunniteltu julkinen rahoitus yhteensä,Toteutunut julkinen rahoitus yhteensä;"
)


def items(path: Path) -> list[Record | Reject]:
    return list(read(path))


def records(path: Path) -> dict[str, Record]:
    return {item.key: item for item in read(path) if isinstance(item, Record)}


def rejects(path: Path) -> dict[str, Reject]:
    return {item.raw.lstrip('"')[:6]: item for item in read(path) if isinstance(item, Reject)}


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join((HEADER, *lines)) + "\n", encoding="utf-8")
    return path


def test_every_line_is_a_record_or_a_reject(data: Path) -> None:
    found = items(data / FILE)
    lines = [line for line in (data / FILE).read_text(encoding="utf-8").split("\n")[1:] if line.strip()]
    # The README counts 2 874 records and 7 blank lines; the 7 are lines wrapped whole in
    # quotes (a CSV reader sees one field), and every one of the 2 881 lines is a project.
    assert len(lines) == len(found) == 2874 + 7
    kinds = Counter(type(item).__name__ for item in found)
    assert kinds == {"Record": 2865, "Reject": 16}
    reasons = Counter("shifted" if "shifted" in item.reason else "name" for item in found if isinstance(item, Reject))
    assert reasons == {"shifted": 13, "name": 3}


def test_name_authority_and_beneficiary_split_by_commas_are_joined_again(data: Path) -> None:
    record = records(data / FILE)["S20518"]
    project = record.project
    assert record.line == 2614 and project.id == "os-fi:S20518"
    assert project.title == "Kaikki Mukaan, KaMu-hanke"
    assert project.raw["Viranomainen"] == "Etelä-Savon elinkeino-, liikenne- ja ympäristökeskus"
    assert project.raw["Tl"] == "5"
    [lead] = project.participations
    assert (lead.organisation.name, lead.organisation.country, lead.role) == (
        "Pallokissat, Kuopio ry.",
        "FI",
        Role.LEAD,
    )
    assert (project.start_date.isoformat(), project.end_date.isoformat()) == ("2016-01-04", "2016-12-31")  # type: ignore[union-attr]
    assert project.eu_contribution == Money(Decimal("29685"), "EUR")
    assert project.total_cost == Money(Decimal("35250"), "EUR")
    assert (project.fund, project.period, project.status, project.status_source) == (
        "ESF",
        "2014-2020",
        Status.ONGOING,
        "Toiminnassa",
    )
    assert {f.code for f in project.flags} == {"eu_amount_includes_national", "total_is_public_funding"}


def test_a_name_split_into_four_fields(data: Path) -> None:
    project = records(data / FILE)["A70057"].project
    assert project.title == "T3K, Tuotteita, tehokkuutta, tuottavuutta ja kilpailukykyä teknologisilla innovaatioilla"
    assert project.raw["Viranomainen"] == "Pirkanmaan liitto"
    assert project.raw["Toteutunut EU- ja valtion rahoitus"] == "97216.29"
    assert project.eu_contribution == Money(Decimal("444809"), "EUR")


def test_a_bar_in_a_name_is_a_comma(data: Path) -> None:
    project = records(data / FILE)["A70301"].project
    assert (
        project.title
        == "Reaktoritekniikkaan perustuvat uudet prosessit, prosessikemikaalit ja (rainattavat)biotuotteet - Reaktek"
    )
    assert project.raw["Hankkeen nimi"].startswith("Reaktoritekniikkaan perustuvat uudet prosessit |prosessikemikaalit")


def test_a_dash_the_export_turned_into_a_question_mark(data: Path) -> None:
    project = records(data / FILE)["A70051"].project
    assert project.title and project.title.startswith("SATAHIMA – Kohti hiilineutraalia Satakuntaa – kuntien")
    assert project.raw["Hankkeen nimi"].startswith("SATAHIMA ? Kohti")


def test_a_line_wrapped_in_quotes(data: Path) -> None:
    project = records(data / FILE)["A70577"].project
    assert project.title == (
        'Satakuntalainen meriosaaminen nousuun kansainvälisellä vesi- ja hygieniatutkimusyhteistyöllä, "MESI"'
    )
    assert project.raw["Viranomainen"] == "Pirkanmaan liitto"
    assert project.eu_contribution == Money(Decimal("16000"), "EUR")


def test_a_number_in_the_beneficiary_column_is_not_a_beneficiary(data: Path) -> None:
    project = records(data / FILE)["A70305"].project
    assert project.participations == []
    assert "157500" in {f.code: f.message for f in project.flags}["columns_recovered"]
    assert project.eu_contribution == Money(Decimal("157500"), "EUR")


def test_a_negative_realised_amount_is_kept_as_published(data: Path) -> None:
    project = records(data / FILE)["A70258"].project
    assert project.raw["Toteutunut julkinen rahoitus yhteensä"] == "-744"
    assert project.total_cost == Money(Decimal("172000"), "EUR")


def test_lines_that_cannot_be_recovered_safely_are_rejected(data: Path) -> None:
    found = rejects(data / FILE)
    assert found["A70408"].line == 109
    assert found["A70408"].reason.startswith("cannot tell where the project name ends: words of it stand before")
    assert "'Ruotsi Pohjois-Pohjanmaan" in found["A70408"].reason
    assert found["A70359"].line == 60
    assert "Myönnetty EU- ja valtion rahoitus" in found["A70359"].reason and "shifted" in found["A70359"].reason


def test_the_authorities_of_other_lines_decide_an_ambiguous_split(tmp_path: Path) -> None:
    line = "A79999,EAKR,Vaihe, 2, jatko,1,{authority},Toiminnassa,1.1.2015,31.12.2016,Oy Testi Ab,100,0,100,0,,;"
    known = "A7999{n},EAKR,Hanke {n},2,Lapin liitto,Toiminnassa,1.1.2015,31.12.2016,Oy Testi Ab,1,0,1,0,,;"
    path = write(tmp_path / "fi.csv", known.format(n=1), known.format(n=2), line.format(authority="Lapin liitto"))
    assert records(path)["A79999"].project.title == "Vaihe, 2, jatko"
    path = write(tmp_path / "fi.csv", known.format(n=1), line.format(authority="Tuntematon virasto"))
    [reject] = [item for item in read(path) if isinstance(item, Reject)]
    assert reject.line == 3 and reject.reason.startswith(
        "cannot tell where the project name ends and the authority begins"
    )


def test_a_bad_date_rejects_the_row_a_bad_amount_only_itself(tmp_path: Path) -> None:
    good = "A79991,EAKR,Hanke, osa 1,2,Lapin liitto,Toiminnassa,1.1.2015,31.12.2016,Oy Testi Ab,100,0,100,0,,;"
    bad_date = "A79992,EAKR,Hanke, osa 2,2,Lapin liitto,Toiminnassa,31.2.2015,31.12.2016,Oy Testi Ab,100,0,100,0,,;"
    negative = "A79993,EAKR,Hanke, osa 3,2,Lapin liitto,Toiminnassa,1.1.2015,31.12.2016,Oy Testi Ab,-100,0,100,0,,;"
    found = items(write(tmp_path / "fi.csv", good, "", bad_date, negative))
    assert isinstance(found[0], Record) and found[0].project.title == "Hanke, osa 1"
    assert [(r.line, r.reason) for r in found[1:] if isinstance(r, Reject)] == [
        (4, "column 'Aloituspvm': '31.2.2015' is not a valid date"),
    ]
    [negative] = [r for r in found[1:] if isinstance(r, Record)]
    project = negative.project
    assert (negative.line, project.title, project.eu_contribution) == (5, "Hanke, osa 3", None)
    assert project.total_cost == found[0].project.total_cost
    assert project.flags[-1] == Flag(
        "invalid_amount", "column 'Myönnetty EU- ja valtion rahoitus': -100 is negative; left out"
    )
    assert project.raw["Myönnetty EU- ja valtion rahoitus"] == "-100"


def test_detected_as_its_own_format_only(data: Path) -> None:
    assert detect(data / FILE).name == "os-fi"
    others = [p for p in data.rglob("*") if p.is_file() and p.name != "README.md" and p != data / FILE]
    assert others and not [p.name for p in others if FORMATS[0].detect(Head(p))]


def test_utf8_with_a_broken_byte_is_a_source_error(data: Path, tmp_path: Path) -> None:
    text = (data / FILE).read_bytes()
    broken = tmp_path / "fi.csv"
    broken.write_bytes(text[:1000] + b"\xe4" + text[1000:])
    with pytest.raises(SourceError, match="wrong encoding"):
        list(read(broken))


def test_a_missing_column_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "fi.csv"
    path.write_text(HEADER.replace("Toteuttajan nimi,", "") + "\nA70301,EAKR,x\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"missing required column.*Toteuttajan nimi"):
        list(read(path))
