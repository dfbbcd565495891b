from collections import Counter
from pathlib import Path

import pytest

from euprojects.model import Link, Record, Reject
from euprojects.sources import detect, formats
from euprojects.sources.base import Head, SourceError
from euprojects.sources.cordis.reference import framework_of_topic, read_legal_basis, read_topics, read_web_items

FOLDER = "cordis-reference"


def records(items: list[Record | Reject]) -> list[Record]:
    return [item for item in items if isinstance(item, Record)]


def rejects(items: list[Record | Reject]) -> list[Reject]:
    return [item for item in items if isinstance(item, Reject)]


def by_key(items: list[Record | Reject], key: str) -> Record:
    [record] = [r for r in records(items) if r.key == key]
    return record


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def h2020_topics(data: Path) -> list[Record | Reject]:
    return list(read_topics(data / FOLDER / "h2020_topics.csv"))


@pytest.fixture(scope="module")
def horizon_topics(data: Path) -> list[Record | Reject]:
    return list(read_topics(data / FOLDER / "horizon_topics.csv"))


@pytest.fixture(scope="module")
def legal_basis(data: Path) -> list[Record | Reject]:
    return list(read_legal_basis(data / FOLDER / "horizon_legalBasis.csv"))


# --- topics ----------------------------------------------------------------------------------


def test_every_topic_row_is_a_record_of_its_framework(
    h2020_topics: list[Record | Reject], horizon_topics: list[Record | Reject]
) -> None:
    # README: 35 389 and 15 341 rows, one per project
    for items, count, fund, period in (
        (h2020_topics, 35_389, "H2020", "2014-2020"),
        (horizon_topics, 15_341, "HORIZON", "2021-2027"),
    ):
        found = records(items)
        assert (len(found), len(rejects(items)), len({r.key for r in found})) == (count, 0, count)
        assert {(r.project.fund, r.project.period) for r in found} == {(fund, period)}
    # H2020 ids went past 101000000: the id alone cannot tell the two files apart
    assert sum(len(r.key) == 9 for r in records(h2020_topics)) == 3_536


def test_a_topic_keeps_its_code_and_title(
    h2020_topics: list[Record | Reject], horizon_topics: list[Record | Reject]
) -> None:
    first = by_key(h2020_topics, "870232")
    assert (first.line, first.project.id, first.project.topic, first.project.topic_title) == (
        2,
        "cordis:870232",
        "IBA-SWAFS-EURAXESS-GE-2019",
        "EURAXESS Georgia start-up",
    )
    label = by_key(h2020_topics, "674923").project
    assert (label.topic, label.topic_title) == ("SCIENCE WAF SOCIETY", None)  # the title only repeated the code
    erc = by_key(horizon_topics, "101116741").project
    assert (erc.topic, erc.topic_title, erc.fund) == ("ERC-2023-STG", "ERC STARTING GRANTS", "HORIZON")
    assert erc.programme is None  # topics say nothing of the programme part


def test_the_framework_is_told_by_the_topic_code() -> None:
    assert framework_of_topic("HORIZON-CL5-2021-D3-01-01")[0] == "HORIZON"
    assert framework_of_topic("ERC-2021-COG")[0] == "HORIZON"
    assert framework_of_topic("ERC-2020-STG")[0] == "H2020"
    assert framework_of_topic("EURATOM")[0] == "H2020"
    assert framework_of_topic("EURATOM-2021-NRT-01-01")[0] == "HORIZON"


def test_bad_topic_rows_are_rejected_and_a_missing_column_is_a_source_error(tmp_path: Path) -> None:
    items = list(
        read_topics(
            write(
                tmp_path / "topics.csv",
                '"projectID";"topic";"title"',
                '"101000001";"HORIZON-X";"A topic"',
                '"ABC";"HORIZON-X";"A topic"',
                '"101000002";"";"A topic"',
                '"101000003";"HORIZON-X"',
            )
        )
    )
    assert [r.key for r in records(items)] == ["101000001"]
    found = {r.line: r.reason for r in rejects(items)}
    assert "projectID" in found[3] and "ABC" in found[3]
    assert "topic" in found[4]
    assert "2 fields" in found[5]
    with pytest.raises(SourceError, match="missing required column"):
        list(read_topics(write(tmp_path / "t.csv", '"projectID";"topic"', '"1";"X"')))


# --- legal basis -----------------------------------------------------------------------------


