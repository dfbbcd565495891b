import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Flag, Money, Project, Record, Reject, Role, Status
from euprojects.sources import detect
from euprojects.sources.base import Head, SourceError
from euprojects.sources.operations.fi import FORMATS, read

FILE = "structural-funds-os-data/FI_ERDF_2014-2020_projektilista.original.csv"
HEADER = (
    "Koodi,Rahasto,Hankkeen nimi,Tl,Viranomainen,Tila,Aloituspvm,Päättymispvm,Toteuttajan nimi,"
    "Myönnetty EU- ja valtion rahoitus,Toteutunut EU- ja valtion rahoitus,"
    "Suunniteltu julkinen rahoitus yhteensä,Toteutunut julkinen rahoitus yhteensä;"
)


# Lines whose dates, beneficiary and amounts are shifted: what follows the status word, as the
# file writes it, and what is read from it (start, end, beneficiary, granted, planned; None when
# the line does not give it).
SHIFTED = {
    # a date among the amounts: the start column repeats the end date
    "A70355": (
        56,
        "31.12.2015,31.12.2015,AIMO KORTTEEN KONEPAJA OY,100000,15.10.2014, 100000,93277,, ;",
        "2014-10-15",
        "2015-12-31",
        "AIMO KORTTEEN KONEPAJA OY",
        "100000",
        "100000",
    ),
    "A70366": (
        67,
        "31.12.2016,31.12.2016,EHP-TEKNIIKKA OY,109150,17.10.2014, 109150,0,, ;",
        "2014-10-17",
        "2016-12-31",
        "EHP-TEKNIIKKA OY",
        "109150",
        "109150",
    ),
    # three amounts after a beneficiary with a comma
    "A70356": (
        57,
        "4.9.2014,31.5.2015,MIKKELIN KUNTOPALVELU, AVOIN YHTIÖ,15660,15660,15660,,;",
        "2014-09-04",
        "2015-05-31",
        "MIKKELIN KUNTOPALVELU, AVOIN YHTIÖ",
        None,
        None,
    ),
    # the granted amount in the start column, and again after an empty field
    "A70359": (
        60,
        "425180,31.12.2015,H-EQUITY OY, ,425180,425180,425180, ,;",
        None,
        "2015-12-31",
        "H-EQUITY OY",
        "425180",
        "425180",
    ),
    "A70378": (
        79,
        "292990,22.6.2016,HOTEL AURORA OY, ,292990,246104,292990, ,;",
        None,
        "2016-06-22",
        "HOTEL AURORA OY",
        "292990",
        "292990",
    ),
    "A70447": (
        148,
        "7560,31.12.2016,SALLA HOLIDAYS & SERVICES OY, ,7560,0,7560, ,;",
        None,
        "2016-12-31",
        "SALLA HOLIDAYS & SERVICES OY",
        "7560",
        "7560",
    ),
    "A70470": (
        171,
        "41370,30.6.2017,MECATROPLAN OY, ,41370,12409,41370, ,;",
        None,
        "2017-06-30",
        "MECATROPLAN OY",
        "41370",
        "41370",
    ),
    "A70491": (
        192,
        "39500,31.1.2016,RIIHIMÄEN RITEMA OY, ,39500,39500,39500, ,;",
        None,
        "2016-01-31",
        "RIIHIMÄEN RITEMA OY",
        "39500",
        "39500",
    ),
    "A70646": (
        947,
        "70000,30.6.2016,OY M-FILTER AB, ,70000,0,70000, ,;",
        None,
        "2016-06-30",
        "OY M-FILTER AB",
        "70000",
        "70000",
    ),
    "A70654": (955, "88100,30.1.2017,ATEXON OY, ,88100,0,88100, ,;", None, "2017-01-30", "ATEXON OY", "88100", "88100"),
    "A70689": (
        990,
        "22425,31.5.2016,KARIMAKI COACHING OY, ,22425,0,22425, ,;",
        None,
        "2016-05-31",
        "KARIMAKI COACHING OY",
        "22425",
        "22425",
    ),
    "A70690": (
        991,
        "101830,30.9.2016,AURELIA TURBINES OY, ,101830,0,101830, ,;",
        None,
        "2016-09-30",
        "AURELIA TURBINES OY",
        "101830",
        "101830",
    ),
    "A71349": (
        1048,
        "179270,31.12.2016,X PAKKA OY, ,179270,177266,179270, ,;",
        None,
        "2016-12-31",
        "X PAKKA OY",
        "179270",
        "179270",
    ),
}
# Lines where the last words of the name stand after the axis, glued to a known authority: the
# line's start as the file writes it, the title and the authority read from it.
NAME_AFTER_AXIS = {
    "A70408": (
        109,
        "Viennin käynnistäminen pohjoismaihin | Norja ,1, Ruotsi Pohjois-Pohjanmaan elinkeino-  liikenne-",
        "Viennin käynnistäminen pohjoismaihin, Norja, Ruotsi",
        "Pohjois-Pohjanmaan elinkeino-  liikenne- ja ympäristökeskus",
    ),
    "A70423": (
        124,
        "Kasvun | kilpailukyvyn,1, sekä energia- ja resurssitehokkuuden edistäminen Keski-Suomen elinkeino-",
        "Kasvun, kilpailukyvyn, sekä energia- ja resurssitehokkuuden edistäminen",
        "Keski-Suomen elinkeino-  liikenne- ja ympäristökeskus",
    ),
    "A70452": (
        153,
        "Nocart Oy | markkinatutkimus Lähi-idän ja Persianlahden alueella ¿ markkinat yrityksen tuotteille,1,"
        " analyysi markkinoille tulosta ja alustavan tuotestrategian valmistelu Hämeen elinkeino-",
        "Nocart Oy, markkinatutkimus Lähi-idän ja Persianlahden alueella – markkinat yrityksen tuotteille,"
        " analyysi markkinoille tulosta ja alustavan tuotestrategian valmistelu",
        "Hämeen elinkeino-  liikenne- ja ympäristökeskus",
    ),
}


