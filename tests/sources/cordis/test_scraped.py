import datetime as dt
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from euprojects.model import Flag, Money, Record, Reject, Role, Status
from euprojects.sources import detect, formats
from euprojects.sources.base import Head, SourceError
from euprojects.sources.cordis.projects import read_fp7
from euprojects.sources.cordis.scraped import SWAP_FLAG, read_marzee, read_scraped

SCRAPED = "cordis-scraped-water-projects"
SCRAPED_FILES = {
    "SME_water_SC.json": 399,
    "FP7_Environment_water_to-2012.json": 36,
    "FP7_Energy_water_to-2012.json": 16,
    "FP7_ICT_water_to-2012.json": 13,
    "FP7_Infrastructures_water_to-2012.json": 1,
}
FP7 = "cordis-fp7-samples"


def records(items: list[Record | Reject]) -> list[Record]:
    return [item for item in items if isinstance(item, Record)]


def rejects(items: list[Record | Reject]) -> list[Reject]:
    return [item for item in items if isinstance(item, Reject)]


def by_key(items: list[Record | Reject], key: str) -> Record:
    [record] = [r for r in records(items) if r.key == key]
    return record


@pytest.fixture(scope="module")
def scraped(data: Path) -> dict[str, list[Record | Reject]]:
    return {name: list(read_scraped(data / SCRAPED / name)) for name in SCRAPED_FILES}


@pytest.fixture(scope="module")
def big(data: Path) -> list[Record | Reject]:
    return list(read_marzee(data / FP7 / "marzeelabs_projects_big.json"))


# --- scraped fact sheets ---------------------------------------------------------------------


def test_every_scraped_page_is_a_record(scraped: dict[str, list[Record | Reject]]) -> None:
    for name, count in SCRAPED_FILES.items():  # README counts, 465 in all
        items = scraped[name]
        assert (len(records(items)), len(rejects(items))) == (count, 0), name
        assert len({r.key for r in records(items)}) == count
    statuses = Counter(r.project.status_source for r in records(scraped["SME_water_SC.json"]))
    assert statuses == {"closed project": 335, "ongoing project": 60, "Grant Agreement terminated": 4}


def test_a_scraped_fp7_page_keeps_its_values(scraped: dict[str, list[Record | Reject]]) -> None:
    [record] = records(scraped["FP7_Infrastructures_water_to-2012.json"])
    project = record.project
    assert (record.line, project.id, project.acronym) == (2, "cordis:312845", "EGDI-Scope")
    assert project.title == "Scoping Study for a pan-European Geological Data Infrastructure"
    assert project.summary and project.summary.startswith("Our responses to many urgent social")
    assert (project.start_date, project.end_date) == (dt.date(2012, 6, 1), dt.date(2014, 5, 31))
    assert (project.status, project.status_source) == (Status.FINISHED, "closed project")
    assert project.total_cost == Money(Decimal(1344358))
    assert project.eu_contribution == Money(Decimal(830000))
    assert (project.fund, project.period, project.programme_code, project.programme) == (
        "FP7",
        "2007-2013",
        "FP7-INFRASTRUCTURES",
        "Capacities - Research Infrastructures",
    )
    assert (project.topic, project.funding_scheme, project.call) == (
        "INFRA-2012-3.3.",
        "CSA",
        "FP7-INFRASTRUCTURES-2012-1-INFSO",
    )
    assert project.topic_title and project.topic_title.startswith("Coordination actions, conferences")
    assert project.raw["Total_Cost"] == "EUR 1 344 358"
    assert project.raw["Funding_scheme"] == "CSA - Coordination and support action"
    assert [(p.organisation.name, p.organisation.country, p.role) for p in project.participations] == [
        ("NEDERLANDSE ORGANISATIE VOOR TOEGEPAST NATUURWETENSCHAPPELIJK ONDERZOEK TNO", "NL", Role.LEAD),
        ("KATHOLIEKE UNIVERSITEIT LEUVEN", "BE", Role.PARTNER),
        ("EuroGeoSurveys - EGS", "BE", Role.PARTNER),
        ("Geological Survey of Denmark and Greenland", "DK", Role.PARTNER),
        ("BUREAU DE RECHERCHES GEOLOGIQUES ET MINIERES", "FR", Role.PARTNER),
        ("NATURAL ENVIRONMENT RESEARCH COUNCIL", "GB", Role.PARTNER),
    ]
    assert project.participations[5].organisation.country_raw == "United Kingdom"


