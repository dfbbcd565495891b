"""The search form as people use it: typing a query, sorting with and without JavaScript, and an
export link of a query with "&" in it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_portal import SEARCH_BOX, _download, number, query_of

pytestmark = pytest.mark.browser


def hit_dates(page: Any) -> list[dt.date]:
    """Start dates of the hits on the page, as shown ("1 Jun 2014 – 31 Dec 2016")."""
    found = []
    for meta in page.locator("ol.hits > li.hit > p.meta:not(.partners)").all_inner_texts():
        match = re.search(r"(\d{1,2} \w{3} \d{4}) –", meta)
        if match:
            found.append(dt.datetime.strptime(match.group(1), "%d %b %Y").date())
    return found


def test_typing_a_query_and_pressing_enter_shows_results(page: Any) -> None:
    for start in ("/", "/?q=health&country=FI"):
        page.goto(start)
        box = page.get_by_role("searchbox", name=SEARCH_BOX)
        box.fill("energy")
        box.press("Enter")
        page.wait_for_url(re.compile(r"q=energy"))
        expect(page.locator("#results-heading")).to_contain_text("for “energy”")
        assert query_of(page)["q"] == ["energy"]


def test_a_query_typed_on_a_page_sorted_by_date_is_ranked_by_relevance(page: Any) -> None:
    page.goto("/?country=FI")  # no words: the newest first
    expect(page.get_by_label("Sort by")).to_have_value("-start_date")
    box = page.get_by_role("searchbox", name=SEARCH_BOX)
    box.fill("hydrogen storage")
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=hydrogen"))
    expect(page.get_by_label("Sort by")).to_have_value("relevance")
    assert query_of(page) == {"q": ["hydrogen storage"], "country": ["FI"]}  # no sort, no empty field


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_empty_filter_fields_never_reach_the_address(page: Any, no_js_page: Any, javascript: bool) -> None:
    browser_page = page if javascript else no_js_page
    browser_page.goto("/")
    browser_page.get_by_text("More filters").click()
    browser_page.get_by_label("Start year").fill("2015..2016")
    browser_page.get_by_role("button", name="Apply filters").click()
    browser_page.wait_for_url(re.compile(r"start_year="))
    assert query_of(browser_page) == {"start_year": ["2015..2016"]}
    expect(browser_page.get_by_role("link", name=re.compile("Remove filter Start year"))).to_be_visible()


def test_the_sort_select_submits_itself_with_javascript(page: Any) -> None:
    page.goto("/?q=energy&country=FI&country=EE")
    total = number(page.locator("#results-heading").inner_text())
    expect(page.get_by_role("button", name="Sort", exact=True)).to_be_hidden()
    page.get_by_label("Sort by").select_option(label="Newest start")
    page.wait_for_url(re.compile(r"sort=-start_date"))
    expect(page.get_by_label("Sort by")).to_have_value("-start_date")
    assert sorted(query_of(page)["country"]) == ["EE", "FI"]
    assert number(page.locator("#results-heading").inner_text()) == total
    dates = hit_dates(page)
    assert len(dates) > 10 and dates == sorted(dates, reverse=True)
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="2", exact=True).click()
    page.wait_for_url(re.compile(r"page=2"))
    assert query_of(page)["sort"] == ["-start_date"]
    later = hit_dates(page)
    assert later == sorted(later, reverse=True) and later[0] <= dates[-1]


def test_the_sort_button_submits_without_javascript(no_js_page: Any) -> None:
    no_js_page.goto("/?q=energy&country=FI&country=EE")
    total = number(no_js_page.locator("#results-heading").inner_text())
    no_js_page.get_by_label("Sort by").select_option(label="Title A–Z")
    assert "sort=" not in no_js_page.url  # nothing submitted it
    no_js_page.get_by_role("button", name="Sort", exact=True).click()
    no_js_page.wait_for_url(re.compile(r"sort=title"))
    expect(no_js_page.get_by_label("Sort by")).to_have_value("title")
    assert sorted(query_of(no_js_page)["country"]) == ["EE", "FI"]
    assert number(no_js_page.locator("#results-heading").inner_text()) == total


def test_the_csv_link_exports_a_query_with_an_ampersand(page: Any, tmp_path: Path) -> None:
    page.goto("/?q=R%26D+cooperation")
    total = number(page.locator("#results-heading").inner_text())
    lines = _download(page, "CSV", tmp_path).read_text(encoding="utf-8-sig").splitlines()
    assert "query: R&D cooperation" in lines[0]
    assert len(list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))) == total


def test_a_grant_number_typed_on_the_home_page_opens_its_project(page: Any) -> None:
    page.goto("/?q=hydrogen&limit=1")
    link = page.locator("ol.hits > li.hit h3 a").first
    project_id = link.get_attribute("href").removeprefix("/projects/")  # type: ignore[union-attr]
    assert project_id.startswith("cordis:")
    page.goto("/")
    box = page.get_by_role("searchbox", name=SEARCH_BOX)
    box.fill(project_id.removeprefix("cordis:"))
    box.press("Enter")
    page.wait_for_url(re.compile(r"/projects/"))
    assert page.url.endswith(f"/projects/{project_id}")
