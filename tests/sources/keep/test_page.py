import datetime as dt
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from euprojects.model import Flag, Money, Project, Record, Reject, Role, Status
from euprojects.sources import by_name, detect, formats
from euprojects.sources.base import Head, SourceError
from euprojects.sources.common import short_hash

SEED = "000_ec139542eecc2dd4.txt"
FIXTURE = Path("keep") / "city-twins.html"
CITY_TWINS = "keep:interreg-iiic-north-2000-2006:city-twins"


def read(format_name: str, path: Path) -> list[Record | Reject]:
    return list(by_name(format_name).read(path))


def only_record(format_name: str, path: Path) -> Record:
    [item] = read(format_name, path)
    assert isinstance(item, Record), item
    return item


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def page_text(
    heading: str = "Cross-border Health Care (HEALTHCARE)",
    dates: str = "Start date: Jan 1, 2016, End date: Dec 31, 2019 PROJECT \u00a0FINISHED\u00a0",
    body: str = "We improve access to health care along the border. Achievements: Two clinics share staff.",
    bullets: tuple[str, ...] = ("72.0% \u00a0 \u00a0 1 250 000,00", "2014 - 2020 INTERREG V-A Sweden - Norway"),
    partners: str = "4 Partners Participants",
) -> str:
    """A keep.eu page as rendered text, shaped like the real one (banner, title, dates, texts, bullets)."""
    lines = ["Search for European Projects", "", heading, dates, "", body, ""]
    lines += ["Looking for a partnership?", "Have a look at", "Ma Région Sud!", "", ""]
    lines += [f"  \u2022 {bullet}" for bullet in bullets]
    lines += ["  \u2022 Project on KEEP Platform", "Project Website", "", partners]
    return "\n".join(lines)


def page_html(main: str, partners: str = "") -> str:
    """A small keep.eu page as saved HTML around the given project markup."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Project | keep.eu</title></head>
<body>
<header><div class="site-banner">Search for European Projects</div></header>
<main>
{main}
<section class="partners">{partners}</section>
</main>
<footer><p>Date of latest update: 2025-03-01</p></footer>
</body></html>
"""


@pytest.fixture(params=["keep-page-text", "keep-page-html"])
def city_twins(request: pytest.FixtureRequest, seeds: Path, fixtures: Path) -> Project:
    """The City Twins project as each of the two formats reads it."""
    path = seeds / SEED if request.param == "keep-page-text" else fixtures / FIXTURE
    return only_record(request.param, path).project


@pytest.fixture
def seed_texts(seeds: Path) -> tuple[str, str]:
    """Description and achievements as the seed publishes them, run together in one paragraph."""
    paragraph = (seeds / SEED).read_text(encoding="utf-8").splitlines()[5]
    description, achievements = paragraph.split(" Achievements: ")
    return description, achievements


# --- every fact of the seed, from both formats ------------------------------------------------


def test_id_title_and_acronym(city_twins: Project) -> None:
    assert city_twins.id == CITY_TWINS
    assert city_twins.title == "City Twins Co-operation Network"
    assert city_twins.acronym == "City Twins"


def test_dates_are_kept_as_published(city_twins: Project) -> None:
    assert city_twins.start_date == dt.date(2003, 12, 31)
    assert city_twins.end_date == dt.date(2007, 3, 30)
    assert city_twins.raw["start_date"] == "Dec 31, 2003"
    assert city_twins.raw["end_date"] == "Mar 30, 2007"


def test_dates_shifted_by_a_time_zone_are_flagged_not_fixed(city_twins: Project) -> None:
    assert Flag("start_date_shifted", "Start date Dec 31, 2003 looks shifted by one day; probably 2004-01-01") in (
        city_twins.flags
    )
    assert Flag("end_date_shifted", "End date Mar 30, 2007 looks shifted by one day; probably 2007-03-31") in (
        city_twins.flags
    )


def test_status(city_twins: Project) -> None:
    assert city_twins.status is Status.FINISHED
    assert city_twins.status_source == "PROJECT FINISHED"
    assert city_twins.raw["status"] == "PROJECT FINISHED"


def test_description_and_achievements(city_twins: Project, seed_texts: tuple[str, str]) -> None:
    description, achievements = seed_texts
    assert city_twins.summary == description
    assert city_twins.results == achievements
    assert city_twins.summary.endswith("crime prevention, or labour.")
    assert city_twins.results.startswith("The objective of the project is to foster local development in 10")


