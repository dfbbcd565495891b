import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Money, Record, Reject, Role, Status
from euprojects.sources import detect, formats
from euprojects.sources.base import Head, SourceError
from euprojects.sources.cordis.projects import read_fp7, read_h2020, read_tech

FP7 = "cordis-fp7-samples"
CLEANTECH = "cordis-h2020-cleantech-subset"
FP7_HEADER = (
    '"id";"acronym";"status";"title";"startDate";"endDate";"totalCost";"ecMaxContribution";"frameworkProgramme";'
    '"subCall";"fundingScheme";"nature";"objective";"contentUpdateDate";"rcn"'
)
H2020_HEADER = (
    ",rcn,id,acronym,status,programme,topics,frameworkProgramme,title,startDate,endDate,projectUrl,objective,"
    "totalCost,ecMaxContribution,call,fundingScheme,coordinator,coordinatorCountry,participants,"
    "participantCountries,subjects"
)
TECH_HEADER = (
    ",id,acronym,title,objective,startDate,endDate,ecMaxContribution,matches_group,matches_technology,"
    "number_unique_terms,count_matches"
)


def records(items: list[Record | Reject]) -> list[Record]:
    return [item for item in items if isinstance(item, Record)]


def rejects(items: list[Record | Reject]) -> list[Reject]:
    return [item for item in items if isinstance(item, Reject)]


def by_key(items: list[Record | Reject], key: str) -> Record:
    [record] = [r for r in records(items) if r.key == key]
    return record


def write(path: Path, *lines: str, bom: bool = False) -> Path:
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def joint(data: Path) -> list[Record | Reject]:
    return list(read_h2020(data / CLEANTECH / "cleantechtag_joint_results.csv"))


@pytest.fixture(scope="module")
def inner(data: Path) -> list[Record | Reject]:
    return list(read_h2020(data / CLEANTECH / "inner_table.csv"))


@pytest.fixture(scope="module")
def tech(data: Path) -> list[Record | Reject]:
    return list(read_tech(data / CLEANTECH / "tech.csv"))


# --- FP7 -------------------------------------------------------------------------------------


def test_every_fp7_row_is_a_record_with_its_grant_id(data: Path) -> None:
    # README: 59 projects, and 25 in the shortened file, a subset of the 59.
    test = list(read_fp7(data / FP7 / "fp7_test_projects.csv"))
    short = list(read_fp7(data / FP7 / "fp7_projects_shortened.csv"))
    assert (len(records(test)), len(rejects(test))) == (59, 0)
    assert (len(records(short)), len(rejects(short))) == (25, 0)
    assert {r.key for r in records(short)} < {r.key for r in records(test)}
    assert Counter(r.project.status for r in records(test)) == {
        Status.ONGOING: 57,
        Status.FINISHED: 1,
        Status.CANCELLED: 1,
    }


def test_an_fp7_project_keeps_its_values(data: Path) -> None:
    mires = by_key(list(read_fp7(data / FP7 / "fp7_test_projects.csv")), "287711")
    project = mires.project
    assert mires.line == 2
    assert mires.aliases == ["cordis:rcn-100794"]
    assert (project.id, project.acronym, project.title) == (
        "cordis:287711",
        "MIReS",
        "Roadmap for Music Information ReSearch",
    )
    assert (project.start_date, project.end_date) == (dt.date(2011, 10, 1), dt.date(2013, 3, 31))
    assert (project.status, project.status_source) == (Status.FINISHED, "CLO")
    assert project.total_cost == Money(Decimal("642632.00"))
    assert project.eu_contribution == Money(Decimal("573000.00"))
    assert (project.fund, project.period, project.call, project.funding_scheme) == (
        "FP7",
        "2007-2013",
        "FP7-ICT-2011-7",
        "CSA",
    )
    assert (project.programme_code, project.programme) == (
        "FP7-ICT",
        "Cooperation - Information and Communication Technologies",
    )
    assert project.summary and project.summary.startswith("The field of Music Information Retrieval (MIR)")
    assert project.raw["ecMaxContribution"] == "573000.00"


