"""`euprojects search --mode` and `euprojects embed` on the real corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from euprojects.cli import main
from euprojects.semantic.embed import EmbedReport, refresh
from euprojects.store import Store
from tests.semantic.conftest import embedded

pytestmark = pytest.mark.slow  # the embedded corpus takes about a minute to build


@pytest.fixture
def env(semantic_corpus: tuple[Store, Path, EmbedReport], tmp_path: Path) -> dict[str, str]:
    store, index_dir, _ = semantic_corpus
    return {
        "EUPROJECTS_HOME": str(tmp_path),
        "EUPROJECTS_DATABASE_URL": store.url,
        "EUPROJECTS_INDEX_DIR": str(index_dir),
    }


def test_search_mode_semantic_has_the_same_json_shape(env: dict[str, str]) -> None:
    runner = CliRunner()
    keyword = runner.invoke(main, ["search", "supercooled water", "--json", "--mode", "keyword"], env=env)
    semantic = runner.invoke(main, ["search", "H2O chilled below zero", "--json", "--mode", "semantic"], env=env)
    assert keyword.exit_code == 0 and semantic.exit_code == 0, semantic.output
    first, second = json.loads(keyword.output), json.loads(semantic.output)
    assert first.keys() == second.keys()
    assert second["total"] > 0 and second["hits"][0].keys() >= {"id", "score", "source"}


def test_an_unknown_mode_is_refused_by_the_command_line(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["search", "water", "--mode", "fuzzy"], env=env)
    assert result.exit_code == 2
    assert "'fuzzy' is not one of 'keyword', 'semantic', 'hybrid'" in result.output


def test_embed_says_the_vectors_are_current(
    semantic_corpus: tuple[Store, Path, EmbedReport], env: dict[str, str]
) -> None:
    """Nothing changed in the store since the vectors were made: nothing is embedded. Tests of
    other modules in this process may have changed the shared corpus since the fixture made the
    vectors (organisations resolved again, say), so they are brought up to date first, as made."""
    store, index_dir, _ = semantic_corpus
    refresh(store, index_dir, select=embedded)
    result = CliRunner().invoke(main, ["embed"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("semantic vectors current:")