def test_rate_and_eu_amount(city_twins: Project) -> None:
    assert city_twins.cofinancing_rate == Decimal("53.6")
    assert city_twins.eu_contribution == Money(Decimal("808536.81"), "EUR")
    assert city_twins.raw["cofinancing_rate"] == "53.6%"
    assert city_twins.raw["eu_contribution"] == "808 536,81"


def test_programme_period_and_fund(city_twins: Project) -> None:
    assert city_twins.programme == "Interreg IIIC North"
    assert (city_twins.period, city_twins.fund) == ("2000-2006", "ERDF")
    assert city_twins.raw["programme"] == "2000 - 2006 Interreg IIIC North"


def test_declared_partner_count(city_twins: Project) -> None:
    assert city_twins.declared_partner_count == 9
    assert city_twins.partner_count == 9
    assert city_twins.raw["declared_partner_count"] == "9 Partners Participants"


def test_the_advertisement_is_not_read(city_twins: Project) -> None:
    text = msgspec.json.encode(city_twins).decode()
    assert "partnership" not in text and "Région" not in text and "Ma R" not in text


def test_both_formats_agree_field_by_field(seeds: Path, fixtures: Path) -> None:
    text = only_record("keep-page-text", seeds / SEED)
    html = only_record("keep-page-html", fixtures / FIXTURE)
    assert text.key == html.key == CITY_TWINS
    from_text, from_html = msgspec.structs.asdict(text.project), msgspec.structs.asdict(html.project)
    only_in_html = {"participations", "website", "links"}
    for name, value in from_text.items():
        if name in only_in_html:
            assert not value, f"{name} was expected only on the HTML page"
        elif name == "raw":
            assert {k: from_html["raw"][k] for k in value} == value
        else:
            assert from_html[name] == value, name
    assert set(from_html["raw"]) - set(from_text["raw"]) == {"date_of_latest_update"}


def test_the_text_lists_no_partners(seeds: Path) -> None:
    assert only_record("keep-page-text", seeds / SEED).project.participations == []


# --- what only the HTML page has ----------------------------------------------------------------


@pytest.fixture
def html_project(fixtures: Path) -> Project:
    return only_record("keep-page-html", fixtures / FIXTURE).project


def test_html_partners_one_lead_and_eight_others(html_project: Project) -> None:
    parts = html_project.participations
    assert len(parts) == 9
    assert [p.role for p in parts].count(Role.LEAD) == 1
    assert html_project.lead is not None and html_project.lead.organisation.name == "City of Imatra"
    assert [p.order for p in parts] == list(range(9))
    assert html_project.countries == ["FI", "EE", "SE", "LV", "DE", "PL"]
    assert not [f for f in html_project.flags if f.code.startswith("partner")]


def test_html_partner_address_budget_and_website(html_project: Project) -> None:
    by_name = {p.organisation.name: p for p in html_project.participations}
    lead = by_name["City of Imatra"]
    assert (lead.organisation.street, lead.organisation.postcode, lead.organisation.city) == (
        "Virastokatu 2",
        "55100",
        "Imatra",
    )
    assert lead.organisation.country == "FI" and lead.organisation.website == "https://www.imatra.fi"
    assert lead.total_cost == Money(Decimal("412000.00"))
    assert lead.eu_contribution == Money(Decimal("220832.00"))
    haparanda = by_name["Haparanda Municipality"].organisation
    assert (haparanda.postcode, haparanda.city, haparanda.country) == ("953 85", "Haparanda", "SE")
    valka = by_name["Valka Municipality"].organisation
    assert (valka.postcode, valka.city, valka.country) == ("LV-4701", "Valka", "LV")
    frankfurt = by_name["City of Frankfurt (Oder)"]
    assert frankfurt.organisation.city == "Frankfurt (Oder)" and frankfurt.eu_contribution is None
    assert by_name["City of Narva"].organisation.type is None  # "N.a." on 2000-2006 pages


def test_html_website_links_and_update_date(html_project: Project) -> None:
    assert html_project.website == "http://www.citytwins.org/"
    assert [(link.kind, link.title) for link in html_project.links] == [("keep.eu", "Project on KEEP Platform")]
    assert html_project.raw["date_of_latest_update"] == "2024-09-24"


