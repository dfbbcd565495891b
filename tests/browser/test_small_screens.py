"""The portal on a phone (390 px) and on the narrowest and widest screens it is made for: no page
scrolls sideways, the header band spans the page, and the facets are reachable from the top.
Each page is saved as a screenshot in test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Watch, _context, screenshot
from tests.web.conftest import CITY_TWINS, HOSTILE

pytestmark = pytest.mark.browser

PAGES = {
    "search": "/?q=energy",
    "search-filtered": "/?q=water&country=FI&start_year=2015..2020",
    "city-twins": f"/projects/{CITY_TWINS}",
    "hostile-project": f"/projects/{HOSTILE}",
    "hycare": "/projects/cordis:826352",
    "programmes": "/programmes",
    "about": "/about",
    "docs": "/docs",
}


@pytest.fixture(params=[360, 390, 1440], ids=lambda width: f"{width}px")
def sized_page(request: pytest.FixtureRequest, chromium: Any, server: str, watch: Watch) -> Iterator[Any]:
    context = _context(chromium, server, watch, viewport={"width": request.param, "height": 800})
    try:
        page = context.new_page()
        page.width = request.param
        yield page
        assert watch.errors == [], watch.errors
    finally:
        context.close()


def sideways(page: Any) -> int:
    """How far the page reaches beyond the window, in pixels (0: no sideways scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


@pytest.mark.parametrize("name", list(PAGES))
def test_no_page_scrolls_sideways(sized_page: Any, name: str) -> None:
    sized_page.goto(PAGES[name])
    sized_page.wait_for_load_state("networkidle")
    screenshot(sized_page, f"{sized_page.width}px-{name}")
    assert sideways(sized_page) == 0, name
    band = sized_page.locator("header.site").bounding_box()
    assert band is not None and band["width"] >= sized_page.width - 1


def test_an_organisation_page_fits_a_phone(sized_page: Any) -> None:
    sized_page.goto(f"/projects/{CITY_TWINS}")
    sized_page.locator("table.partners a").first.click()
    sized_page.wait_for_url(re.compile(r"/organisations/"))
    screenshot(sized_page, f"{sized_page.width}px-organisation")
    assert sideways(sized_page) == 0


def test_the_facets_are_reachable_from_the_top_of_the_results(sized_page: Any) -> None:
    sized_page.goto("/?q=Aalborg")
    refine = sized_page.locator("details.refine")
    country = sized_page.locator("section.facet", has_text="Partner country")
    if sized_page.width > 900:
        expect(country).to_be_visible()  # beside the results, always open
        return
    summary = refine.locator(":scope > summary")
    box = summary.bounding_box()
    assert box is not None and box["y"] < 800  # within the first screen
    expect(country).to_be_hidden()
    summary.click()
    expect(country).to_be_visible()
    screenshot(sized_page, f"{sized_page.width}px-facets-open")
    country.locator("a.facet-value").first.click()
    sized_page.wait_for_url(re.compile(r"country="))
    expect(sized_page.locator(".active .chip").first).to_be_visible()