def test_every_legal_basis_row_is_a_record(legal_basis: list[Record | Reject]) -> None:
    # README: 20 512 rows of 15 341 projects; 5 171 extra rows beside the unique programme part
    found = records(legal_basis)
    assert (len(found), len(rejects(legal_basis))) == (20_512, 0)
    assert len({r.project.id for r in found}) == 15_341
    with_programme = [r for r in found if r.project.programme]
    assert len(with_programme) == 15_341
    assert len({r.project.id for r in with_programme}) == 15_341
    assert {(r.project.fund, r.project.period) for r in found} == {("HORIZON", "2021-2027")}


def test_the_unique_part_is_the_programme_and_thematic_parts_are_themes(legal_basis: list[Record | Reject]) -> None:
    rows = [r for r in records(legal_basis) if r.project.id == "cordis:101121171"]
    assert [(r.key, r.project.programme_code, r.project.programme, r.project.themes) for r in rows] == [
        ("101121171/HORIZON.2.3.1", None, None, ["Disaster-Resilient Societies"]),
        ("101121171/HORIZON.2.3.2", None, None, ["Protection and Security"]),
        ("101121171/HORIZON.2.3", "HORIZON.2.3", "Civil Security for Society", ["Civil Security for Society"]),
    ]
    erc = records(legal_basis)[0].project
    assert (erc.programme_code, erc.programme, erc.themes) == ("HORIZON.1.1", "European Research Council (ERC)", [])
    # instruments are not themes
    themes = Counter(t for r in records(legal_basis) for t in r.project.themes)
    assert "European Research Council (ERC)" not in themes and "Twinning" not in themes
    assert themes["Climate, Energy and Mobility"] == 1_200


def test_bad_legal_basis_rows_are_rejected(tmp_path: Path) -> None:
    header = '"projectID";"legalBasis";"title";"uniqueProgrammePart"'
    items = list(
        read_legal_basis(
            write(
                tmp_path / "legalBasis.csv",
                header,
                '"101000001";"HORIZON.2.5";"Climate, Energy and Mobility";"true"',
                '"101000001";"HORIZON.2.5.2";"Energy Supply";"maybe"',
                '"101000002";"";"Nothing";"true"',
            )
        )
    )
    assert len(records(items)) == 1
    found = {r.line: r.reason for r in rejects(items)}
    assert "uniqueProgrammePart" in found[3] and "maybe" in found[3]
    assert "legalBasis" in found[4]


# --- web items -------------------------------------------------------------------------------


def test_web_items_become_links_of_the_project_in_their_path(data: Path) -> None:
    h2020 = list(read_web_items(data / FOLDER / "h2020_webItem.csv"))
    assert (len(records(h2020)), len(rejects(h2020))) == (10, 0)  # README: 10 rows
    logo = by_key(h2020, "/docs/projects/files/792/792037/215035.jpg")
    assert (logo.line, logo.project.id) == (2, "cordis:792037")
    assert logo.project.links == [
        Link(url="https://cordis.europa.eu/docs/projects/files/792/792037/215035.jpg", kind="projectLogo")
    ]
    [flyer] = by_key(h2020, "/docs/projects/files/654/654408/s2l-flyer-print-version.pdf").project.links
    assert (flyer.title, flyer.kind) == (
        "Unlimited renewable fuel supply from H2O, CO2 and solar energy",
        "relatedPrint",
    )
    assert by_key(h2020, "/docs/projects/files/101/101000236/236283.pdf").project.id == "cordis:101000236"


def test_a_web_item_whose_path_names_no_project_is_rejected(data: Path) -> None:
    # README: 4 rows; the last is a press release filed outside any project's folder
    horizon = list(read_web_items(data / FOLDER / "horizon_webItem.csv"))
    assert len(records(horizon)) == 3
    [reject] = rejects(horizon)
    assert reject.line == 5
    assert "'uri'" in reject.reason and "/docs/project/press-release-kom-before-event-def-ed-65.pdf" in reject.reason


def test_a_web_item_file_without_its_columns_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="missing required column"):
        list(read_web_items(write(tmp_path / "webItem.csv", '"language";"uri"', '"en";"/x"')))


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("h2020_topics.csv", "cordis-topics"),
        ("horizon_topics.csv", "cordis-topics"),
        ("horizon_legalBasis.csv", "cordis-legal-basis"),
        ("h2020_webItem.csv", "cordis-webitem"),
        ("horizon_webItem.csv", "cordis-webitem"),
    ],
)
def test_detected_by_content_and_by_no_other_format(data: Path, tmp_path: Path, name: str, expected: str) -> None:
    path = data / FOLDER / name
    assert detect(path).name == expected
    assert [f.name for f in formats() if f.detect(Head(path))] == [expected]
    renamed = tmp_path / "table.csv"
    renamed.write_bytes(path.read_bytes())
    assert detect(renamed).name == expected