def test_html_scripts_and_styles_are_not_text(fixtures: Path, html_project: Project) -> None:
    markup = (fixtures / FIXTURE).read_text(encoding="utf-8")
    assert "WRONG" in markup and "Jan 1, 1999" in markup  # the traps are in the fixture
    assert html_project.acronym == "City Twins" and html_project.start_date == dt.date(2003, 12, 31)
    assert "WRONG" not in msgspec.json.encode(html_project).decode()


def test_no_personal_data_on_the_page(html_project: Project) -> None:
    assert "@" not in msgspec.json.encode(html_project).decode()


# --- detection ---------------------------------------------------------------------------------


def test_detection_picks_text_for_the_seed_and_html_for_the_fixture(seeds: Path, fixtures: Path) -> None:
    assert detect(seeds / SEED).name == "keep-page-text"
    assert detect(fixtures / FIXTURE).name == "keep-page-html"


@pytest.mark.parametrize(
    ("where", "name", "expected"), [("seeds", SEED, "keep-page-text"), ("fixtures", str(FIXTURE), "keep-page-html")]
)
def test_no_other_format_accepts_the_pages(
    request: pytest.FixtureRequest, where: str, name: str, expected: str
) -> None:
    folder: Path = request.getfixturevalue(where)
    head = Head(folder / name)
    assert [fmt.name for fmt in formats() if fmt.detect(head)] == [expected]


def test_detection_looks_at_content_not_the_name(tmp_path: Path, seeds: Path) -> None:
    renamed = write(tmp_path, "page.html", (seeds / SEED).read_text(encoding="utf-8"))
    assert detect(renamed).name == "keep-page-text"
    other = write(tmp_path, "notes.txt", "Search for European Projects\n\nJust a note without dates.\n")
    assert not by_name("keep-page-text").detect(Head(other))
    foreign = write(tmp_path, "other.html", '<!DOCTYPE html><html><h1 class="page-title">A blog</h1></html>')
    assert not by_name("keep-page-html").detect(Head(foreign))


# --- other pages of keep.eu, as text --------------------------------------------------------


def test_text_without_an_acronym_uses_the_title_in_the_id(tmp_path: Path) -> None:
    path = write(tmp_path, "p.txt", page_text(heading="Cooperation of border hospitals"))
    project = only_record("keep-page-text", path).project
    assert project.acronym is None and project.title == "Cooperation of border hospitals"
    assert project.id == "keep:interreg-v-a-sweden-norway-2014-2020:cooperation-of-border-hospitals"


def test_an_acronym_without_latin_letters_gets_a_stable_hash_in_the_id(tmp_path: Path) -> None:
    path = write(tmp_path, "p.txt", page_text(heading="Διασυνοριακή υγεία (ΔΥΓ)"))
    project = only_record("keep-page-text", path).project
    assert (project.title, project.acronym) == ("Διασυνοριακή υγεία", "ΔΥΓ")
    assert project.id == f"keep:interreg-v-a-sweden-norway-2014-2020:{short_hash('ΔΥΓ')}"


def test_text_without_achievements(tmp_path: Path) -> None:
    path = write(tmp_path, "p.txt", page_text(body="We improve access to health care.\n\nA second paragraph."))
    project = only_record("keep-page-text", path).project
    assert project.summary == "We improve access to health care.\n\nA second paragraph."
    assert project.results is None


def test_text_ongoing_without_rate_or_end_date(tmp_path: Path) -> None:
    dates = "Start date: Sep 1, 2023, End date: PROJECT ONGOING"
    path = write(
        tmp_path, "p.txt", page_text(dates=dates, bullets=("1 250 000,00", "2021 - 2027 Interreg VI-A Aurora"))
    )
    project = only_record("keep-page-text", path).project
    assert project.status is Status.ONGOING and project.status_source == "PROJECT ONGOING"
    assert project.start_date == dt.date(2023, 9, 1) and project.end_date is None
    assert project.cofinancing_rate is None and "cofinancing_rate" not in project.raw
    assert project.eu_contribution == Money(Decimal("1250000.00"))
    assert project.flags == []  # 1 September is no shifted date
    assert (project.programme, project.period) == ("Interreg VI-A Aurora", "2021-2027")


def test_text_with_several_programmes_keeps_the_others_as_aliases(tmp_path: Path) -> None:
    bullets = ("80% 400 000,00", "2007 - 2013 Central Baltic", "2014 - 2020 INTERREG V-A Central Baltic")
    record = only_record("keep-page-text", write(tmp_path, "p.txt", page_text(bullets=bullets)))
    assert record.project.id == "keep:central-baltic-2007-2013:healthcare"
    assert record.aliases == ["keep:interreg-v-a-central-baltic-2014-2020:healthcare"]
    assert record.project.raw["programme"] == "2007 - 2013 Central Baltic | 2014 - 2020 INTERREG V-A Central Baltic"
    assert record.project.cofinancing_rate == Decimal("80")