def test_fp7_statuses_and_programmes_follow_the_call(data: Path) -> None:
    items = list(read_fp7(data / FP7 / "fp7_test_projects.csv"))
    bilbrain = by_key(items, "328671").project
    assert (bilbrain.status, bilbrain.status_source, bilbrain.programme_code) == (
        Status.CANCELLED,
        "CAN",
        "FP7-PEOPLE",
    )
    erc = [r.project for r in records(items) if r.project.call and r.project.call.startswith("ERC-")]
    assert len(erc) == 19
    assert {(p.programme_code, p.programme) for p in erc} == {("FP7-IDEAS-ERC", "European Research Council (ERC)")}
    # amounts published without decimals or with one stay exact
    assert by_key(items, "333938").project.eu_contribution == Money(Decimal(100000))


def test_fp7_rows_with_an_impossible_date_or_too_few_fields_are_rejected_a_negative_amount_left_out(
    tmp_path: Path,
) -> None:
    good = '"1";"GOOD";"ONG";"T";"2012-01-01";"2013-12-31";"100";"90";"FP7";"FP7-ICT-2011-7";"CSA";"";"O";"";"5"'
    bad_date = '"2";"BAD";"ONG";"T";"2013-02-30";"2013-12-31";"100";"90";"FP7";"FP7-ICT-2011-7";"CSA";"";"O";"";"6"'
    negative = '"3";"NEG";"ONG";"T";"2012-01-01";"2013-12-31";"100";"-90";"FP7";"FP7-ICT-2011-7";"CSA";"";"O";"";"7"'
    short = '"4";"SHORT";"ONG"'
    fp6 = '"5";"OLD";"CLO";"T";"2005-01-01";"2006-12-31";"100";"90";"FP6";"X";"IP";"";"O";"";"8"'
    items = list(read_fp7(write(tmp_path / "fp7.csv", FP7_HEADER, good, bad_date, negative, short, fp6, bom=True)))
    assert [r.key for r in records(items)] == ["1", "3"]
    negative = by_key(items, "3").project
    assert (negative.acronym, negative.total_cost, negative.eu_contribution) == ("NEG", Money(Decimal(100)), None)
    assert negative.raw["ecMaxContribution"] == "-90"
    assert [(f.code, f.message) for f in negative.flags] == [
        ("invalid_amount", "column 'ecMaxContribution': -90 is negative; left out")
    ]
    found = {r.line: r.reason for r in rejects(items)}
    assert set(found) == {3, 5, 6}
    assert "startDate" in found[3] and "2013-02-30" in found[3]
    assert "3 fields" in found[5]
    assert "frameworkProgramme" in found[6] and "FP6" in found[6]


def test_an_fp7_file_without_its_required_columns_is_a_source_error(tmp_path: Path) -> None:
    path = write(tmp_path / "fp7.csv", '"id";"acronym";"title"', '"1";"A";"B"')
    with pytest.raises(SourceError, match="missing required column"):
        list(read_fp7(path))


# --- H2020, 2019 layout ----------------------------------------------------------------------


def test_every_h2020_row_is_a_record(joint: list[Record | Reject], inner: list[Record | Reject]) -> None:
    # README: 1 732 and 1 534 rows, one project each, no repeated grant id.
    for items, count in ((joint, 1732), (inner, 1534)):
        assert len(records(items)) == count
        assert rejects(items) == []
        assert len({r.key for r in records(items)}) == count
    statuses = Counter(r.project.status_source for r in records(joint))
    assert statuses == {"SIGNED": 1185, "CLOSED": 526, "TERMINATED": 21}
    assert {r.project.status for r in records(joint) if r.project.status_source == "TERMINATED"} == {Status.CANCELLED}


