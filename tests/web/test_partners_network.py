"""Partner search, the collaboration network and organisation activity over HTTP, in-process: the
API and the pages agree with the library, bad input gets one clear line, data is escaped."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient

from euprojects.orgs.partners import PartnerQuery, find_partners
from euprojects.search import Searcher
from euprojects.store import Store
from euprojects.views import organisation_record
from tests.backend import column
from tests.web.conftest import CITY_TWINS

Corpus = tuple[Store, Path]


def ok(client: TestClient, url: str) -> dict:  # type: ignore[type-arg]
    response = client.get(url)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    return body["data"]  # type: ignore[no-any-return]


def problem(client: TestClient, url: str, status: int, parameter: str | None) -> str:
    response = client.get(url)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["parameter"] == parameter and "\n" not in error["message"]
    return str(error["message"])


def test_the_partners_api_is_the_librarys_answer(client: TestClient, corpus: Corpus, corpus_searcher: Searcher) -> None:
    store, _ = corpus
    data = ok(client, "/api/v1/partners?q=hydrogen&country=Germany&limit=5")
    expected = find_partners(corpus_searcher, store, PartnerQuery(query="hydrogen", country=("DE",), limit=5))
    assert [h["id"] for h in data["hits"]] == [h.id for h in expected.hits] and len(data["hits"]) == 5
    assert data["total"] == expected.total and {h["country"] for h in data["hits"]} == {"DE"}
    assert data["hits"][0]["evidence"][0]["url"].startswith("/projects/")


def test_bad_partner_parameters_are_named(client: TestClient) -> None:
    assert "q" in problem(client, "/api/v1/partners?q=%20%20", 400, "q")
    assert "Atlantis" in problem(client, "/api/v1/partners?q=water&country=Atlantis", 400, "country")
    problem(client, "/api/v1/partners?q=water&nuts=EL%3B1", 400, "nuts")
    problem(client, "/api/v1/partners?q=water&limit=0", 400, "limit")
    problem(client, "/api/v1/partners?q=water&has_led=perhaps", 400, "has_led")
    problem(client, "/api/v1/partners", 400, "q")
    problem(client, "/api/v1/partners?q=" + "x" * 1001, 400, "q")


def test_the_partners_page_lists_organisations_and_their_evidence(client: TestClient) -> None:
    data = ok(client, "/api/v1/partners?q=hydrogen&org_type=REC&limit=10")
    page = client.get("/partners?q=hydrogen&org_type=REC")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for hit in data["hits"]:
        assert f'href="{hit["url"]}"' in page.text and hit["name"] in text
        assert f'href="{hit["evidence"][0]["url"]}"' in page.text
    assert re.search(r'<option value="REC" selected>', page.text)
    assert f"{data['total']:,}".replace(",", "\u00a0") in page.text


def test_the_partners_page_without_a_topic_is_a_form_and_with_a_bad_one_an_error(client: TestClient) -> None:
    empty = client.get("/partners")
    assert empty.status_code == 200 and 'name="q"' in empty.text and "partner-hit" not in empty.text
    bad = client.get("/partners?q=water&country=Atlantis")
    assert bad.status_code == 400 and "Atlantis" in html.unescape(bad.text) and 'role="alert"' in bad.text


def test_a_project_page_opens_partner_search_seeded_with_the_project(client: TestClient, corpus: Corpus) -> None:
    store, _ = corpus
    candidates = column(
        store.url,
        "SELECT id FROM projects WHERE listed = 1 AND title IS NOT NULL AND programme IS NOT NULL ORDER BY id",
    )
    project = next(
        p
        for start in range(0, len(candidates), 500)
        for p in store.projects(candidates[start : start + 500])
        if p.themes
    )
    page = client.get(f"/projects/{project.id}")
    assert "Looking for a partnership?" in page.text
    link = re.search(r'<a href="(/partners\?[^"]+)">Find organisations', page.text)
    assert link, "the project page links to partner search"
    params = parse_qs(urlparse(html.unescape(link.group(1))).query)
    assert params["programme"] == [project.programme]
    assert all(theme.split()[0] in params["q"][0] for theme in project.themes[:6])
    seeded = client.get(html.unescape(link.group(1)))
    assert seeded.status_code == 200 and "partner-hit" in seeded.text


def test_the_network_api_and_its_errors(client: TestClient, corpus: Corpus) -> None:
    store, _ = corpus
    city_twins = store.project(CITY_TWINS)
    assert city_twins is not None
    org = city_twins.participations[0].organisation.id
    data = ok(client, f"/api/v1/network?org={org}&limit=5")
    assert data["scope"] == "organisation" and data["nodes"][0]["id"] == org and len(data["nodes"]) <= 5
    countries = ok(client, "/api/v1/network?country=Finland&level=countries")
    assert countries["of"] == "FI" and countries["nodes"][0]["id"] == "FI"
    topic = ok(client, "/api/v1/network?q=hydrogen&level=countries&limit=200")
    assert topic["scope"] == "search" and topic["projects_matched"] >= topic["projects"] > 0
    problem(client, "/api/v1/network", 400, "org")
    problem(client, "/api/v1/network?org=pic:1&country=FI", 400, "org")
    problem(client, "/api/v1/network?org=pic:0", 404, "org")
    problem(client, "/api/v1/network?country=Atlantis", 400, "country")
    problem(client, "/api/v1/network?country=FI&limit=1", 400, "limit")
    problem(client, "/api/v1/network?country=FI&level=people", 400, "level")
    assert "words" in problem(client, "/api/v1/network?q=%2B%2B%2B", 400, "q")


def test_the_network_page_has_the_drawings_data_and_its_tables(client: TestClient) -> None:
    page = client.get("/network?country=FI&limit=10")
    assert page.status_code == 200
    data = ok(client, "/api/v1/network?country=FI&limit=10")
    block = re.search(r'<script type="application/json" id="network-data">(.*?)</script>', page.text, re.S)
    assert block, "the drawing's data is in the page"
    drawn = json.loads(block.group(1))
    assert drawn["nodes"] == data["nodes"] and drawn["edges"] == data["edges"]
    rows = re.findall(r"<tr><td><a href=\"/network\?country=(\w+)\">", page.text)
    assert rows == [node["id"] for node in data["nodes"]]
    assert '<script src="/static/vendor/cytoscape/cytoscape.min.js" defer></script>' in page.text
    assert client.get("/static/vendor/cytoscape/cytoscape.min.js").status_code == 200
    assert client.get("/network").status_code == 200
    assert client.get("/network?country=Atlantis").status_code == 400


def test_names_in_the_network_data_cannot_close_its_block(client: TestClient, corpus: Corpus) -> None:
    """The corpus' hostile keep.eu page names partners with markup; their network is escaped."""
    store, _ = corpus
    hostile = store.project("keep:interreg-v-a-estonia-latvia-2014-2020:safe-render")
    assert hostile is not None
    marked = [p.organisation for p in hostile.participations if "<" in (p.organisation.name or "")]
    assert marked, "the hostile fixture names a partner with markup"
    page = client.get(f"/network?org={marked[0].id}")
    assert page.status_code == 200
    block = re.search(r'<script type="application/json" id="network-data">(.*?)</script>', page.text, re.S)
    assert block and "<" not in block.group(1)
    assert marked[0].name in {n["label"] for n in json.loads(block.group(1))["nodes"]}
    assert "<script>" not in page.text.replace('<script type="application/json"', "")


