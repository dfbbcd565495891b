"""Every API endpoint and its error paths, in-process."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from euprojects.settings import load
from euprojects.store import Store
from euprojects.web import create_app
from tests.web.conftest import CITY_TWINS, HOSTILE


def ok(client: TestClient, url: str) -> dict:  # type: ignore[type-arg]
    response = client.get(url)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    return body["data"]  # type: ignore[no-any-return]


def problem(client: TestClient, url: str, status: int) -> dict:  # type: ignore[type-arg]
    response = client.get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["ok"] is False and body["error"]["status"] == status and body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


def test_search_returns_hits_facets_and_a_cursor(client: TestClient) -> None:
    data = ok(client, "/api/v1/search?q=hydrogen&limit=5&facet=country&facet=source")
    assert data["total"] > 5 and len(data["hits"]) == 5
    assert set(data["facets"]) == {"country", "source"}
    hit = data["hits"][0]
    assert {"id", "title", "score", "snippet", "countries"} <= set(hit)
    following = ok(client, f"/api/v1/search?q=hydrogen&limit=5&cursor={data['next_cursor']}")
    assert {h["id"] for h in following["hits"]}.isdisjoint({h["id"] for h in data["hits"]})


def test_search_filters_by_repeated_parameters(client: TestClient) -> None:
    both = ok(client, "/api/v1/search?q=energy&country=EE&country=LV&limit=0")["total"]
    estonia = ok(client, "/api/v1/search?q=energy&country=EE&limit=0")["total"]
    latvia = ok(client, "/api/v1/search?q=energy&country=LV&limit=0")["total"]
    assert max(estonia, latvia) <= both <= estonia + latvia
    assert ok(client, "/api/v1/search?q=energy&country=Estonia&limit=0")["total"] == estonia


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/search?limit=5000", "limit"),
        ("/api/v1/search?limit=abc", "limit"),
        ("/api/v1/search?page=0", "page"),
        ("/api/v1/search?q=start:abc", "start_year"),
        ("/api/v1/search?country=Atlantis", "country"),
        ("/api/v1/search?sort=colour", "sort"),
        ("/api/v1/search?facet=colour", "facet"),
        ("/api/v1/search?cursor=xyz", "cursor"),
        ("/api/v1/search?q=" + "a" * 1001, "q"),
        ("/api/v1/search?limit=100&page=101", "page"),
        ("/api/v1/export?format=pdf", "format"),
        ("/api/v1/search?facet_size=501", "facet_size"),
        ("/api/v1/facets/country?facet_size=0", "facet_size"),
        ("/api/v1/export?page=0", "page"),
        ("/api/v1/search?has_website=maybe", "has_website"),
        ("/api/v1/search?start_year=20x4", "start_year"),
        ("/api/v1/search?q=%ED%A0%80", "q"),  # a lone surrogate, as UTF-8 bytes
        ("/api/v1/search?q=caf%E9", "q"),  # Latin-1, not UTF-8
        # a NUL character: PostgreSQL cannot compare text with one
        ("/api/v1/partners?q=water&country=%00", "country"),
        ("/api/v1/programmes?q=inter%00reg", "q"),
        ("/api/v1/organisations/x%00y", "org_id"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client: TestClient, url: str, parameter: str) -> None:
    assert problem(client, url, 400)["parameter"] == parameter


@pytest.mark.parametrize("value", ["true", "yes", "1", "on", "TRUE"])
def test_every_flag_value_the_schema_allows_is_accepted(client: TestClient, value: str) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    [parameter] = [p for p in schema["paths"]["/api/v1/search"]["get"]["parameters"] if p["name"] == "has_website"]
    allowed = parameter["schema"]["items"]["enum"]
    if value in allowed:
        assert ok(client, f"/api/v1/search?has_website={value}&limit=0")["total"] > 0
    else:
        problem(client, f"/api/v1/search?has_website={value}", 400)


def test_a_project_with_etag_and_cache_control(client: TestClient) -> None:
    response = client.get(f"/api/v1/projects/{CITY_TWINS}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == CITY_TWINS and data["title"] == "City Twins Co-operation Network"
    assert data["eu_contribution"] == {"amount": "808536.81", "currency": "EUR"}
    assert data["cofinancing_rate"] == "53.6" and data["period"] == "2000-2006"
    assert data["programme"] == "Interreg IIIC North" and data["declared_partner_count"] == 9
    assert any(f["code"] == "start_date_shifted" for f in data["flags"])
    assert (data["status"], data["status_source"], data["status_derived"]) == (
        "finished",
        "PROJECT FINISHED",
        "finished",
    )
    assert response.headers["cache-control"].startswith("public")
    etag = response.headers["etag"]
    again = client.get(f"/api/v1/projects/{CITY_TWINS}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_unknown_records_are_404(client: TestClient) -> None:
    assert problem(client, "/api/v1/projects/cordis:0", 404)["parameter"] == "project_id"
    problem(client, "/api/v1/organisations/pic:000000000", 404)
    problem(client, "/api/v1/programmes?name=No+such+programme", 404)
    problem(client, "/api/v1/facets/colour", 404)
    problem(client, "/api/v1/similar/cordis:0", 404)
    problem(client, "/api/v1/nothing-here", 404)


def test_an_organisation_with_projects_roles_and_partners(client: TestClient) -> None:
    hits = ok(client, "/api/v1/search?q=hydrogen&has_partners=true&limit=20&facet=source")["hits"]
    first = next(h for h in hits if (h.get("partner_count") or 0) >= 4)
    project = ok(client, f"/api/v1/projects/{first['id']}")
    org_id = project["participations"][0]["organisation"]["id"]
    data = ok(client, f"/api/v1/organisations/{org_id}")
    assert data["organisation"]["id"] == org_id
    assert first["id"] in {p["project_id"] for p in data["projects"]}
    assert sum(data["roles"].values()) == len(data["projects"])
    assert data["partners"] and all(p["id"] != org_id for p in data["partners"])


def test_programmes_and_one_programme(client: TestClient) -> None:
    everything = ok(client, "/api/v1/programmes")
    assert any(p["name"] == "Interreg IIIC North" and p["period"] == "2000-2006" for p in everything)
    one = ok(client, "/api/v1/programmes?name=European+Research+Council+(ERC)")
    assert (
        one
        and sum(p["projects"] for p in one)
        == ok(client, "/api/v1/search?programme=European+Research+Council+(ERC)&limit=0")["total"]
    )


def test_all_values_of_a_facet(client: TestClient) -> None:
    data = ok(client, "/api/v1/facets/country?q=energy")
    assert data["name"] == "country" and len(data["values"]) > 30


def test_stats_and_similar(client: TestClient) -> None:
    stats = ok(client, "/api/v1/stats")
    assert stats["projects"] == sum(stats["by_source"].values()) > 10_000
    similar = ok(client, f"/api/v1/similar/{CITY_TWINS}")
    assert CITY_TWINS not in {h["id"] for h in similar}


def test_cors_on_get(client: TestClient) -> None:
    response = client.get("/api/v1/stats", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_openapi_documents_every_endpoint_with_schemas(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/search",
        "/api/v1/projects/{project_id}",
        "/api/v1/organisations/{org_id}",
        "/api/v1/programmes",
        "/api/v1/facets/{name}",
        "/api/v1/stats",
        "/api/v1/export",
        "/api/v1/similar/{project_id}",
    ):
        assert path in paths, path
    search = paths["/api/v1/search"]["get"]
    assert {"q", "country", "start_year", "cursor", "facet"} <= {p["name"] for p in search["parameters"]}
    assert search["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("SearchEnvelope")
    assert "SearchResult" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_csv_export_has_every_match_a_bom_the_query_and_no_formulas(client: TestClient) -> None:
    total = ok(client, "/api/v1/search?q=energy&country=EE&limit=0")["total"]
    response = client.get("/api/v1/export?format=csv&q=energy&country=EE")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("# euprojects export of") and "query: energy" in lines[0] and "country=EE" in lines[0]
    assert "sort: relevance" in lines[0]
    everything = client.get("/api/v1/export?format=csv&source=os-at").content.decode("utf-8-sig").splitlines()[0]
    assert "sort: -start_date" in everything  # without words, the newest first
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    assert len(rows) == total == int(response.headers["x-total-count"])
    assert all("EE" in row["countries"].split() for row in rows)
    cells = [cell for row in rows for cell in row.values() if cell]
    assert not [cell for cell in cells if cell[0] in "=+-@"]


def test_jsonl_export_is_whole_projects(client: TestClient) -> None:
    response = client.get("/api/v1/export?format=jsonl&q=spintronics")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert lines[0]["export"]["query"] == "spintronics"
    assert len(lines) - 1 == lines[0]["export"]["total"] > 3
    assert all(line["id"] and line["source"] for line in lines[1:])
    assert sum("summary" in line for line in lines[1:]) > 3


def test_xlsx_export_has_projects_participations_and_about(client: TestClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/export?format=xlsx&q=hydrogen&has_partners=true")
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.content)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Projects", "Participations", "About"]
    projects = list(book["Projects"].iter_rows(values_only=True))
    partners = list(book["Participations"].iter_rows(values_only=True))
    assert projects[0][0] == "id" and len(projects) - 1 == int(response.headers["x-total-count"])
    assert len(partners) - 1 >= len(projects) - 1
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert about["query"] == "hydrogen" and about["filters"] == "has_partners=true"


def test_the_hostile_project_is_plain_text_in_json(client: TestClient) -> None:
    data = ok(client, f"/api/v1/projects/{HOSTILE}")
    assert "<script>" in data["summary"]  # the text as published, for the client to escape


def test_a_node_without_its_index_yet_answers_503_not_500(corpus: tuple[Store, Path], tmp_path: Path) -> None:
    """A new node serves before its sync has built the index from the store: searches say so."""
    store, _ = corpus
    settings = load({"EUPROJECTS_HOME": str(tmp_path), "EUPROJECTS_INDEX_DIR": str(tmp_path / "index")})
    client = TestClient(create_app(settings, store, None), raise_server_exceptions=False)
    answer = client.get("/api/v1/search", params={"q": "health"})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert "search index is not ready" in answer.json()["error"]["message"]
    assert client.get("/", params={"q": "health"}).status_code in (200, 503)  # a page, never a 500
