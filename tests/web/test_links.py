"""Addresses from the data become links only when they are web or relative addresses: a project
whose publisher gave ``javascript:`` or ``data:`` addresses renders them as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from euprojects.model import Link, Organisation, Participation, Project, Role
from euprojects.settings import load
from euprojects.store import open_store
from euprojects.web import create_app
from euprojects.web.links import safe_href
from tests.backend import new_store_url

HOSTILE_ADDRESSES = (
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "java\tscript:alert(1)",
    "\x01\njavascript:alert(1)",
    "vbscript:msgbox(1)",
    "mailto:someone@example.org",
)
WEB_ADDRESSES = ("https://example.org/report.pdf", "HTTP://example.org/", "/about", "//example.org/x", "?q=energy")


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_other_schemes_give_no_link(address: str) -> None:
    assert safe_href(address) == ""


@pytest.mark.parametrize("address", WEB_ADDRESSES)
def test_web_and_relative_addresses_are_kept(address: str) -> None:
    assert safe_href(address) == address


def test_addresses_are_read_as_a_browser_reads_them() -> None:
    assert safe_href("\x00 https://exa\nmple.org/a\tb \x1f") == "https://example.org/ab"
    assert safe_href("   ") == "" and safe_href(None) == ""
    assert safe_href("report 2:final.pdf") == "report 2:final.pdf"  # a space ends the scheme: relative


ORG_ID = "test:hostile-links-org"
PROJECT = Project(
    source="test",
    source_id="hostile-links",
    title="Hostile addresses",
    website=" JaVaScRiPt:alert(1)",
    participations=[
        Participation(
            organisation=Organisation(id=ORG_ID, name="Hostile Organisation", website="javascript:alert(1)"),
            role=Role.LEAD,
        )
    ],
    links=[Link(url=address, title=f"hostile {number}") for number, address in enumerate(HOSTILE_ADDRESSES)]
    + [Link(url="https://example.org/report.pdf", title="Final report"), Link(url="/about", title="About")],
)


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The portal over a store that holds one project whose publisher gave hostile addresses."""
    home: Path = tmp_path_factory.mktemp("hostile-links")
    with new_store_url(home) as url:
        settings = load({"EUPROJECTS_HOME": str(home), "EUPROJECTS_DATABASE_URL": url})
        store = open_store(settings.database_url)
        store.save([PROJECT], [], [])
        yield TestClient(create_app(settings, store), raise_server_exceptions=False)
        store.close()


def hrefs(html: str) -> list[str]:
    return re.findall(r'\shref="([^"]*)"', html)


def test_the_project_page_links_no_hostile_address(hostile_client: TestClient) -> None:
    response = hostile_client.get(f"/projects/{PROJECT.id}")
    assert response.status_code == 200
    links = hrefs(response.text)
    assert "https://example.org/report.pdf" in links and "/about" in links
    assert not [h for h in links if re.match(r"\W*(java|vb)script|\W*data:|\W*mailto:", h, re.IGNORECASE)], links
    assert all(f"hostile {number}" in response.text for number in range(len(HOSTILE_ADDRESSES)))
    assert "JaVaScRiPt:alert(1)" in response.text  # the website is still shown, as text


def test_the_organisation_page_links_no_hostile_website(hostile_client: TestClient) -> None:
    response = hostile_client.get(f"/organisations/{ORG_ID}")
    assert response.status_code == 200 and "Hostile Organisation" in response.text
    assert "javascript:alert(1)" in response.text
    assert not [h for h in hrefs(response.text) if "script" in h.lower()]