@pytest.mark.parametrize(
    ("programme", "fund"),
    [
        ("2014 - 2020 INTERREG V-A Sweden - Norway", "ERDF"),
        ("2014 - 2020 IPA CBC Bulgaria - Turkey", None),  # the pre-accession instrument's
        ("2014 - 2020 ENI CBC Kolarctic", None),  # the neighbourhood instrument's
    ],
)
def test_the_fund_is_the_erdf_for_interreg_programmes_only(tmp_path: Path, programme: str, fund: str | None) -> None:
    bullets = ("72.0% \u00a0 \u00a0 1 250 000,00", programme)
    record = only_record("keep-page-text", write(tmp_path, "p.txt", page_text(bullets=bullets)))
    assert (record.project.period, record.project.fund) == ("2014-2020", fund)


def test_text_with_expected_achievements_keeps_them_in_the_summary(tmp_path: Path) -> None:
    body = "Better buses. Expected Achievements: Ten new lines. Achievements: Eight lines run."
    project = only_record("keep-page-text", write(tmp_path, "p.txt", page_text(body=body))).project
    assert project.summary == "Better buses.\n\nExpected achievements: Ten new lines."
    assert project.results == "Eight lines run."


def test_an_impossible_date_rejects_the_page_naming_field_value_and_line(tmp_path: Path) -> None:
    dates = "Start date: Feb 30, 2005, End date: Mar 31, 2007 PROJECT FINISHED"
    [item] = read("keep-page-text", write(tmp_path, "p.txt", page_text(dates=dates)))
    assert isinstance(item, Reject)
    assert item.line == 4
    assert "'Start date'" in item.reason and "'Feb 30, 2005' is not a valid date" in item.reason


# --- other pages of keep.eu, as HTML --------------------------------------------------------


LABELLED = """<h1 class="page-title">Baltic Bike Routes (BBR)</h1>
<div>
<p><strong>Project status:</strong> Ongoing</p>
<p><strong>Project start date:</strong> 2023-09-01</p>
<p><strong>Project end date:</strong> 2026-08-31</p>
<p><strong>Total budget/expenditure:</strong> 2&nbsp;000&nbsp;000,00</p>
<p><strong>Total EU funding (amount):</strong> 1&nbsp;600&nbsp;000,00</p>
<p><strong>Website:</strong> www.balticbikes.example</p>
<div><strong>Description (EN):</strong><div><p>Cycle routes along the coast.</p></div></div>
<div><strong>Expected Achievements (EN):</strong><div><p>1 000 km of signed routes.</p></div></div>
</div>
<ul><li><a class="programme-link" href="/programmes/370/">
Programme 2021 - 2027 Interreg VI-B Baltic Sea Region</a></li></ul>
<a href="/api/project-attachment/123/">Final report</a>
<a href="javascript:alert(1)">Project Website</a>
<h2>3 Partners</h2>
"""
PARTNERS = """<div class="lead-partner"><p><strong>Lead Partner:</strong> Region Skåne</p>
<p><strong>Department address:</strong> Box 1, 291 89 Kristianstad, Sweden</p>
<p><strong>Organisation type:</strong> Regional public authority</p>
<p><strong>PIC (Participant Identification Code):</strong> 999999999</p>
<p><strong>Partner&#8217;s programme co-financing:</strong> -5,00</p></div>
<dl><dd class="accordion-item"><p><strong>Address:</strong> Somewhere, Germany</p></dd>
<dd class="accordion-item"><p><strong>Name:</strong> Klaipėda University</p>
<p><strong>Address:</strong> Klaipėda, Lithuania</p></dl>
"""


@pytest.fixture
def labelled_page(tmp_path: Path) -> Project:
    path = write(tmp_path, "bbr.html", page_html(LABELLED, PARTNERS))
    return only_record("keep-page-html", path).project