def test_an_h2020_project_keeps_programme_topic_money_and_coordinator(joint: list[Record | Reject]) -> None:
    naima = by_key(joint, "875629")
    project = naima.project
    assert (naima.line, naima.aliases) == (2, ["cordis:rcn-225983"])
    assert project.title == (
        "NA ION MATERIALS AS ESSENTIAL COMPONENTS TO MANUFACTURE ROBUST BATTERY CELLS FOR NON-AUTOMOTIVE APPLICATIONS"
    )
    assert (project.start_date, project.end_date) == (dt.date(2019, 12, 1), dt.date(2022, 11, 30))
    assert (project.status, project.fund, project.period) == (Status.ONGOING, "H2020", "2014-2020")
    assert (project.programme_code, project.programme) == ("H2020-EU.2.1.3.", "Advanced materials")
    assert project.raw["programme"] == "H2020-EU.2.1.3.;H2020-EU.2.1.2."
    assert (project.topic, project.call, project.funding_scheme) == ("LC-BAT-2-2019", "H2020-LC-BAT-2019", "RIA")
    assert project.total_cost == project.eu_contribution == Money(Decimal("7999897.03"))
    lead = project.lead
    assert lead is not None
    assert (lead.organisation.name, lead.organisation.country, lead.order) == ("TIAMAT", "FR", 0)
    # 14 participants but 8 distinct participant countries: the countries cannot be paired
    partners = [p for p in project.participations if p.role is Role.PARTNER]
    assert len(partners) == 14
    assert partners[0].organisation.name == "BIOKOL SVERIGE AB"
    assert {p.organisation.country for p in partners} == {None}


def test_participant_countries_pair_up_when_the_lists_are_as_long(joint: list[Record | Reject]) -> None:
    project = by_key(joint, "825999").project
    assert project.acronym == "Bac-To-Fuel"
    assert [(p.organisation.name, p.organisation.country, p.role, p.order) for p in project.participations] == [
        ("UNIVERSIDAD DE SANTIAGO DE COMPOSTELA", "ES", Role.LEAD, 0),
        ("VLAAMSE INSTELLING VOOR TECHNOLOGISCH ONDERZOEK N.V.", "BE", Role.PARTNER, 1),
        ("NANOGAP SUB-NM-POWDER SA", "ES", Role.PARTNER, 2),
        ("TECHNISCHE UNIVERSITAT BERLIN", "DE", Role.PARTNER, 3),
        ("UNIVERSITY OF LANCASTER", "GB", Role.PARTNER, 4),
        ("WAGENINGEN UNIVERSITY", "NL", Role.PARTNER, 5),
    ]
    assert project.participations[4].organisation.country_raw == "UK"
    # README: participants are listed for 855 projects; the lists pair up in 129 of them
    with_partners = [r.project for r in records(joint) if len(r.project.participations) > 1]
    assert len(with_partners) == 855
    paired = [p for p in with_partners if all(x.organisation.country for x in p.participations)]
    assert len(paired) == 129


def test_mojibake_of_the_inner_table_is_repaired(inner: list[Record | Reject]) -> None:
    project = by_key(inner, "723747").project
    assert project.title == "Proactive synergy of inteGrated Efficient Technologies on buildings’ Envelopes"
    skeleton = by_key(inner, "652411").project
    assert skeleton.participations[0].organisation.name == "OÜ Skeleton Technologies"
    assert skeleton.participations[0].organisation.country == "EE"
    texts = [r.project.title or "" for r in records(inner)] + [r.project.summary or "" for r in records(inner)]
    assert not [t for t in texts if "â€" in t]


def test_the_semicolon_dump_with_decimal_commas_is_read_too(tmp_path: Path) -> None:
    header = ";".join(f'"{c}"' for c in H2020_HEADER.lstrip(",").split(","))
    cells = [
        "190000", "700001", "ACR", "CLOSED", "H2020-EU.3.4.", "MG-1-2015", "H2020", "A title", "2015-06-01",
        "2018-05-31", "", "Text", "1234567,5", "1000000,25", "H2020-MG-2015", "RIA", "UNI", "UK", "ORG A;ORG B",
        "DE", "",
    ]  # fmt: skip
    row = ";".join(f'"{c}"' for c in cells)
    path = write(tmp_path / "cordis-h2020projects.csv", header, row)
    assert detect(path).name == "cordis-h2020-projects-2019"
    [record] = records(list(read_h2020(path)))
    project = record.project
    assert project.total_cost == Money(Decimal("1234567.5"))
    assert project.eu_contribution == Money(Decimal("1000000.25"))
    assert project.programme == "Smart, Green And Integrated Transport"
    # 2 participants, 1 country: not paired
    assert [(p.organisation.name, p.organisation.country) for p in project.participations] == [
        ("UNI", "GB"),
        ("ORG A", None),
        ("ORG B", None),
    ]


