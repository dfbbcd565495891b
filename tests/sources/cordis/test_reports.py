import zipfile
from collections import Counter
from pathlib import Path

import pytest
import xlsxwriter

from euprojects.model import Link, Record, Reject
from euprojects.sources import by_name, formats
from euprojects.sources.base import Head, SourceError
from euprojects.sources.cordis.reports import TitleError, project_title

FOLDER = "cordis-horizon-reports-deliverables"
FILES = {
    "reportSummaries.xlsx": "cordis-report-summaries",
    "projectDeliverables.xlsx": "cordis-deliverables",
    "euroSciVoc.xlsx": "cordis-euroscivoc",
    "webLink.xlsx": "cordis-weblinks",
}


def read_all(data: Path, name: str) -> list[Record | Reject]:
    return list(by_name(FILES[name]).read(data / FOLDER / name))


def records_of(items: list[Record | Reject]) -> list[Record]:
    return [item for item in items if isinstance(item, Record)]


@pytest.fixture(scope="module")
def reports(data: Path) -> list[Record]:
    items = read_all(data, "reportSummaries.xlsx")
    assert [item for item in items if isinstance(item, Reject)] == []
    return records_of(items)


@pytest.fixture(scope="module")
def deliverables(data: Path) -> list[Record]:
    items = read_all(data, "projectDeliverables.xlsx")
    assert [item for item in items if isinstance(item, Reject)] == []
    return records_of(items)


@pytest.fixture(scope="module")
def euroscivoc(data: Path) -> list[Record]:
    items = read_all(data, "euroSciVoc.xlsx")
    assert [item for item in items if isinstance(item, Reject)] == []
    return records_of(items)


@pytest.fixture(scope="module")
def weblinks(data: Path) -> list[Record]:
    items = read_all(data, "webLink.xlsx")
    assert [item for item in items if isinstance(item, Reject)] == []
    return records_of(items)


def by_project(records: list[Record], project_id: str) -> list[Record]:
    return [r for r in records if r.project.id == project_id]


# --- report summaries -------------------------------------------------------------------------


def test_every_report_gives_its_project_a_title(reports: list[Record]) -> None:
    assert len(reports) == 3_521
    assert len({r.key for r in reports}) == 3_521
    assert all(r.project.title for r in reports)
    assert {(r.project.fund, r.project.period) for r in reports} == {("HORIZON", "2021-2027")}


def test_the_title_is_the_text_in_the_outer_parentheses(reports: list[Record]) -> None:
    [cgi] = by_project(reports, "cordis:101057509")
    assert cgi.key == "101057509_PSHORIZON" and cgi.project.acronym == "CGI-Clinics"
    assert cgi.project.title == "Data-driven cancer genome interpretation for personalised cancer treatment"
    titles = {r.project.acronym: r.project.title for r in reports}
    # nested parentheses inside the title are kept
    assert (
        titles["Sustain-a-Print"]
        == "Sustainable materials and process for green printed electronics (Sustain-a-Print) (SaP)"
    )
    assert titles["MitoMemInsert"] == (
        "Structural determination and dynamics of the mitochondrial import protein (MIM) by cryo-EM "
        "and magic-angle-spinning (MAS) nuclear magnetic resonance (NMR)"
    )
    # an acronym holding parentheses does not capture the title
    assert (
        titles["Aurora Plasma Brake (APB)"]
        == "Deorbiting and collision avoidance technologies for scalable sustainable space access"
    )
    assert (
        titles["Endoprotease 40 (E40)"] == "First ever preventive treatment for celiac disease and gluten sensitivity"
    )


def test_a_report_title_that_never_closes_its_parenthesis_is_kept_and_flagged(reports: list[Record]) -> None:
    flagged = [r for r in reports if r.project.flags]
    assert [r.project.acronym for r in flagged] == ["RECOFIB"]
    assert flagged[0].project.title == (
        "A unique commercially viable recombinant manufacturing platform for human fibrinogen "
        "(rhFib) & thrombin (rhThr)"
    )
    assert flagged[0].project.flags[0].code == "title-parentheses-unbalanced"


def test_report_images_become_links_on_the_cordis_site(reports: list[Record]) -> None:
    [cgi] = by_project(reports, "cordis:101057509")
    assert cgi.project.links == [
        Link(
            url="https://cordis.europa.eu/docs/results/horizon/101057/101057509_PS/cgi-clinics-project-summary.jpg",
            kind="report image",
        )
    ]


@pytest.mark.parametrize(
    ("report_title", "acronym", "expected"),
    [
        ("Periodic Reporting for period 1 - X (A (b) c)", "X", ("A (b) c", True)),
        ("Periodic Reporting for period 2 - X (Y) (Title)", "X (Y)", ("Title", True)),
        ("Periodic Reporting for period 2 - X (Y) (Title)", "other", ("Title", True)),
        ("Periodic Reporting for period 1 - X (Title (open", "X", ("Title (open", False)),
        ("Periodic Reporting for period 1 - X (Title) trailing", "X", ("Title", False)),
        ("Periodic Reporting for period 1 - X (Stray ) bracket)", "X", ("Stray ) bracket", False)),
    ],
)
def test_project_title_cases(report_title: str, acronym: str, expected: tuple[str, bool]) -> None:
    assert project_title(report_title, acronym) == expected


@pytest.mark.parametrize("report_title", ["Periodic Reporting for period 1 - X", "Periodic Reporting - X ()"])
def test_no_title_in_parentheses_is_an_error(report_title: str) -> None:
    with pytest.raises(TitleError):
        project_title(report_title, "X")


# --- deliverables -----------------------------------------------------------------------------