def flag(project: Project) -> str:
    return {f.code: f.message for f in project.flags}["columns_recovered"]


def check_shifted(data: Path, *codes: str) -> None:
    """Each line ends, after its status word, as the file writes it, and what is read from it is
    those values in their columns (the raw values keep what they were read from)."""
    text = (data / FILE).read_text(encoding="utf-8").split("\n")
    found = records(data / FILE)
    for code in codes:
        line, tail, start, end, beneficiary, granted, planned = SHIFTED[code]
        assert text[line - 1].startswith(code + ",") and text[line - 1].endswith(",Toiminnassa," + tail), code
        record = found[code]
        project = record.project
        dates = tuple(d.isoformat() if d else None for d in (project.start_date, project.end_date))
        assert (record.line, dates) == (line, (start, end)), code
        assert [p.organisation.name for p in project.participations] == [beneficiary], code
        amounts = tuple(str(m.amount) if m else None for m in (project.eu_contribution, project.total_cost))
        assert amounts == (granted, planned), code
        assert flag(project).startswith("The columns of this line of the list are shifted: "), code


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
    assert all(isinstance(item, Record) for item in found)
    # 16 lines read back from shifted columns, and one whose beneficiary column holds a number
    recovered = {
        i.key for i in found if isinstance(i, Record) and "columns_recovered" in {f.code for f in i.project.flags}
    }
    assert recovered == SHIFTED.keys() | NAME_AFTER_AXIS.keys() | {"A70305"}


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


def test_lines_with_a_date_among_the_amounts_take_it_as_their_start(data: Path) -> None:
    """The start column repeats the end date; the start date stands in the 'paid' column."""
    check_shifted(data, "A70355", "A70366")
    project = records(data / FILE)["A70355"].project
    assert project.raw["Toteutunut EU- ja valtion rahoitus"] == "15.10.2014"  # what that column held
    assert "Toteutunut julkinen rahoitus yhteensä" in project.raw  # the realised amount, in its place