def test_h2020_bad_rows_are_rejected_naming_line_and_column(tmp_path: Path) -> None:
    def row(grant: str, start: str, total: str) -> str:
        return (
            f"0,1,{grant},A,SIGNED,H2020-EU.1.1.,ERC-2014-STG,H2020,T,{start},2020-01-31,,O,{total},1,C,ERC-STG,U,FR,,,"
        )

    items = list(
        read_h2020(
            write(
                tmp_path / "joint.csv",
                H2020_HEADER,
                row("700001", "2015-02-01", "10.0"),
                row("700002", "2015-13-01", "10.0"),
                row("700003", "2015-02-01", "-10.0"),
                row("x7", "2015-02-01", "10.0"),
                "0,1,2",
            )
        )
    )
    assert [r.key for r in records(items)] == ["700001", "700003"]
    negative = by_key(items, "700003").project
    assert negative.total_cost is None and negative.start_date == dt.date(2015, 2, 1)
    assert [f.code for f in negative.flags] == ["invalid_amount"] and "totalCost" in negative.flags[0].message
    found = {r.line: r.reason for r in rejects(items)}
    assert set(found) == {3, 5, 6}
    assert "startDate" in found[3] and "2015-13-01" in found[3]
    assert "'id'" in found[5] and "x7" in found[5]
    assert "3 fields" in found[6]


def test_an_h2020_file_without_its_columns_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="missing required column"):
        list(read_h2020(write(tmp_path / "joint.csv", ",rcn,id,acronym", "0,1,2,A")))
    with pytest.raises(SourceError, match="empty"):
        list(read_h2020(write(tmp_path / "empty.csv", "")))


# --- tech.csv --------------------------------------------------------------------------------


def test_every_tech_row_is_a_record_with_repaired_text(tech: list[Record | Reject]) -> None:
    # README: 2 052 rows, 1 026 with mojibake
    assert (len(records(tech)), len(rejects(tech))) == (2052, 0)
    stemm = by_key(tech, "654462").project
    assert (stemm.id, stemm.acronym) == ("cordis:654462", "STEMM-CCS")
    assert stemm.title == "Strategies for Environmental Monitoring of Marine Carbon Capture and Storage"
    assert stemm.summary and "the world’s first commercial scale" in stemm.summary
    assert (stemm.start_date, stemm.end_date) == (dt.date(2016, 3, 1), dt.date(2020, 2, 29))
    assert stemm.eu_contribution == Money(Decimal("15918369.0"))
    assert (stemm.fund, stemm.period, stemm.programme) == ("H2020", "2014-2020", "Horizon 2020")
    # the matched technology terms are keyword hits, not themes
    assert not [r for r in records(tech) if r.project.themes]
    assert not [r for r in records(tech) if "â€" in (r.project.summary or "") + (r.project.title or "")]


def test_tech_rows_with_a_bad_date_are_rejected(tmp_path: Path) -> None:
    good = "0,654462,A,T,O,2016-03-01,2020-02-29,1.0,[],[],0,0"
    bad = "1,654463,B,T,O,2016-03-01,2020-02-30,1.0,[],[],0,0"
    items = list(read_tech(write(tmp_path / "tech.csv", TECH_HEADER, good, bad)))
    [reject] = rejects(items)
    assert reject.line == 3 and "endDate" in reject.reason and "2020-02-30" in reject.reason


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "name", "expected"),
    [
        (FP7, "fp7_test_projects.csv", "cordis-fp7-projects"),
        (FP7, "fp7_projects_shortened.csv", "cordis-fp7-projects"),
        (CLEANTECH, "cleantechtag_joint_results.csv", "cordis-h2020-projects-2019"),
        (CLEANTECH, "inner_table.csv", "cordis-h2020-projects-2019"),
        (CLEANTECH, "tech.csv", "cordis-h2020-tech"),
    ],
)
def test_detected_by_content_and_by_no_other_format(data: Path, folder: str, name: str, expected: str) -> None:
    path = data / folder / name
    assert detect(path).name == expected  # detect() refuses a file two formats accept
    head = Head(path)
    assert [f.name for f in formats() if f.detect(head)] == [expected]


def test_detection_does_not_depend_on_the_file_name(data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "export.txt"
    copy.write_bytes((data / FP7 / "fp7_test_projects.csv").read_bytes())
    assert detect(copy).name == "cordis-fp7-projects"
    copy.write_bytes((data / CLEANTECH / "tech.csv").read_bytes())
    assert detect(copy).name == "cordis-h2020-tech"
