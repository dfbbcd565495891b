"""Partner search, an organisation page and the collaboration network in headless Chromium, with
every request to another host blocked: the drawing is made by the portal's own copy of
Cytoscape.js under the real Content-Security-Policy, nothing leaves 127.0.0.1, and the tables
behind the drawing hold the same nodes. Screenshots go to test-artifacts/screenshots/orgs-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_security import RECORD_VIOLATIONS

pytestmark = pytest.mark.browser


class Requests:
    """Every request the page made, and those that went (or tried to go) elsewhere."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
def requests() -> Requests:
    return Requests()


@pytest.fixture
def offline(chromium: Any, server: str, requests: Requests) -> Iterator[Any]:
    context = chromium.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)

    def only_loopback(route: Any) -> None:
        requests.seen.append(route.request.url)
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            requests.outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.on("pageerror", lambda error: requests.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and requests.errors.append(message.text))
    try:
        yield page
        assert requests.outside == [], requests.outside
        assert requests.errors == [], requests.errors
        assert all(urlparse(url).hostname == "127.0.0.1" for url in requests.seen)
    finally:
        context.close()


def violations(page: Any) -> list[str]:
    found: list[str] = page.evaluate("window.__violations")
    return found


def test_partner_search_then_an_organisation_then_its_network(offline: Any, requests: Requests) -> None:
    page = offline
    page.goto("/partners")
    page.get_by_label("Topic").fill("hydrogen")
    page.get_by_label("Has led a project").check()
    page.get_by_role("button", name="Find partners").click()
    expect(page.locator("#partners-heading")).to_contain_text("with projects on “hydrogen”")
    first = page.locator("li.partner-hit").first
    expect(first.locator("ul.evidence li").first).to_be_visible()
    assert "has_led=true" in page.url
    screenshot(page, "orgs-partner-search")
    name = first.locator("h3 a").inner_text()

    first.locator("h3 a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("heading", name="Activity")).to_be_visible()
    expect(page.locator("table caption", has_text="By programme")).to_be_visible()
    screenshot(page, "orgs-organisation")
    assert violations(page) == []

    page.get_by_role("link", name="Collaboration network").click()
    drawing = page.locator("#network-drawing canvas").first
    expect(drawing).to_be_visible()
    page.wait_for_function("window.__network && window.__network.nodes().length > 1")
    drawn = page.evaluate("window.__network.nodes().map(n => n.id())")
    table = page.locator("details.network-tables table").first.locator("tbody tr")
    assert table.count() == len(drawn) > 1
    box = page.locator("#network-drawing").bounding_box()
    assert box is not None and box["height"] > 300 and box["width"] > 500
    screenshot(page, "orgs-network")
    assert violations(page) == []
    assert any(url.endswith("/static/vendor/cytoscape/cytoscape.min.js") for url in requests.seen)


def test_a_countrys_network_of_countries_is_drawn_and_a_node_opens_its_network(offline: Any) -> None:
    page = offline
    page.goto("/network?country=FI&level=countries&limit=15")
    page.wait_for_function("window.__network && window.__network.nodes().length > 1")
    assert page.evaluate("window.__network.nodes()[0].id()") == "FI"
    screenshot(page, "orgs-network-countries")
    assert violations(page) == []
    other = page.evaluate("window.__network.nodes()[1].id()")
    page.evaluate(f"window.__network.getElementById('{other}').emit('tap')")
    page.wait_for_url(f"**/network?country={other}")
    page.wait_for_function("window.__network && window.__network.nodes().length > 1")
    assert page.evaluate("window.__network.nodes()[0].id()") == other
