"""`euprojects stats --by`: the statistics of a search on the command line, as the API gives them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from euprojects.cli import main
from euprojects.store import Store


@pytest.fixture
def corpus_home(corpus: tuple[Store, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    store, index_dir = corpus
    monkeypatch.setenv("EUPROJECTS_HOME", str(index_dir.parent))
    monkeypatch.setenv("EUPROJECTS_DATABASE_URL", store.url)
    monkeypatch.setenv("EUPROJECTS_INDEX_DIR", str(index_dir))


def test_statistics_of_a_search_by_dimension(corpus_home: None) -> None:
    args = ["stats", "--by", "role", "--by", "fund", "--query", "energy", "--filter", "country=FI"]
    text = CliRunner().invoke(main, args, catch_exceptions=False).output
    found = json.loads(CliRunner().invoke(main, [*args, "--json"], catch_exceptions=False).output)
    assert f"projects                    {found['totals']['projects']:,}" in text
    lead = next(r for r in found["by"]["role"] if r["value"] == "lead")
    assert "Lead partner" in text and f"{lead['participations']:,}" in text
    assert found["filters"] == {"country": ["FI"]}


def test_a_bad_filter_is_one_clear_line(corpus_home: None) -> None:
    result = CliRunner().invoke(main, ["stats", "--by", "country", "--filter", "start_year=20x4"])
    assert result.exit_code != 0 and "start_year" in result.output and "Traceback" not in result.output
