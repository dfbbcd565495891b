"""Security headers on every kind of response, in-process: pages, the API docs, the API and its
errors, exports, static files, and the page of an unexpected failure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from euprojects.settings import load
from euprojects.store import open_store
from euprojects.web import create_app
from tests.backend import BACKEND, execute, new_store_url
from tests.web.conftest import CITY_TWINS

# What the portal promises (docs/operations.md), written out rather than read from the code.
REQUIRED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy(response: Response) -> dict[str, list[str]]:
    directives = [d.split() for d in response.headers["content-security-policy"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


def assert_secure(response: Response) -> None:
    url = response.request.url
    found = policy(response)
    assert {name: found.get(name) for name in REQUIRED_POLICY} == REQUIRED_POLICY, url
    sources = [source for values in found.values() for source in values]
    assert not [s for s in sources if "unsafe" in s or "://" in s or s in ("*", "http:", "https:")], url
    assert response.headers["x-content-type-options"] == "nosniff", url
    assert response.headers["x-frame-options"] == "DENY", url
    assert response.headers["referrer-policy"] in ("strict-origin-when-cross-origin", "same-origin", "no-referrer")


def first_link(client: TestClient, url: str, prefix: str) -> str:
    found = re.search(rf'href="({re.escape(prefix)}[^"]+)"', client.get(url).text)
    assert found, f"no link to {prefix} on {url}"
    return found.group(1).replace("&amp;", "&")


def test_every_page_type_carries_the_headers(client: TestClient) -> None:
    pages = {
        "/?q=energy&country=EE": 200,
        f"/projects/{CITY_TWINS}": 200,
        first_link(client, f"/projects/{CITY_TWINS}", "/organisations/"): 200,
        "/programmes": 200,
        first_link(client, "/programmes", "/programmes/"): 200,
        "/about": 200,
        "/docs": 200,
        "/projects/no-such-project": 404,
        "/no/such/page": 404,
        "/?start_year=soon": 400,
    }
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status and response.headers["content-type"].startswith("text/html"), url
        assert_secure(response)


def test_api_answers_errors_exports_and_static_files_carry_the_headers(client: TestClient) -> None:
    for url, status in {
        "/api/v1/search?q=energy": 200,
        f"/api/v1/projects/{CITY_TWINS}": 200,
        "/api/v1/openapi.json": 200,
        "/api/v1/export?format=csv&q=spintronics": 200,
        "/api/v1/search?limit=5000": 400,
        "/api/v1/projects/no-such-project": 404,
        "/static/style.css": 200,
        "/static/vendor/swagger-ui/swagger-ui-bundle.js": 200,
    }.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert_secure(response)
    etag = client.get(f"/api/v1/projects/{CITY_TWINS}").headers["etag"]
    unchanged = client.get(f"/api/v1/projects/{CITY_TWINS}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert_secure(unchanged)


def test_the_api_still_allows_reading_from_other_origins(client: TestClient) -> None:
    response = client.get("/api/v1/search?q=energy", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert_secure(response)


def test_an_unexpected_failure_carries_the_headers_too(tmp_path: Path) -> None:
    with new_store_url(tmp_path) as url:
        settings = load({"EUPROJECTS_HOME": str(tmp_path), "EUPROJECTS_DATABASE_URL": url})
        store = open_store(settings.database_url)
        client = TestClient(create_app(settings, store), raise_server_exceptions=False)
        # a store broken behind the portal's back (PostgreSQL drops what depends on the table too)
        execute(url, "DROP TABLE projects" + (" CASCADE" if BACKEND == "postgresql" else ""))
        _assert_failures_are_secure(client)
        store.close()


def _assert_failures_are_secure(client: TestClient) -> None:
    for url, kind in (("/about", "text/html"), ("/api/v1/stats", "application/json")):
        response = client.get(url)
        assert response.status_code == 500 and response.headers["content-type"].startswith(kind), url
        assert "Traceback" not in response.text
        assert_secure(response)


@pytest.mark.parametrize("url", ["/?q=energy", f"/projects/{CITY_TWINS}", "/programmes", "/about", "/docs"])
def test_pages_have_no_inline_script_or_style(client: TestClient, url: str) -> None:
    tags = re.findall(r"<[a-zA-Z][^>]*>", client.get(url).text)
    assert not [t for t in tags if re.search(r"\s(style|on[a-z]+)\s*=", t, re.IGNORECASE)], url
    assert not [t for t in tags if t.lower().startswith("<style")], url
    scripts = [t for t in tags if t.lower().startswith("<script")]
    assert scripts and all(re.search(r'\ssrc="/static/[^"]+"', t) for t in scripts), scripts


def test_the_api_docs_come_from_the_portal_itself(client: TestClient) -> None:
    html = client.get("/docs").text
    assets = re.findall(r'<(?:script|link)[^>]*\s(?:src|href)="([^"]+)"', html)
    assert {"/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/vendor/swagger-ui/swagger-ui.css"} <= set(assets)
    assert all(asset.startswith("/static/") for asset in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    openapi = re.search(r'data-openapi-url="([^"]+)"', html)
    assert openapi and client.get(openapi.group(1)).json()["paths"]
