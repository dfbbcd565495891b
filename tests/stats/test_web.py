"""The statistics page, its CSV tables and the API: the same figures for the same search, one
link from the search page and back, and clear errors for bad input."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from fastapi.testclient import TestClient

from euprojects.stats.compute import Row, Statistics, Totals
from euprojects.web.format import number
from euprojects.web.stats import _csv_lines, table_rows

SEARCH = "q=energy&fund=H2020&fund=HORIZON"


def _api(client: TestClient, query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/v1/stats?{query}")
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]


def test_the_api_keeps_what_it_gave_and_adds_the_statistics_of_a_search(stats_client: TestClient) -> None:
    assert _api(stats_client).get("statistics") is None  # as before unless asked
    everything = _api(stats_client, "statistics=true")
    assert {"projects", "participations", "organisations", "by_source", "by_fund", "quality"} <= set(everything)
    assert everything["statistics"]["totals"]["projects"] == everything["projects"]
    searched = _api(stats_client, SEARCH)["statistics"]
    total = stats_client.get(f"/api/v1/search?{SEARCH}&limit=1").json()["data"]["total"]
    assert searched["totals"]["projects"] == total < everything["projects"]
    assert searched["filters"] == {"fund": ["H2020", "HORIZON"]}
    assert {r["value"] for r in searched["by"]["fund"]} <= {"H2020", "HORIZON"}


def _totals(html: str) -> dict[str, str]:
    return {k: re.sub(r"\D", "", v) for k, v in re.findall(r'data-total="(\w+)">([^<]+)<', html)}


def test_the_page_shows_the_api_figures_and_links_back_to_its_search(stats_client: TestClient) -> None:
    page = stats_client.get(f"/stats?{SEARCH}")
    assert page.status_code == 200
    totals = _api(stats_client, SEARCH)["statistics"]["totals"]
    shown = _totals(page.text)
    assert shown["projects"] == str(totals["projects"])
    assert shown["participations"] == str(totals["participations"])
    assert shown["organisations"] == str(totals["organisations"])
    assert 'href="/?q=energy&amp;fund=H2020&amp;fund=HORIZON" id="to-search"' in page.text
    search = stats_client.get(f"/?{SEARCH}")
    assert 'href="/stats?q=energy&amp;fund=H2020&amp;fund=HORIZON" id="to-stats"' in search.text


def test_the_country_map_colours_the_countries_with_projects(stats_client: TestClient) -> None:
    page = stats_client.get("/stats?country=FI&map=participations").text
    finland = re.search(
        r'<use href="/stats/shapes.svg#FI" fill="(#[0-9a-f]+)"[^>]*data-country="FI"><title>([^<]+)</title>', page
    )
    assert finland is not None
    assert finland[1] != "#f2f2f2"
    rows = _api(stats_client, "country=FI")["statistics"]["by"]["country"]
    finnish = next(r for r in rows if r["value"] == "FI")
    assert finland[2] == f"Finland: {number(finnish['participations'])} participations"


def test_each_table_downloads_as_csv_with_the_api_figures(stats_client: TestClient) -> None:
    rows = list(csv.reader(io.StringIO(stats_client.get(f"/stats/country.csv?{SEARCH}").text)))
    assert rows[0] == ["country", "label", "projects", "eu_contribution_eur", "participations", "organisations"]
    expected = _api(stats_client, SEARCH)["statistics"]["by"]["country"]
    assert [(r[0], int(r[2] or 0), int(r[4] or 0)) for r in rows[1:]] == [
        (r["value"], r.get("projects", 0), r.get("participations", 0)) for r in expected
    ]
    for table in ("years-source", "years-fund", "links", "role", "nuts"):
        response = stats_client.get(f"/stats/{table}.csv?{SEARCH}")
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")


def test_the_shapes_are_one_cached_file_that_every_map_uses(stats_client: TestClient) -> None:
    shapes = stats_client.get("/stats/shapes.svg")
    assert shapes.headers["content-type"].startswith("image/svg+xml") and "max-age" in shapes.headers["cache-control"]
    codes = set(re.findall(r'<path id="(\w+)"', shapes.text))
    assert {"FI", "GR", "GB", "DE", "MT", "LU", "IS", "NO"} <= codes
    used = set(re.findall(r'href="/stats/shapes.svg#(\w+)"', stats_client.get("/stats").text))
    assert used == codes


def test_csv_cells_are_safe_in_spreadsheets() -> None:
    found = Statistics(
        query="",
        filters={},
        relaxed=False,
        totals=Totals(1, 0.0, 0, 0, 0),
        by={"programme": [Row("=HYPERLINK(1)", "=HYPERLINK(1)", projects=1)]},
        over_time={},
        links=[],
    )
    text = "".join(_csv_lines(table_rows(found, "programme")))
    assert "\r\n'=HYPERLINK(1),'=HYPERLINK(1),1," in text


def test_bad_input_gets_a_clear_error(stats_client: TestClient) -> None:
    page = stats_client.get("/stats?start_year=20x4")
    assert page.status_code == 400 and "start_year" in page.text
    assert stats_client.get("/stats?map=colours").status_code == 400
    missing = stats_client.get("/stats/nothing.csv")
    assert missing.status_code == 404 and "country" in missing.text
    api = stats_client.get("/api/v1/stats?start_year=20x4")
    assert api.status_code == 400 and api.json()["error"]["parameter"] == "start_year"
