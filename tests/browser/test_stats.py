"""The statistics views in headless Chromium, for all the data and for a search: every chart is
drawn from its table, the maps show, the links lead from a search to its statistics and back, the
policy is kept, and no request leaves 127.0.0.1. Screenshots go to
test-artifacts/screenshots/stats-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_security import Guard, guard, offline_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
VIEWS = {
    "all": "/stats",
    "search": "/stats?q=energy&fund=H2020&fund=HORIZON",
    "filter-eu-map": "/stats?country=FI&map=eu_contribution_eur",
    "per-project-map": "/stats?map=eu_per_project",
    "participations-map": "/stats?q=climate&map=participations",
}


def _charts_drawn(page: Any) -> None:
    """Every figure whose table has rows gets its chart, and the chart has pixels drawn."""
    charted = "figure[data-chart=bar], figure[data-chart=stacked], figure[data-chart=lines]"
    expected = page.locator(charted).filter(has=page.locator("tbody tr"))
    count = expected.count()
    assert count >= 5
    expect(page.locator("figure.charted canvas")).to_have_count(count)
    painted = page.evaluate(
        """() => Array.from(document.querySelectorAll('figure.charted canvas')).every((c) => {
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
            return false;
        })"""
    )
    assert painted


@pytest.mark.parametrize("name", list(VIEWS))
def test_each_statistics_view_draws_its_charts_and_maps_offline(offline_page: Any, guard: Guard, name: str) -> None:  # noqa: F811
    page = offline_page
    response = page.goto(VIEWS[name])
    assert response is not None and response.status == 200
    expect(page.locator("svg[data-map=countries] use[data-country]").first).to_be_attached()
    assert page.locator("svg[data-map=countries] use[data-country]").count() > 40
    assert page.locator("svg[data-map=countries] use[fill='#08519c']").count() >= 1  # the darkest class is used
    assert page.locator("svg[data-map=links] line").count() >= 1
    assert page.locator("svg[data-map=places] circle").count() >= 1
    _charts_drawn(page)
    screenshot(page, f"stats-{name}")
    assert page.evaluate("window.__violations") == []
    assert guard.outside == [] and guard.errors == []
    assert [text for text in guard.console if "Content Security Policy" in text] == []


def test_from_a_search_to_its_statistics_and_back(offline_page: Any, guard: Guard) -> None:  # noqa: F811
    page = offline_page
    page.goto("/?q=energy&country=FI")
    total = page.locator("#to-stats").inner_text()
    page.locator("#to-stats").click()
    page.wait_for_url("**/stats?q=energy&country=FI")
    assert page.url.endswith("/stats?q=energy&country=FI")
    shown = page.locator("[data-total=projects]").inner_text()
    assert shown.replace("\u00a0", "").replace(",", "") in total.replace("\u00a0", "").replace(",", "")
    page.locator("#to-search").click()
    page.wait_for_url("**/?q=energy&country=FI")
    assert page.url.endswith("/?q=energy&country=FI")
    screenshot(page, "stats-back-to-search")
    assert guard.outside == [] and guard.errors == []
