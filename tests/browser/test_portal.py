"""A user's paths through the real portal in headless Chromium: results, two facet values, pages,
a project and its partners, exports, markup shown as text, a keep.eu page in full and in print,
the keyboard. Each page visited is saved as a screenshot in test-artifacts/screenshots/."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlparse

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, Watch, screenshot
from tests.web.conftest import CITY_TWINS, HOSTILE

pytestmark = pytest.mark.browser

SEARCH_BOX = "Search projects, partners and programmes"
CITY_TWINS_SEED = "000_ec139542eecc2dd4.txt"


def number(text: str) -> int:
    """The first number in a text, whatever its thousands separators."""
    found = re.search(r"\d[\d\s\u00a0\u202f,.]*", text)
    assert found, text
    return int(re.sub(r"\D", "", found.group()))


def query_of(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def facet(page: Any, label: str) -> Any:
    """The facet section headed ``label`` in the left column."""
    return page.locator("section.facet").filter(has=page.get_by_role("heading", name=label, exact=True))


def facet_link(page: Any, facet_label: str, value_label: str) -> Any:
    """A facet value's link, opening the facet's "N more" list when the value is in it."""
    section = facet(page, facet_label)
    link = section.get_by_role("link", name=re.compile(rf"^{re.escape(value_label)} [\d\s\u00a0,.]+$"))
    if not link.is_visible():
        section.locator("details > summary").click()
    expect(link).to_be_visible()
    return link


def open_search(page: Any, q: str) -> int:
    """Open the results of ``q`` and return the number of projects shown."""
    page.goto("/?" + urlencode({"q": q}))
    expect(page.get_by_role("searchbox", name=SEARCH_BOX)).to_have_value(q)
    heading = page.locator("#results-heading")
    expect(heading).to_contain_text(f"for “{q}”")
    return number(heading.inner_text())


# --- 1. search, facets, pages, project, partner ------------------------------------------------
def test_search_two_countries_pages_project_and_partner(page: Any) -> None:
    everything = open_search(page, "energy")
    screenshot(page, "search-results")

    facet_link(page, "Partner country", "Finland").click()
    expect(page.locator("section.active")).to_contain_text("Partner country: Finland")
    finland_only = number(page.locator("#results-heading").inner_text())
    facet_link(page, "Partner country", "Estonia").click()
    active = page.locator("section.active")
    expect(active).to_contain_text("Partner country: Finland")
    expect(active).to_contain_text("Partner country: Estonia")
    assert sorted(query_of(page)["country"]) == ["EE", "FI"] and query_of(page)["q"] == ["energy"]

    # A facet's counts ignore its own selection: each selected country shows its own count, and
    # the results are the projects with a partner in either (OR): |FI ∪ EE| = FI + EE − both.
    selected = facet(page, "Partner country").locator('a[aria-current="true"]')
    expect(selected).to_have_count(2)
    counts = {words(t).rsplit(" ", 1)[0]: number(words(t).rsplit(" ", 1)[1]) for t in selected.all_inner_texts()}
    assert set(counts) == {"Finland", "Estonia"}
    total = number(page.locator("#results-heading").inner_text())
    both = _projects_in_both(page, "energy", "EE", "FI")
    assert total == counts["Finland"] + counts["Estonia"] - both
    assert counts["Finland"] == finland_only and max(counts.values()) < total < everything
    first_page_ids = page.locator("ol.hits > li.hit h3 a").evaluate_all("links => links.map(a => a.href)")

    # Page 2 keeps the query and both countries.
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="2", exact=True).click()
    page.wait_for_url(re.compile(r"page=2"))
    state = query_of(page)
    assert state["q"] == ["energy"] and sorted(state["country"]) == ["EE", "FI"]
    expect(page.locator('nav.pagination [aria-current="page"]')).to_have_text("2")
    expect(page.locator("ol.hits")).to_have_attribute("start", "21")
    assert number(page.locator("#results-heading").inner_text()) == total
    second_page_ids = page.locator("ol.hits > li.hit h3 a").evaluate_all("links => links.map(a => a.href)")
    assert len(second_page_ids) == 20 and not set(second_page_ids) & set(first_page_ids)

    # A project with its partners, then one partner's organisation page.
    hit = page.locator("ol.hits > li.hit").filter(has_text="Lead:").first
    hit_link = hit.locator("h3 a")
    title = words(hit_link.inner_text())
    hit_link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    project_path = urlparse(page.url).path
    partners = page.locator("table.partners tbody tr")
    assert partners.count() >= 1
    assert {"Finland", "Estonia"} & set(page.locator("table.partners tbody td:nth-child(2)").all_inner_texts())
    screenshot(page, "project")
    partner = partners.first.locator("td").first.get_by_role("link")
    partner_name = words(partner.inner_text())
    partner.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(partner_name)
    projects = page.locator("section[aria-labelledby=projects] table")
    expect(projects.locator(f'a[href="{project_path}"]')).to_have_count(1)
    screenshot(page, "organisation")


def _projects_in_both(page: Any, q: str, country: str, other: str) -> int:
    """How many projects matching ``q`` with a partner in ``country`` also have one in ``other``."""
    both, cursor = 0, ""
    while True:
        params: dict[str, str | int] = {"q": q, "country": country, "limit": 200, "facet": "country"}
        if cursor:
            params["cursor"] = cursor
        data = page.request.get("/api/v1/search", params=params).json()["data"]
        both += sum(other in hit["countries"] for hit in data["hits"])
        cursor = data.get("next_cursor") or ""
        if not data["hits"] or not cursor:
            return both


# --- 2. exports -------------------------------------------------------------------------------
def _download(page: Any, link_name: str, folder: Path) -> Path:
    with page.expect_download() as download_info:
        page.locator("p.exports").get_by_role("link", name=link_name, exact=True).click()
    download = download_info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


@pytest.mark.parametrize("url", ["/?q=hydrogen&country=DE", "/?q=climate&source=erc&sort=-start_date"])
def test_csv_and_excel_downloads_hold_the_whole_search(page: Any, tmp_path: Path, url: str) -> None:
    page.goto(url)
    total = number(page.locator("#results-heading").inner_text())
    assert number(page.locator("p.exports").inner_text()) == total and total > 20  # more than one page
    first = page.locator("ol.hits > li.hit h3 a").first
    first_id = unquote(urlparse(first.get_attribute("href") or "").path.removeprefix("/projects/"))
    first_title = words(first.inner_text())

    csv_path = _download(page, "CSV", tmp_path)
    assert csv_path.suffix == ".csv"
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("# euprojects export of")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    assert len(rows) == total
    assert (rows[0]["id"], rows[0]["title"]) == (first_id, first_title)

    xlsx_path = _download(page, "Excel", tmp_path)
    assert xlsx_path.suffix == ".xlsx"
    book = openpyxl.load_workbook(xlsx_path, read_only=True)
    sheet = list(book["Projects"].iter_rows(values_only=True))
    header, body = sheet[0], sheet[1:]
    assert len(body) == total
    assert (body[0][header.index("id")], body[0][header.index("title")]) == (first_id, first_title)
    assert [r[header.index("id")] for r in body] == [r["id"] for r in rows]  # same projects, same order


# --- 3. markup in the data is text; no script runs -----------------------------------------------
XSS_TRAP = """
Object.defineProperty(window, "__xss", {
  configurable: false,
  get() { return undefined; },
  set(value) { (window.__xssAttempts = window.__xssAttempts || []).push(String(value)); },
});
"""


def assert_nothing_ran(page: Any, watch: Watch) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("window.__xssAttempts || []") == []
    assert watch.dialogs == []
    assert page.locator("img[src=x], img[onerror], [onerror]").count() == 0
    origin = "{0.scheme}://{0.netloc}".format(urlparse(page.url))
    # only the portal's own script files: none inline, none from elsewhere
    sources = page.evaluate("[...document.scripts].map(s => s.src)")
    assert f"{origin}/static/app.js" in sources and all(s.startswith(f"{origin}/static/") for s in sources)
    assert page.locator("a[href^='javascript:' i]").count() == 0


def test_markup_in_the_data_is_shown_as_text_and_never_runs(page: Any, watch: Watch) -> None:
    page.add_init_script(XSS_TRAP)
    page.goto(f"/projects/{HOSTILE}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text('Safe Rendering Check <script>window.__xss="title"</script>')
    main = page.locator("main")
    expect(main).to_contain_text(
        """<script>window.__xss="description"</script> and <img src=x onerror="window.__xss='image'"> must be"""
    )
    expect(main).to_contain_text("""<b>bold</b> and <a href="javascript:alert(1)">links</a> stay text""")
    partner = page.locator("table.partners").get_by_role("link", name=re.compile("^City of Imatra"))
    expect(partner).to_have_text("""City of Imatra <img src=x onerror="window.__xss='partner'">""")
    assert_nothing_ran(page, watch)
    screenshot(page, "hostile-project")

    partner.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        """City of Imatra <img src=x onerror="window.__xss='partner'">"""
    )
    expect(page.locator("main")).to_contain_text('Safe Rendering Check <script>window.__xss="title"</script>')
    assert_nothing_ran(page, watch)
    screenshot(page, "hostile-organisation")

    open_search(page, "hostile markup")
    hit = page.locator("ol.hits > li.hit").filter(has_text="Safe Rendering Check")
    expect(hit.locator("h3")).to_contain_text('<script>window.__xss="title"</script>')
    expect(hit.locator("p.snippet")).to_contain_text("""<img src=x onerror="window.__xss='image'">""")
    expect(hit.locator("p.snippet b")).to_have_text(["hostile", "markup"])  # the highlight is markup, the rest text
    assert_nothing_ran(page, watch)
    screenshot(page, "hostile-search")

    # What a user types is shown back as text too.
    typed = """<img src=x onerror="window.__xss='typed'"><script>window.__xss='typed'</script>"""
    box = page.get_by_role("searchbox", name=SEARCH_BOX)
    box.fill(typed)
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=%3Cimg"))
    expect(page.get_by_role("searchbox", name=SEARCH_BOX)).to_have_value(typed)
    assert_nothing_ran(page, watch)


# --- 4. the keep.eu page in full, and in print -----------------------------------------------
def _seed_facts(seeds: Path) -> tuple[str, str]:
    """The description and achievements of the City Twins keep.eu page, as published."""
    lines = (seeds / CITY_TWINS_SEED).read_text(encoding="utf-8").splitlines()
    text = next(line for line in lines if line.startswith("The overall objective"))
    description, achievements = text.split(" Achievements: ", 1)
    return words(description), words(achievements)


def test_the_city_twins_page_shows_the_keep_page_and_prints_without_navigation(
    page: Any, seeds: Path, tmp_path: Path
) -> None:
    page.goto(f"/projects/{CITY_TWINS}")
    expect(page.get_by_role("heading", level=1)).to_have_text("City Twins Co-operation Network (City Twins)")
    text = words(page.locator("main").inner_text())
    description, achievements = _seed_facts(seeds)
    for fact in (
        "Start date: 31 Dec 2003, End date: 30 Mar 2007",
        "Finished",
        "(source: PROJECT FINISHED)",
        "EU co-financing rate 53,6 %",
        "EU contribution 808 536,81 EUR",
        "Programme Interreg IIIC North",
        "Period 2000-2006",
        "Partners 9",
        "Interreg IIIC North · 2000-2006",
        description,
        achievements,
    ):
        assert fact in text.replace("\u00a0", " "), fact
    expect(page.get_by_role("heading", name="Partners (9)")).to_be_visible()
    expect(page.locator("table.partners tbody tr")).to_have_count(9)
    expect(page.get_by_role("heading", name="Description")).to_be_visible()
    expect(page.get_by_role("heading", name="Achievements")).to_be_visible()
    screenshot(page, "city-twins")

    page.emulate_media(media="print")
    for hidden in ("header.site", "nav[aria-label=Main]", "footer.site", "a.skip", "section.similar"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("section.facts")).to_be_visible()
    expect(page.locator("table.partners")).to_be_visible()
    screenshot(page, "city-twins-print")
    page.pdf(path=str(SCREENSHOTS / "city-twins.pdf"))
    page.emulate_media(media="screen")
    expect(page.locator("header.site")).to_be_visible()

    page.get_by_role("link", name="Interreg IIIC North").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Interreg IIIC North")
    expect(page.locator("main")).to_contain_text("City Twins Co-operation Network")
    screenshot(page, "programme")

    page.goto("/?q=city+twins")
    page.emulate_media(media="print")
    for hidden in ("form.search", "header.site nav", "aside.facets", "nav.pagination", "p.exports"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("ol.hits")).to_be_visible()


# --- 5. keyboard --------------------------------------------------------------------------------
def focused(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            """() => { const e = document.activeElement;
            return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className, text: e.innerText.trim(),
                    href: e.getAttribute('href') || ''}; }"""
        )
    )


def test_the_keyboard_reaches_the_skip_link_the_search_box_and_the_facets(page: Any) -> None:
    page.goto("/?q=energy")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to content"
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_in_viewport()  # shown when focused
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main" and page.url.endswith("#main")

    box = page.get_by_role("searchbox", name=SEARCH_BOX)
    expect(box).to_have_accessible_name(SEARCH_BOX)
    expect(page.get_by_label("Sort by")).to_have_accessible_name("Sort by")

    # Tab from the top to the first facet value, and choose it with Enter.
    page.goto("/?q=energy")
    for _ in range(60):
        page.keyboard.press("Tab")
        if "facet-value" in focused(page)["cls"]:
            break
    else:
        pytest.fail("no facet value is reachable with Tab")
    chosen = focused(page)["href"]
    page.keyboard.press("Enter")
    expect(page.locator("section.active")).to_be_visible()
    assert query_of(page) == parse_qs(urlparse(chosen).query) and len(query_of(page)) == 2

    # A value in a facet's "N more" list: Tab to its summary, open it with Enter, Tab into it.
    page.goto("/?q=energy")
    summary = facet(page, "Partner country").locator("details > summary")
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("el => el === document.activeElement", summary.element_handle()):
            break
    else:
        pytest.fail("the facet's 'more' list is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(facet(page, "Partner country").locator("details")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    inside = focused(page)
    assert "facet-value" in inside["cls"] and "country=" in inside["href"]
    hidden_value = facet(page, "Partner country").locator("details a.facet-value").first
    assert page.evaluate("el => el === document.activeElement", hidden_value.element_handle())
