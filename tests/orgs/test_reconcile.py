"""``/reconcile`` answers what OpenRefine sends, and ``euprojects orgs match`` the same."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from euprojects.cli import main
from euprojects.store import Store

# What OpenRefine's StandardReconConfig posts (form-encoded, one batch of queries).
BATCH = {
    "q0": {
        "query": "Ecole Polytechnique Fédérale de Lausanne",
        "type": "organisation",
        "type_strict": "should",
        "limit": 3,
        "properties": [{"pid": "country", "v": "CH"}],
    },
    "q1": {"query": "ΑΡΙΣΤΟΤΕΛΕΙΟ ΠΑΝΕΠΙΣΤΗΜΙΟ ΘΕΣΣΑΛΟΝΙΚΗΣ", "type": "organisation", "limit": 3},
    "q2": {"query": "Zzyzx Qwerty Holdings", "limit": 3},
}


def test_manifest(client: TestClient) -> None:
    manifest = client.get("/reconcile").json()
    assert "0.2" in manifest["versions"]
    assert manifest["defaultTypes"][0]["id"] == "organisation"
    assert manifest["view"]["url"].endswith("/organisations/{{id}}")
    assert "{{id}}" in manifest["preview"]["url"]


@pytest.mark.parametrize("method", ["post", "get"])
def test_batch_queries_as_openrefine_sends_them(client: TestClient, method: str) -> None:
    queries = json.dumps(BATCH)
    if method == "post":
        response = client.post("/reconcile", data={"queries": queries})
    else:
        response = client.get("/reconcile", params={"queries": queries})
    assert response.status_code == 200
    answers = response.json()
    assert set(answers) == {"q0", "q1", "q2"}
    epfl = answers["q0"]["result"][0]
    assert epfl["id"] == "pic:999973971" and epfl["score"] >= 95
    assert {"id", "name", "score", "match", "type"} <= set(epfl)
    assert len(answers["q0"]["result"]) <= 3
    greek = answers["q1"]["result"][0]
    assert greek["name"] == "ARISTOTELIO PANEPISTIMIO THESSALONIKIS" and greek["match"] is True
    assert not any(r["match"] for r in answers["q2"]["result"])
    view = client.get(f"/organisations/{epfl['id']}")
    assert view.status_code == 200
    assert "LAUSANNE" in client.get("/reconcile/preview", params={"id": epfl["id"]}).text


def test_a_bad_batch_is_a_clear_400(client: TestClient) -> None:
    response = client.post("/reconcile", data={"queries": "{not json"})
    assert response.status_code == 400 and "queries" in response.json()["error"]
    response = client.post("/reconcile", data={"queries": '{"q0": {"limit": 3}}'})
    assert response.status_code == 400 and "q0" in response.json()["error"]


def test_a_merged_id_redirects_to_its_organisation(client: TestClient) -> None:
    response = client.get("/organisations/name:XX:ecole polytechnique federale de lausanne", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == "/organisations/pic:999973971"
    api = client.get("/api/v1/organisations/name:XX:ecole polytechnique federale de lausanne", follow_redirects=False)
    assert api.status_code == 301 and api.headers["location"] == "/api/v1/organisations/pic:999973971"
    data = client.get("/api/v1/organisations/pic:999973971").json()["data"]
    assert data["identifiers"]["pic"] == ["999973971"]
    assert data["names"] == ["ECOLE POLYTECHNIQUE FEDERALE DE LAUSANNE"]
    assert {link["id"] for link in data["links"]} >= {
        "pic:999973971",
        "name:XX:ecole polytechnique federale de lausanne",
    }
    assert all({"id", "method", "confidence"} <= set(link) for link in data["links"])


def test_orgs_match_cli(corpus: tuple[Store, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    store, index_dir = corpus
    monkeypatch.setenv("EUPROJECTS_HOME", str(index_dir.parent))
    monkeypatch.setenv("EUPROJECTS_DATABASE_URL", store.url)
    result = CliRunner().invoke(main, ["orgs", "match", "EPFL", "--country", "CH", "--json"])
    assert result.exit_code == 0, result.output
    found = msgspec.json.decode(result.output)["candidates"]
    assert found[0]["id"] == "pic:999973971" and found[0]["match"] is True
    assert found[0]["identifiers"]["pic"] == ["999973971"] and found[0]["country"] == "CH"
    result = CliRunner().invoke(main, ["orgs", "match", " "])
    assert result.exit_code == 2 and "NAME" in result.output