def test_a_scraped_h2020_page_keeps_programme_decimals_and_status(scraped: dict[str, list[Record | Reject]]) -> None:
    w2o = by_key(scraped["SME_water_SC.json"], "789695").project
    assert (w2o.fund, w2o.programme_code, w2o.programme) == (
        "H2020",
        "H2020-EU.3.2.5.",  # a line of societal challenge 2, named by the challenge
        "Food security, sustainable agriculture and forestry, marine, maritime and inland water research, "
        "and the bioeconomy",
    )
    assert w2o.raw["Meta"] == "H2020-EU.3.2.5., H2020-EU.3.2.3., H2020-EU.2.3.1."
    assert (w2o.status, w2o.end_date, w2o.funding_scheme) == (Status.ONGOING, dt.date(2018, 6, 30), "SME-1")
    innwind = by_key(scraped["FP7_Energy_water_to-2012.json"], "308974").project
    assert innwind.total_cost == Money(Decimal("19164182.88"))
    assert innwind.eu_contribution == Money(Decimal("13799999.35"))
    # 'To' without a status text: the dates decide
    undated_status = [r.project for r in records(scraped["FP7_Energy_water_to-2012.json"]) if r.project.status is None]
    assert len(undated_status) == 6 and all(p.end_date for p in undated_status)


def test_the_first_partner_leads_where_the_project_is_coordinated(scraped: dict[str, list[Record | Reject]]) -> None:
    projects = [r.project for items in scraped.values() for r in records(items)]
    assert len(projects) == 465
    for project in projects:
        roles = [p.role for p in project.participations]
        assert roles[0] is Role.LEAD and roles.count(Role.LEAD) == 1, project.id
    # the Faroe Islands, spelt 'Faeroe Islands' on the pages, are placed too
    assert not [p for project in projects for p in project.participations if p.organisation.country is None]


def test_the_activity_field_never_reaches_a_record(data: Path, scraped: dict[str, list[Record | Reject]]) -> None:
    contacts = set()
    for name in SCRAPED_FILES:
        for page in json.loads((data / SCRAPED / name).read_text(encoding="utf-8")):
            activity = page["Activity"]
            for index, value in enumerate(activity):
                if re.match(r"(Tel|Fax)\b", value):
                    contacts.add(value)
                    if index and not re.match(r"(Tel|Fax)\b", activity[index - 1]):
                        contacts.add(activity[index - 1])  # the contact person's name
    assert "Christoph Schulte" in contacts and len(contacts) > 1000
    text = msgspec.json.encode([items for items in scraped.values()]).decode()
    assert not [c for c in contacts if c in text]


def test_bad_scraped_pages_are_rejected_naming_line_and_field_and_a_bad_amount_costs_only_itself(
    tmp_path: Path,
) -> None:
    def page(project_id: str, start: str, money: str) -> dict[str, list[str]]:
        return {
            "Project_ID": [project_id],
            "Project_Title": ["A title"],
            "Partners": ["ORG"],
            "Country": ["Spain"],
            "Coordinated_in": ["Spain"],
            "From": [start],
            "To": ["2019-12-31, closed project"],
            "EU_Contribution": [money],
            "Activity": ["Jane Doe", "Tel.: +34 1 2345 6789"],
        }

    pages = [
        page("700001", "2017-01-01", "EUR 50 000"),
        page("700002", "2017-02-29", "EUR 50 000"),
        page("700003", "2017-01-01", "EUR -50 000"),
        page("7x", "2017-01-01", "EUR 50 000"),
        ["not", "a", "page"],
    ]
    path = tmp_path / "pages.json"
    text = json.dumps(pages, indent=1)
    path.write_text(text, encoding="utf-8")
    starts = [number for number, line in enumerate(text.splitlines(), start=1) if line in (" {", " [")]
    items = list(read_scraped(path))
    assert [(r.key, r.line) for r in records(items)] == [("700001", starts[0]), ("700003", starts[2])]
    negative = records(items)[1].project
    assert negative.eu_contribution is None and negative.title == "A title"
    assert negative.raw["EU_Contribution"] == "EUR -50 000"
    [flag] = negative.flags
    assert flag == Flag("invalid_amount", "field 'EU_Contribution': -50000 is negative; left out")
    found = [(r.line, r.reason) for r in rejects(items)]
    assert [line for line, _ in found] == [starts[1], *starts[3:]]
    assert "'From'" in found[0][1] and "2017-02-29" in found[0][1]
    assert "'Project_ID'" in found[1][1] and "7x" in found[1][1]
    assert "not a project object" in found[2][1]
    text = msgspec.json.encode(items).decode()
    assert "Jane Doe" not in text and "2345 6789" not in text


@pytest.mark.parametrize("content", ["", "{}", '[{"Project_ID": ["1"]}', "not json"])
def test_a_file_that_is_not_a_json_array_is_a_source_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "pages.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError):
        list(read_scraped(path))
    with pytest.raises(SourceError):
        list(read_marzee(path))


# --- Marzee Labs export ----------------------------------------------------------------------


def test_every_marzee_project_is_a_record_keyed_by_rcn(data: Path, big: list[Record | Reject]) -> None:
    small = list(read_marzee(data / FP7 / "marzeelabs_projects.json"))
    for items, count in ((big, 1000), (small, 14)):  # README counts
        found = records(items)
        assert (len(found), len(rejects(items))) == (count, 0)
        assert {r.project.id for r in found} == {f"cordis:rcn-{r.key}" for r in found}
        assert {(r.project.fund, r.project.period) for r in found} == {("FP7", "2007-2013")}
    # README: 30 projects without participants; the dead cordis.lab url is no website
    assert sum(not r.project.participations for r in records(big)) == 30
    websites = [r.project.website for r in records(big) if r.project.website]
    assert len(websites) == 48 and not [w for w in websites if "cordis.lab" in w]