def test_the_organisation_page_shows_its_activity(client: TestClient, corpus: Corpus) -> None:
    store, _ = corpus
    org_id = column(
        store.url, "SELECT org_id FROM participations GROUP BY org_id ORDER BY COUNT(DISTINCT project_id) DESC LIMIT 1"
    )[0]
    record = organisation_record(store, org_id)
    assert record is not None and record.activity is not None
    data = ok(client, f"/api/v1/organisations/{org_id}")
    assert data["activity"]["projects"] == record.activity.projects
    assert data["activity"]["by_programme"][0]["key"] == record.activity.by_programme[0].key
    page = client.get(f"/organisations/{org_id}")
    text = html.unescape(page.text)
    assert f"{record.activity.led} of {record.activity.projects} projects" in text
    assert "By programme" in text and "Partner countries" in text
    assert f'href="/network?org={org_id.replace(":", "%3A")}"' in page.text


def test_the_openapi_document_describes_the_new_operations(client: TestClient) -> None:
    spec = ok_spec(client)
    assert {"/api/v1/partners", "/api/v1/network"} <= set(spec["paths"])
    assert {"PartnersEnvelope", "NetworkEnvelope"} <= set(spec["components"]["schemas"])


def ok_spec(client: TestClient) -> dict:  # type: ignore[type-arg]
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_a_search_leads_to_its_partners_and_its_network(client: TestClient) -> None:
    page = client.get("/?q=hydrogen+storage")
    assert page.status_code == 200
    assert 'href="/partners?q=hydrogen+storage"' in page.text and 'href="/network?q=hydrogen+storage"' in page.text
    assert client.get("/network?q=hydrogen+storage").status_code == 200
    assert "partner-hit" in client.get("/partners?q=hydrogen+storage").text
