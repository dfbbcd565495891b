"""Every page type, the API docs included, in headless Chromium under the portal's real
Content-Security-Policy, with every request to another host blocked: no policy violation, no
outside request, and /docs still lists and runs the API's operations. Screenshots of each page go
to test-artifacts/screenshots/security-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.web.conftest import CITY_TWINS, HOSTILE

pytestmark = pytest.mark.browser

# Recorded in the page itself, before any of its scripts run.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}`);
});
"""


@dataclass
class Guard:
    """What the browser was stopped from doing or complained about."""

    outside: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def guard() -> Guard:
    return Guard()


@pytest.fixture
def offline_page(chromium: Any, server: str, guard: Guard) -> Iterator[Any]:
    """A page whose requests to any host but 127.0.0.1 are recorded and aborted, as if offline."""
    context = chromium.new_context(base_url=server)
    context.set_default_timeout(15_000)

    def only_loopback(route: Any) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            guard.outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and guard.console.append(message.text))
    page.on("pageerror", lambda error: guard.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()


def visit(page: Any, path: str, status: int, name: str) -> list[str]:
    """Open ``path``, check its status and policy header, save a screenshot, return its violations."""
    response = page.goto(path)
    assert response is not None and response.status == status, path
    assert "script-src 'self'" in response.headers["content-security-policy"], path
    if path == "/docs":
        expect(page.locator(".opblock").first).to_be_visible()  # Swagger UI has drawn the operations
    screenshot(page, f"security-{name}")
    violations: list[str] = page.evaluate("window.__violations")
    return violations


def link_from(page: Any, path: str, prefix: str) -> str:
    page.goto(path)
    href: str = page.locator(f'main a[href^="{prefix}"]').first.get_attribute("href")
    return href


def test_every_page_type_keeps_to_the_policy_and_stays_on_the_portal(offline_page: Any, guard: Guard) -> None:
    page = offline_page
    pages = {
        "search": ("/?q=energy&country=EE", 200),
        "project": (f"/projects/{CITY_TWINS}", 200),
        "project-hostile": (f"/projects/{HOSTILE}", 200),
        "organisation": (link_from(page, f"/projects/{CITY_TWINS}", "/organisations/"), 200),
        "programmes": ("/programmes", 200),
        "programme": (link_from(page, "/programmes", "/programmes/"), 200),
        "about": ("/about", 200),
        "not-found": ("/projects/no-such-project", 404),
        "docs": ("/docs", 200),
    }
    violations = {}
    for name, (path, status) in pages.items():
        violations[name] = visit(page, path, status, name)
    assert {name: found for name, found in violations.items() if found} == {}
    assert [text for text in guard.console if "Content Security Policy" in text] == []
    assert guard.outside == [] and guard.errors == []


def test_the_api_docs_list_and_run_operations_offline(offline_page: Any, guard: Guard) -> None:
    page = offline_page
    page.goto("/docs")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    paths = set(page.locator(".opblock-summary-path").all_inner_texts())
    spec_paths = set(page.request.get("/api/v1/openapi.json").json()["paths"])
    assert {re.sub(r"\s+", "", p) for p in paths} == spec_paths

    stats = page.locator(".opblock").filter(has=page.locator('.opblock-summary-path[data-path="/api/v1/stats"]'))
    stats.locator(".opblock-summary").click()
    stats.get_by_role("button", name="Try it out").click()
    stats.get_by_role("button", name="Execute").click()
    status = stats.locator(".live-responses-table .response .response-col_status").first
    expect(status).to_have_text("200")
    expect(stats.locator(".live-responses-table .response-col_description pre").first).to_contain_text('"projects"')
    screenshot(page, "security-docs-tried")
    assert page.evaluate("window.__violations") == []
    assert [text for text in guard.console if "Content Security Policy" in text] == []
    assert guard.outside == [] and guard.errors == []
