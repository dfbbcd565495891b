import datetime as dt
import gzip
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from euprojects.model import Money, Record, Reject, Role
from euprojects.sources import detect, formats, plan
from euprojects.sources.base import Head, SourceError
from euprojects.sources.cordis.participations import BUILT_IN_PARTS, parse_programmes_yml, read, read_parts

FOLDER = "cordis-h2020-participations-derived"
HEADER = (
    "rcn,role,pic,type,contribution,country,start_date,end_date,max_contribution,total_cost,start_year,end_year,"
    "duration,group,nunique"
)


def records(items: list[Record | Reject]) -> list[Record]:
    return [item for item in items if isinstance(item, Record)]


def rejects(items: list[Record | Reject]) -> list[Reject]:
    return [item for item in items if isinstance(item, Reject)]


def gz(path: Path, *lines: str) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def participations(data: Path) -> list[Record | Reject]:
    return list(read(data / FOLDER / "h2020.csv.gz"))


@pytest.fixture(scope="module")
def parts(data: Path) -> list[Record | Reject]:
    return list(read_parts(data / FOLDER / "programme_parts.csv.gz"))


def test_every_participation_is_a_record(participations: list[Record | Reject]) -> None:
    # README: 144 726 participations of 31 451 projects; no rcn/pic/role repeats in the file
    found = records(participations)
    assert (len(found), len(rejects(participations))) == (144_726, 0)
    assert len({r.project.id for r in found}) == 31_451
    assert len({r.key for r in found}) == 144_726
    assert Counter((p.role, p.role_raw) for r in found for p in r.project.participations) == {
        (Role.LEAD, "coordinator"): 31_476,
        (Role.PARTNER, "participant"): 106_108,
        (Role.ASSOCIATED, "partner"): 7_142,
    }


def test_a_coordinator_row_keeps_pic_type_country_and_money(participations: list[Record | Reject]) -> None:
    [record] = [r for r in records(participations) if r.key == "221856/984516342/coordinator"]
    assert record.line == 3
    project = record.project
    assert (project.id, project.fund, project.period, project.programme) == (
        "cordis:rcn-221856",
        "H2020",
        "2014-2020",
        None,  # named by the programme-parts table (same priority, earlier format name would win)
    )
    assert (project.start_date, project.end_date) == (dt.date(2019, 5, 1), dt.date(2022, 4, 30))
    assert project.eu_contribution == Money(Decimal(2927875))
    assert project.total_cost == Money(Decimal(2928125))
    [lead] = project.participations
    assert (lead.role, lead.order, lead.eu_contribution) == (Role.LEAD, 1, Money(Decimal(376750)))
    org = lead.organisation
    assert (org.id, org.name, org.country, org.type, org.identifiers) == (
        "pic:984516342",
        None,
        "ES",
        "PRC",
        {"pic": "984516342"},
    )
    assert project.raw["contribution[984516342/coordinator]"] == "376750"
    assert project.raw["max_contribution"] == "2927875"


def test_na_is_missing_except_for_namibia(participations: list[Record | Reject]) -> None:
    found = records(participations)
    partners = [r for r in found if r.project.participations[0].role is Role.ASSOCIATED]
    assert {r.project.participations[0].eu_contribution for r in partners} == {None}
    # README: 11 NA countries. All are third countries ('tc'): they are Namibia, not missing.
    namibia = [r for r in found if r.project.participations[0].organisation.country == "NA"]
    assert len(namibia) == 11
    assert not [r for r in found if r.project.participations[0].organisation.country is None]
    undated = [r.project.id for r in found if r.project.start_date is None]
    assert len(undated) == 7  # README: 7 rows with start_date NA, of 6 projects
    assert len(set(undated)) == 6 and "cordis:rcn-194830" in undated
    eu_codes = Counter(
        (org.country, org.country_raw)
        for r in found
        if (org := r.project.participations[0].organisation).country_raw is not None
    )
    assert eu_codes == {("GB", "UK"): 15_292, ("GR", "EL"): 4_530}


def test_rows_of_a_project_are_ordered_as_in_the_file(participations: list[Record | Reject]) -> None:
    first = [r for r in records(participations)[:12] if r.project.id == "cordis:rcn-221856"]
    assert [r.project.participations[0].order for r in first] == list(range(len(first)))


def test_repeated_keys_are_kept_apart_unless_the_rows_are_identical(tmp_path: Path) -> None:
    row = "100,participant,999999999,HES,1000,DE,2016-01-01,2018-12-31,5000,5000,2016,2018,36,eu15,2"
    other = "100,participant,999999999,HES,2000,DE,2016-01-01,2018-12-31,5000,5000,2016,2018,36,eu15,2"
    lead = "100,coordinator,888888888,REC,3000,FR,2016-01-01,2018-12-31,5000,5000,2016,2018,36,eu15,2"
    items = list(read(gz(tmp_path / "h2020.csv.gz", HEADER, row, lead, row, other)))
    assert [(r.key, r.project.participations[0].order) for r in records(items)] == [
        ("100/999999999/participant", 0),
        ("100/888888888/coordinator", 1),
        ("100/999999999/participant", 0),  # the same row again: a duplicate
        ("100/999999999/participant#2", 2),  # a different row under the same key
    ]