def test_every_deliverable_is_a_link_of_its_project(deliverables: list[Record]) -> None:
    assert len(deliverables) == 20_815
    assert len({r.key for r in deliverables}) == 20_815
    assert len({r.project.id for r in deliverables}) == 5_548
    kinds = Counter(link.kind for r in deliverables for link in r.project.links)
    assert kinds["Documents, reports"] == 13_790 and kinds["Data Management Plan"] == 3_204 and kinds[None] == 35


def test_a_description_equal_to_the_title_is_not_repeated(deliverables: list[Record]) -> None:
    [webpage] = [r for r in deliverables if r.key == "190136266_5_DELIVHORIZON"]
    assert webpage.project.links == [
        Link(
            url="https://ec.europa.eu/research/participants/documents/downloadPublic?documentIds=080166e5ff6dd8e6&appId=PPGMS",
            title="Project webpage and logo",
            kind="Websites, patent fillings, videos etc.",
        )
    ]
    [plan] = [r for r in deliverables if r.key == "101129658_11_DELIVHORIZON"]
    [link] = plan.project.links
    assert link.title == "Dissemination and Communication Plan"
    assert link.description and link.description.startswith("Planning and reporting of compilation of SPATRA")
    without = sum(1 for r in deliverables if r.project.links[0].description is None)
    # 2 406 repeat the title exactly, 10 but for spacing, 45 but for case; 34 are empty, "-" or "NA"
    assert without == 2_406 + 10 + 45 + 34


# --- EuroSciVoc ------------------------------------------------------------------------------


def test_fields_of_science_become_themes_with_their_broader_fields(euroscivoc: list[Record]) -> None:
    assert len(euroscivoc) == 38_789
    assert len({r.key for r in euroscivoc}) == 38_789
    assert len({r.project.id for r in euroscivoc}) == 13_542
    rheadhy = by_project(euroscivoc, "cordis:101101443")
    assert sorted(r.key for r in rheadhy) == ["101101443/25/67/425", "101101443/29/99/547/1349"]
    themes = {theme for r in rheadhy for theme in r.project.themes}
    assert themes == {
        "social sciences",
        "social geography",
        "transport",
        "freight transport",
        "engineering and technology",
        "environmental engineering",
        "energy and fuels",
    }
    top = Counter(r.project.themes[0] for r in euroscivoc)
    assert top["natural sciences"] == 18_075 and top["medical and health sciences"] == 5_985


# --- web links --------------------------------------------------------------------------------


def test_web_links_are_keyed_by_project_and_id(weblinks: list[Record]) -> None:
    assert len(weblinks) == 21_440
    assert len({r.key for r in weblinks}) == 21_440  # the id alone repeats: it hashes the URL
    shared = [r for r in weblinks if r.key.endswith("/1ad79a87c8da1baab826daab86ae6d5e")]
    assert sorted(r.project.id for r in shared) == ["cordis:101059785", "cordis:101060504"]


def test_a_project_web_site_and_its_social_media(weblinks: list[Record]) -> None:
    odysseus = by_project(weblinks, "cordis:101073910")
    assert {r.project.website for r in odysseus} == {"https://odysseusproject.eu/", None}
    links = {link for r in odysseus for link in r.project.links}
    assert Link(url="https://odysseusproject.eu/", kind="relatedWebsite") in links
    assert (
        Link(url="https://www.linkedin.com/company/odysseusproject-heu", title="linkedIn", kind="socialMedia") in links
    )


# --- detection and errors -----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FILES))
def test_each_file_is_detected_as_its_format_only(data: Path, name: str) -> None:
    head = Head(data / FOLDER / name)
    assert [f.name for f in formats() if f.detect(head)] == [FILES[name]]


def write_sheet(path: Path, *rows: list[str]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("DATA")
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            sheet.write_string(r, c, value)
    book.close()
    return path


REPORT_HEADER = ["id", "title", "projectID", "projectAcronym", "attachment", "contentUpdateDate", "rcn"]


def test_a_report_without_a_title_in_parentheses_is_rejected(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "reportSummaries.xlsx",
        REPORT_HEADER,
        ["1_PSHORIZON", "Periodic Reporting for period 1 - ABC (A title)", "101000001", "ABC", "", "", "1"],
        ["2_PSHORIZON", "Periodic Reporting for period 1 - DEF", "101000002", "DEF", "", "", "2"],
        ["3_PSHORIZON", "Periodic Reporting for period 1 - GHI (A title)", "GHI", "GHI", "", "", "3"],
    )
    good, no_title, bad_id = by_name("cordis-report-summaries").read(path)
    assert isinstance(good, Record) and good.project.title == "A title" and good.project.id == "cordis:101000001"
    assert isinstance(no_title, Reject) and no_title.line == 3
    assert "'title'" in no_title.reason and "Periodic Reporting for period 1 - DEF" in no_title.reason
    assert isinstance(bad_id, Reject) and bad_id.line == 4 and "'projectID'" in bad_id.reason


def test_a_sheet_without_a_required_column_is_a_source_error(tmp_path: Path) -> None:
    path = write_sheet(
        tmp_path / "euroSciVoc.xlsx", ["projectID", "euroSciVocCode", "euroSciVocTitle"], ["1", "/2", "x"]
    )
    with pytest.raises(SourceError, match=r"missing required column.*euroSciVocPath"):
        list(by_name("cordis-euroscivoc").read(path))


@pytest.mark.parametrize("name", list(FILES.values()))
def test_a_file_that_is_not_a_workbook_is_a_source_error(tmp_path: Path, name: str) -> None:
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(SourceError):
        list(by_name(name).read(garbage))
    archive = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    with pytest.raises(SourceError, match=r"no xl/workbook\.xml"):
        list(by_name(name).read(archive))
