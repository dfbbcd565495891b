"""Search and the API over the PostgreSQL store answer as they do over SQLite."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from euprojects.search import Searcher, SearchRequest
from euprojects.search.engine import Hit
from tests.pg.conftest import Backend

pytestmark = pytest.mark.postgres
QUERIES = ("climate", "ocean plastic", "hydrogen storage", "north sea harbour", "")


@pytest.mark.parametrize("query", QUERIES)
def test_a_search_finds_the_same_projects_on_both_backends(small: dict[str, Backend], query: str) -> None:
    results = {
        name: Searcher(backend.index_dir, backend.store).search(
            SearchRequest(query=query, limit=200, filters={"country": ["NO"]} if not query else {})
        )
        for name, backend in small.items()
    }
    ours, theirs = results["postgresql"], results["sqlite"]
    assert ours.total == theirs.total and ours.total > 0
    assert _ranked(ours.hits) == _ranked(theirs.hits)
    assert ours.facets == theirs.facets


def _ranked(hits: list[Hit]) -> list[tuple[float, str, str | None, list[str]]]:
    """Hits by score, leaving out those tied at the page's lowest score: ties are ordered by the
    store's project numbers, which are given in save order and differ between two stores."""
    lowest = min((h.score for h in hits), default=0.0)
    kept = [h for h in hits if h.score > lowest] if len(hits) == 200 else hits
    return sorted((round(h.score, 4), h.id, h.title, h.countries) for h in kept)


def _json(client: TestClient, path: str) -> object:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    return response.json()


def test_the_api_answers_alike(small: dict[str, Backend], clients: dict[str, TestClient]) -> None:
    sqlite = small["sqlite"].store
    project = next(p for p in sqlite.projects(sqlite.project_ids()[:300]) if len(p.participations) > 3)
    org = project.participations[1].organisation.id
    paths = [
        f"/api/v1/organisations/{org}",
        "/api/v1/programmes",
        "/api/v1/facets/country",
    ]
    for path in paths:
        assert _json(clients["postgresql"], path) == _json(clients["sqlite"], path), path
    ours = _json(clients["postgresql"], f"/api/v1/projects/{project.id}")["data"]  # type: ignore[index]
    assert ours["title"] == project.title
    assert [p["organisation"]["id"] for p in ours["participations"]] == [
        p.organisation.id for p in project.participations
    ]
    stats = _json(clients["postgresql"], "/api/v1/stats")["data"]  # type: ignore[index]
    theirs = _json(clients["sqlite"], "/api/v1/stats")["data"]  # type: ignore[index]
    assert stats["projects"] == theirs["projects"] > 2500


def test_pages_render_from_postgresql(small: dict[str, Backend], clients: dict[str, TestClient]) -> None:
    project = small["postgresql"].store.project_ids()[0]
    for path in ("/", "/?q=climate", f"/projects/{project}", "/programmes", "/stats"):
        response = clients["postgresql"].get(path)
        assert response.status_code == 200, (path, response.text[:300])