def test_the_cordis_lab_id_is_not_taken_for_the_grant_id(data: Path, big: list[Record | Reject]) -> None:
    # The one project both files hold: the official row's rcn is the export's, its id is not.
    [official] = [r for r in read_fp7(data / FP7 / "fp7_test_projects.csv") if r.aliases == ["cordis:rcn-87583"]]
    marzee = by_key(big, "87583")
    assert marzee.project.id in official.aliases
    assert marzee.project.acronym == official.project.acronym == "PREVENTING_CONFLICTS"
    assert official.key == "203576"  # the export's own id for it is 116737
    assert (marzee.project.start_date, marzee.project.end_date) == (
        official.project.start_date,
        official.project.end_date,
    )
    assert marzee.project.total_cost == official.project.total_cost == Money(Decimal(1330000))


def test_swapped_day_and_month_are_undone_and_flagged(data: Path, big: list[Record | Reject]) -> None:
    preventing = by_key(big, "87583").project
    assert (preventing.start_date, preventing.end_date) == (dt.date(2008, 7, 1), dt.date(2013, 6, 30))
    assert preventing.raw["start_date"] == "1199660400"  # 2008-01-07 00:00 in Brussels
    [flag] = preventing.flags
    assert flag.code == SWAP_FLAG and "2008-01-07" in flag.message and "2008-07-01" in flag.message
    bind = next(r.project for r in records(big) if r.project.acronym == "BIND")
    assert (bind.start_date, bind.end_date) == (dt.date(2008, 2, 7), dt.date(2011, 2, 6))
    assert sum(bool(r.project.flags) for r in records(big)) == 752
    starts = Counter(r.project.start_date.day for r in records(big) if r.project.start_date)
    assert starts[1] > 950  # projects start on the first of a month, as CORDIS has them
    # the other file does not have the fault: its dates stay as published
    small = records(list(read_marzee(data / FP7 / "marzeelabs_projects.json")))
    assert not [r for r in small if r.project.flags]
    assert small[0].project.acronym == "MOLESCO" and small[0].project.start_date == dt.date(2014, 1, 1)


def test_marzee_participants_keep_city_and_coordinates(big: list[Record | Reject]) -> None:
    adose = by_key(big, "85243")
    assert (adose.line, adose.project.acronym) == (1, "ADOSE")  # the file is one line of JSON
    fiat = adose.project.participations[0]
    org = fiat.organisation
    assert (fiat.role, fiat.role_raw, fiat.order) == (Role.PARTNER, None, 0)
    assert (org.name, org.country, org.city, org.latitude, org.longitude) == (
        "CENTRO RICERCHE FIAT SCPA",
        "IT",
        "ORBASSANO (TO)",
        45.0082,
        7.54585,
    )
    everyone = [p.organisation for r in records(big) for p in r.project.participations]
    assert len(everyone) == 6345  # README
    assert sum(o.latitude is None for o in everyone) == 486
    assert {o.country for o in everyone} >= {"GR", "GB"} and "EL" not in {o.country for o in everyone}


def test_bad_marzee_projects_are_rejected_and_a_bad_amount_costs_only_itself(tmp_path: Path) -> None:
    def project(rcn: str, start: str, cost: str) -> dict[str, object]:
        return {"id": "1", "rcn": rcn, "title": "T", "project_acronym": "A", "start_date": start,
                "end_date": "1262214000", "cost": cost, "funding": "10", "participants": []}  # fmt: skip

    path = tmp_path / "projects.json"
    path.write_text(
        json.dumps([project("1", "1199142000", "10"), project("2", "soon", "10"), project("3", "1199142000", "-1")]),
        encoding="utf-8",
    )
    items = list(read_marzee(path))
    assert [r.key for r in records(items)] == ["1", "3"]
    [found] = [r.reason for r in rejects(items)]
    assert "'start_date'" in found and "soon" in found
    negative = records(items)[1].project
    assert (negative.total_cost, negative.eu_contribution) == (None, Money(Decimal("10")))
    assert negative.raw["cost"] == "-1" and negative.start_date is not None
    assert [(f.code, "'cost'" in f.message and "negative" in f.message) for f in negative.flags] == [
        ("invalid_amount", True)
    ]


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "name", "expected"),
    [(SCRAPED, name, "cordis-scraped-pages") for name in SCRAPED_FILES]
    + [(FP7, "marzeelabs_projects_big.json", "marzeelabs-json"), (FP7, "marzeelabs_projects.json", "marzeelabs-json")],
)
def test_detected_by_content_and_by_no_other_format(data: Path, folder: str, name: str, expected: str) -> None:
    path = data / folder / name
    assert detect(path).name == expected
    assert [f.name for f in formats() if f.detect(Head(path))] == [expected]