def test_bad_rows_are_rejected_naming_line_and_column(tmp_path: Path) -> None:
    good = "100,participant,999999999,HES,1000,DE,2016-01-01,2018-12-31,5000,5000,2016,2018,36,eu15,2"
    items = list(
        read(
            gz(
                tmp_path / "h2020.csv.gz",
                HEADER,
                good,
                good.replace("1000,DE", "-1000,DE"),
                good.replace("2018-12-31", "2018-02-31"),
                good.replace("participant", "observer"),
                good.replace("999999999", "12345"),
                "100,participant,999999999",
            )
        )
    )
    kept = records(items)
    assert [r.line for r in kept] == [2, 3]  # a negative contribution costs only itself
    negative = kept[1].project
    assert negative.participations[0].eu_contribution is None and negative.eu_contribution is not None
    assert negative.raw["contribution[999999999/participant]"] == "-1000"
    assert [f.code for f in negative.flags] == ["invalid_amount"]
    assert "'contribution'[999999999/participant]: -1000 is negative" in negative.flags[0].message
    found = {r.line: r.reason for r in rejects(items)}
    assert "end_date" in found[4] and "2018-02-31" in found[4]
    assert "role" in found[5] and "observer" in found[5]
    assert "pic" in found[6] and "12345" in found[6]
    assert "3 fields" in found[7]


def test_a_file_without_its_columns_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="missing required column"):
        list(read(gz(tmp_path / "h2020.csv.gz", "rcn,role,pic", "1,coordinator,999999999")))
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    with pytest.raises(SourceError):
        list(read(broken))


# --- programme parts -------------------------------------------------------------------------


def test_every_programme_part_row_is_a_record(parts: list[Record | Reject]) -> None:
    # README: 37 441 rows; they name 31 348 projects (104 projects of h2020.csv have none)
    found = records(parts)
    assert (len(found), len(rejects(parts))) == (37_441, 0)
    assert len({r.project.id for r in found}) == 31_348
    assert len({r.key for r in found}) == 37_441
    assert Counter(r.project.programme_code for r in found)["H2020-EU.1.3."] == 9_976


def test_a_part_becomes_programme_and_code_not_a_theme(parts: list[Record | Reject]) -> None:
    [sc4] = [r for r in records(parts) if r.key == "221856/SC4"]
    assert (sc4.line, sc4.project.id) == (2, "cordis:rcn-221856")
    assert (sc4.project.programme, sc4.project.programme_code) == (
        "Smart, Green And Integrated Transport",
        "H2020-EU.3.4.",
    )
    assert (sc4.project.fund, sc4.project.period, sc4.project.themes) == ("H2020", "2014-2020", [])
    several = [r.project.programme_code for r in records(parts) if r.project.id == "cordis:rcn-213719"]
    assert several == ["H2020-EU.3.4.", "H2020-EU.2.1.", "H2020-EU.2.3."]


def test_the_companion_is_parsed_and_agrees_with_the_built_in_table(data: Path) -> None:
    parsed = parse_programmes_yml((data / FOLDER / "cordis-programmes.yml").read_text(encoding="utf-8"))
    assert parsed == BUILT_IN_PARTS


def test_the_companion_decides_and_the_built_in_table_stands_in(data: Path, tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(data / FOLDER / "programme_parts.csv.gz", alone)
    without = records(list(read_parts(alone / "programme_parts.csv.gz")))
    assert len(without) == 37_441 and without[0].project.programme_code == "H2020-EU.3.4."

    (alone / "cordis-programmes.yml").write_text('SC4:\n- "H2020-EU.3.4.7."\n', encoding="utf-8")
    first = records(list(read_parts(alone / "programme_parts.csv.gz")))[0]
    assert (first.project.programme_code, first.project.programme) == (
        "H2020-EU.3.4.7.",  # SESAR, a part of societal challenge 4, named by the challenge
        "Smart, Green And Integrated Transport",
    )

    (alone / "cordis-programmes.yml").write_text("SC4: [H2020-EU.3.4.]\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"cordis-programmes\.yml"):
        list(read_parts(alone / "programme_parts.csv.gz"))


def test_an_unknown_part_is_rejected(tmp_path: Path) -> None:
    items = list(read_parts(gz(tmp_path / "programme_parts.csv.gz", "rcn,programme_part", "1,SC4", "2,SC9", "x,ERC")))
    assert [r.key for r in records(items)] == ["1/SC4"]
    found = {r.line: r.reason for r in rejects(items)}
    assert "programme_part" in found[3] and "SC9" in found[3]
    assert "rcn" in found[4]


def test_detected_by_content_and_by_no_other_format(data: Path) -> None:
    for name, expected in (
        ("h2020.csv.gz", "cordis-h2020-participations"),
        ("programme_parts.csv.gz", "cordis-h2020-programme-parts"),
    ):
        path = data / FOLDER / name
        assert detect(path).name == expected
        assert [f.name for f in formats() if f.detect(Head(path))] == [expected]
    companion = data / FOLDER / "cordis-programmes.yml"
    assert not [f.name for f in formats() if f.detect(Head(companion))]
    [planned] = plan([companion])
    assert planned.format is None and planned.skipped  # never ingested on its own
    skipped = {p.path.name: p.skipped for p in plan([data / FOLDER])}
    assert skipped["cordis-programmes.yml"] and "programme-parts" in skipped["cordis-programmes.yml"]