def test_html_labelled_fields(labelled_page: Project) -> None:
    assert labelled_page.id == "keep:interreg-vi-b-baltic-sea-region-2021-2027:bbr"
    assert (labelled_page.title, labelled_page.acronym) == ("Baltic Bike Routes", "BBR")
    assert (labelled_page.status, labelled_page.status_source) == (Status.ONGOING, "Ongoing")
    assert (labelled_page.start_date, labelled_page.end_date) == (dt.date(2023, 9, 1), dt.date(2026, 8, 31))
    assert labelled_page.total_cost == Money(Decimal("2000000.00"))
    assert labelled_page.eu_contribution == Money(Decimal("1600000.00"))
    assert labelled_page.summary == "Cycle routes along the coast.\n\nExpected achievements: 1 000 km of signed routes."
    assert labelled_page.results is None
    assert labelled_page.raw["date_of_latest_update"] == "2025-03-01"


def test_html_links_are_absolute_and_never_scripts(labelled_page: Project) -> None:
    assert labelled_page.website == "http://www.balticbikes.example"
    assert [(link.url, link.kind) for link in labelled_page.links] == [
        ("https://keep.eu/api/project-attachment/123/", "document")
    ]


def test_html_partner_blocks_with_problems_are_flagged(labelled_page: Project) -> None:
    lead, other = labelled_page.participations
    assert lead.role is Role.LEAD and lead.organisation.id == "pic:999999999"
    assert (lead.organisation.city, lead.organisation.country) == ("Kristianstad", "SE")
    assert lead.organisation.type == "Regional public authority" and lead.eu_contribution is None
    assert (other.organisation.name, other.organisation.city, other.organisation.country) == (
        "Klaipėda University",
        "Klaipėda",
        "LT",
    )
    codes = sorted(f.code for f in labelled_page.flags)
    assert codes == ["invalid_amount", "partner_count_mismatch", "partner_unreadable"]
    [amount] = [f.message for f in labelled_page.flags if f.code == "invalid_amount"]
    assert amount == 'Region Skåne: "partner\'s programme co-financing": -5.00 is negative; left out'
    assert labelled_page.raw["partner's programme co-financing[Region Skåne]"] == "-5,00"


def test_html_negative_eu_amount_is_left_out_and_the_page_kept(tmp_path: Path) -> None:
    markup = page_html(LABELLED.replace("1&nbsp;600&nbsp;000,00", "-1&nbsp;600&nbsp;000,00"))
    project = only_record("keep-page-html", write(tmp_path, "bbr.html", markup)).project
    assert project.eu_contribution is None and project.total_cost == Money(Decimal("2000000.00"))
    assert project.raw["eu_contribution"] == "-1 600 000,00"
    label_line = next(n for n, line in enumerate(markup.splitlines(), 1) if "Total EU funding" in line)
    [flag] = [f for f in project.flags if f.code == "invalid_amount"]
    assert flag.message == f"EU funding (amount) (line {label_line}): -1600000.00 is negative; left out"


def test_html_nested_deeper_than_python_recursion_is_read(tmp_path: Path) -> None:
    deep = "<div>" * 5000 + "<p>deep</p>" + "</div>" * 5000
    record = only_record("keep-page-html", write(tmp_path, "deep.html", page_html(LABELLED + deep)))
    assert record.project.acronym == "BBR"


# --- files that are not a readable page --------------------------------------------------------


@pytest.mark.parametrize("format_name", ["keep-page-text", "keep-page-html"])
def test_an_empty_file_is_a_source_error(tmp_path: Path, format_name: str) -> None:
    with pytest.raises(SourceError, match="empty"):
        read(format_name, write(tmp_path, "empty", " \n"))


def test_a_text_page_without_a_title_is_a_source_error(tmp_path: Path) -> None:
    text = page_text().replace("Cross-border Health Care (HEALTHCARE)\n", "")
    with pytest.raises(SourceError, match="no title"):
        read("keep-page-text", write(tmp_path, "p.txt", text))


def test_an_html_page_without_a_title_is_a_source_error(tmp_path: Path) -> None:
    markup = LABELLED.replace('<h1 class="page-title">Baltic Bike Routes (BBR)</h1>', "")
    with pytest.raises(SourceError, match="no title"):
        read("keep-page-html", write(tmp_path, "p.html", page_html(markup)))


def test_a_page_without_a_programme_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no programme"):
        read("keep-page-text", write(tmp_path, "p.txt", page_text(bullets=("80% 400 000,00",))))
    markup = LABELLED.replace("programme-link", "other-link").replace("Programme 2021 - 2027", "Programme")
    with pytest.raises(SourceError, match="no programme"):
        read("keep-page-html", write(tmp_path, "p.html", page_html(markup)))