def test_lines_with_an_amount_in_the_start_column_read_their_amounts_back_one_column(data: Path) -> None:
    codes = [code for code, (_, _, start, *_) in SHIFTED.items() if start is None]
    assert len(codes) == 10
    check_shifted(data, *codes)
    for code in codes:
        project = records(data / FILE)[code].project
        raw = project.raw
        assert raw["Aloituspvm"] == raw["Myönnetty EU- ja valtion rahoitus"]  # the granted amount, twice
        assert "Toteutunut julkinen rahoitus yhteensä" not in raw  # not on the line
        # read one column to the left, nothing paid exceeds what was planned (as on every sound line)
        assert Decimal(raw["Toteutunut EU- ja valtion rahoitus"]) <= Decimal(
            raw["Suunniteltu julkinen rahoitus yhteensä"]
        )


def test_a_line_short_of_an_amount_reads_none_of_them(data: Path) -> None:
    check_shifted(data, "A70356")
    project = records(data / FILE)["A70356"].project
    assert (project.eu_contribution, project.total_cost) == (None, None)
    assert project.raw["amounts (columns not known)"] == "15660, 15660, 15660"
    assert "3 amounts (15660, 15660, 15660)" in flag(project)


def test_name_words_after_the_axis_go_back_to_the_name(data: Path) -> None:
    text = (data / FILE).read_text(encoding="utf-8").split("\n")
    found = records(data / FILE)
    for code, (line, published, title, authority) in NAME_AFTER_AXIS.items():
        assert text[line - 1].startswith(f"{code},EAKR,{published}"), code
        project = found[code].project
        assert (found[code].line, project.title, project.raw["Viranomainen"]) == (line, title, authority)
        assert "joined back to the name" in flag(project)


def test_a_shifted_line_of_another_shape_stays_rejected(tmp_path: Path) -> None:
    front = "A7999{n},EAKR,Hanke {n},2,Lapin liitto,Toiminnassa,"
    lines = [
        front.format(n=1) + "1.1.2015,31.12.2016,Oy Testi Ab,100,0,100,0,,;",
        # three different dates: which is the start is not certain
        front.format(n=2) + "1.1.2015,31.12.2016,Oy Testi Ab,100,1.3.2015,100,0,,;",
        # the amount in the start column is not the one after the empty field
        front.format(n=3) + "999,31.12.2016,Oy Testi Ab, ,100,0,100, ,;",
        # the same shapes, certain
        front.format(n=4) + "31.12.2016,31.12.2016,Oy Testi Ab,100,1.3.2015,100,0,,;",
        front.format(n=5) + "100,31.12.2016,Oy Testi Ab, ,100,0,100, ,;",
    ]
    found = items(write(tmp_path / "fi.csv", *lines))
    assert [(item.line, item.reason) for item in found if isinstance(item, Reject)] == [
        (
            3,
            "column 'Toteutunut EU- ja valtion rahoitus': '1.3.2015' is not an amount: the line does not end in "
            "the four amounts, its columns are shifted",
        ),
        (
            4,
            "column 'Myönnetty EU- ja valtion rahoitus': ' ' is not an amount: the line does not end in "
            "the four amounts, its columns are shifted",
        ),
    ]
    fourth, fifth = (item.project for item in found if isinstance(item, Record) and item.key in ("A79994", "A79995"))
    assert (fourth.start_date, fourth.end_date) == (dt.date(2015, 3, 1), dt.date(2016, 12, 31))
    assert (fifth.start_date, fifth.eu_contribution, fifth.total_cost) == (
        None,
        Money(Decimal(100), "EUR"),
        Money(Decimal(100), "EUR"),
    )


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
