"""Search modes, similar projects and partner search through the portal and the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from euprojects.search import Searcher
from euprojects.semantic.embed import EmbedReport
from euprojects.semantic.search import SemanticSearcher
from euprojects.settings import load
from euprojects.store import Store
from euprojects.web import create_app

pytestmark = pytest.mark.slow  # the embedded corpus takes about a minute to build

WATER = "erc:stg-suliwa-20080801"
IDEA = (
    "We want to understand how ice forms in clouds above the oceans and how tiny particles "
    "from sea spray start freezing, to improve weather and climate models."
)


@pytest.fixture(scope="module")
def portal(semantic_corpus: tuple[Store, Path, EmbedReport], semantic_searcher: SemanticSearcher) -> TestClient:
    store, index_dir, _ = semantic_corpus
    settings = load({"EUPROJECTS_HOME": str(index_dir.parent)})
    return TestClient(create_app(settings, store, semantic_searcher), raise_server_exceptions=False)


def test_the_api_searches_in_each_mode(portal: TestClient) -> None:
    totals = {}
    for mode in ("keyword", "semantic", "hybrid"):
        answer = portal.get("/api/v1/search", params={"q": "supercooled water", "mode": mode, "source": "erc"})
        assert answer.status_code == 200, answer.text
        data = answer.json()["data"]
        assert all(hit["source"] == "erc" for hit in data["hits"])
        totals[mode] = data["total"]
    assert totals["keyword"] <= totals["hybrid"]


def test_an_unknown_mode_is_a_400_naming_the_parameter(portal: TestClient) -> None:
    answer = portal.get("/api/v1/search", params={"q": "water", "mode": "vectors"})
    assert answer.status_code == 400
    assert answer.json()["error"]["parameter"] == "mode"


def test_similar_projects_by_id(portal: TestClient) -> None:
    answer = portal.get(f"/api/v1/projects/{WATER}/similar", params={"limit": 3})
    assert answer.status_code == 200, answer.text
    ids = [hit["id"] for hit in answer.json()["data"]]
    assert len(ids) == 3 and WATER not in ids
    assert portal.get("/api/v1/projects/erc:no-such-project/similar").status_code == 404


def test_the_project_page_shows_similar_projects(portal: TestClient) -> None:
    page = portal.get(f"/projects/{WATER}")
    assert page.status_code == 200
    assert "Similar projects" in page.text


def test_partners_for_an_idea(portal: TestClient) -> None:
    answer = portal.get("/api/v1/ideas", params={"idea": IDEA})
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["projects"] and data["organisations"]
    assert "erc:cog-marineice-20150801" in [p["id"] for p in data["projects"]]
    scores = [org["score"] for org in data["organisations"]]
    assert scores == sorted(scores, reverse=True)


def test_partners_filtered_by_country(portal: TestClient) -> None:
    answer = portal.get("/api/v1/ideas", params={"idea": IDEA, "country": "DE"})
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["projects"]
    assert all("DE" in hit["countries"] for hit in data["projects"])
    # an organisation whose country the source does not give is left out, not guessed
    assert all(org["country"] == "DE" for org in data["organisations"])


def test_a_too_short_idea_is_a_one_line_error(portal: TestClient) -> None:
    answer = portal.get("/api/v1/ideas", params={"idea": "ice"})
    assert answer.status_code == 400
    assert "at least 3 words" in answer.json()["error"]["message"]


def test_the_partners_page_lists_organisations_with_their_projects(portal: TestClient) -> None:
    page = portal.get("/ideas", params={"idea": IDEA})
    assert page.status_code == 200
    assert "Organisations with the closest track record" in page.text
    assert "/organisations/" in page.text
    assert "<script>" not in page.text


def test_the_search_page_offers_the_modes(portal: TestClient) -> None:
    page = portal.get("/", params={"q": "supercooled water", "mode": "semantic"})
    assert page.status_code == 200
    assert 'value="semantic" checked' in page.text


def test_without_semantic_search_the_portal_says_so(corpus: tuple[Store, Path], corpus_searcher: Searcher) -> None:
    store, index_dir = corpus
    settings = load({"EUPROJECTS_HOME": str(index_dir.parent)})
    keyword_only = TestClient(create_app(settings, store, corpus_searcher), raise_server_exceptions=False)
    assert "Search by meaning is not installed" in keyword_only.get("/", params={"q": "water"}).text
    assert "not installed" in keyword_only.get("/ideas").text
    answer = keyword_only.get("/api/v1/ideas", params={"idea": IDEA})
    assert answer.status_code == 400 and "not installed" in answer.json()["error"]["message"]
