"""The search fields are declared once: each one's parsing, and a field added in one place
reaching the index, the query language, the API schema, the search page and its facets."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from euprojects.errors import QueryError
from euprojects.fields import DEFAULT_FACETS, FACETS, FIELDS, SCOPES, SORTS, sort_for
from tests.conftest import data_dir

# Run in a fresh interpreter: a field must be declared before the index, search and web layers load.
ADD_A_FACET = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from euprojects import fields

    fields.register(
        fields.Field(
            "partners", "Partners listed", "partners_listed", fields.Numbers("count", True, 0, 100_000),
            "number of partners listed: 3, 2..10", "2..10", scope="partners", facet=True, default_facet=True,
            statistics="bars", value=lambda project: len(project.participations),
        )
    )

    from fastapi.testclient import TestClient
    from euprojects import ingest
    from euprojects.search import Searcher, SearchRequest
    from euprojects.settings import load
    from euprojects.store import open_store
    from euprojects.web import create_app

    home, data = Path(sys.argv[1]), Path(sys.argv[2])
    store = open_store(f"sqlite:///{home / 'euprojects.db'}")
    ingest.run(store, [data], index_dir=home / "index", workers=1)
    searcher = Searcher(home / "index", store)
    in_query = searcher.search(SearchRequest(query="partners:3..4", facets=("partners",), limit=200))
    client = TestClient(create_app(load({"EUPROJECTS_HOME": str(home)}), store, searcher))
    schema = client.get("/api/v1/openapi.json").json()
    api = client.get("/api/v1/search", params={"partners": "5", "limit": 200, "facet": "partners"}).json()
    page = client.get("/", params={"q": "", "partners": "3"}).text
    stats = client.get("/api/v1/stats", params={"statistics": "true"}).json()["data"]["statistics"]
    stats_page = client.get("/stats").text
    print(json.dumps({
        "query_hits": [h.partner_count for h in in_query.hits],
        "query_total": in_query.total,
        "facet": {v.value: v.count for v in in_query.facets["partners"]},
        "parameter": [p for p in schema["paths"]["/api/v1/search"]["get"]["parameters"] if p["name"] == "partners"],
        "api_hits": [h["partner_count"] for h in api["data"]["hits"]],
        "page_has_facet": "Partners listed" in page,
        "page_has_chip": "Remove filter Partners listed: 3" in page,
        "stats_by": {row["value"]: row["projects"] for row in stats["by"]["partners"]},
        "stats_total": stats["totals"]["projects"],
        "stats_page_has_chart": "Partners listed" in stats_page,
    }))
    """
)


def test_a_facet_added_in_one_place_reaches_index_query_language_api_and_page(tmp_path: Path) -> None:
    data = data_dir() / "structural-funds-os-data" / "DK_ERDF_Denmark_2014-2020.original.csv"
    result = subprocess.run(
        [sys.executable, "-c", ADD_A_FACET, str(tmp_path), str(data)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["query_total"] == len(seen["query_hits"]) > 0
    assert set(seen["query_hits"]) <= {3, 4}
    assert sum(count for value, count in seen["facet"].items() if value in ("3", "4")) == seen["query_total"]
    [parameter] = seen["parameter"]
    assert "number of partners listed" in parameter["description"]
    assert seen["api_hits"] and set(seen["api_hits"]) == {5}
    assert seen["page_has_facet"] and seen["page_has_chip"]
    # the statistics break all projects down by the new field; those with 3 partners as the search counts them
    assert sum(seen["stats_by"].values()) == seen["stats_total"]
    assert seen["stats_by"].get("3") == seen["facet"].get("3")
    assert seen["stats_page_has_chart"]


def test_every_facet_is_a_declared_field_and_the_defaults_are_facets() -> None:
    assert set(DEFAULT_FACETS) <= set(FACETS) <= set(FIELDS)
    assert all(FIELDS[name].facet for name in FACETS)
    assert {scope: field.name for scope, field in SCOPES.items()}["start"] == "start_year"


@pytest.mark.parametrize(
    ("name", "given", "message"),
    [
        ("start_year", ["2020..2014"], "starts after it ends"),
        ("start_year", ["1700"], "is not between 1900 and 2100"),
        ("budget", ["lots"], "is not an amount"),
        ("country", ["Atlantis"], "is not a country"),
        ("status", ["paused"], "is not one of planned, ongoing, finished, cancelled"),
        ("has_website", ["maybe"], "is not true or false"),
        ("fund", ["", " "], "needs a value"),
    ],
)
def test_a_bad_value_names_its_field(name: str, given: list[str], message: str) -> None:
    with pytest.raises(QueryError, match=message) as raised:
        FIELDS[name].select(given)
    assert str(raised.value).startswith(f"{name}: ")


def test_values_become_what_the_index_holds() -> None:
    assert FIELDS["country"].select(["Estonia", "fi"]).values == ("EE", "FI")
    assert FIELDS["start_year"].select(["..2010"]).range == (None, 2010)
    assert FIELDS["eu_contribution"].select(["100 000..500000"]).range == (100_000.0, 500_000.0)
    assert FIELDS["has_partners"].select(["no"]).flag is False
    assert FIELDS["period"].select(["2014 - 2020"]).values == ("2014-2020",)


def test_sorts_are_declared_with_their_labels() -> None:
    assert sort_for("-start_date").label == "Newest start" and sort_for("-start_date").descending
    assert all(s.keyed == (s.index is not None and not s.index.startswith("title")) for s in SORTS.values())
    with pytest.raises(QueryError, match="sort: 'colour' is not one of"):
        sort_for("colour")
