"""Which mode a request runs in, and the one-line errors of modes that cannot run."""

from __future__ import annotations

import pytest

from euprojects.errors import QueryError
from euprojects.semantic import modes


def test_the_default_is_hybrid_once_the_vectors_are_ready_and_keyword_before() -> None:
    assert modes.resolve(None, installed=True, ready=True) == "hybrid"
    assert modes.resolve(None, installed=True, ready=False) == "keyword"
    assert modes.resolve("", installed=False, ready=False) == "keyword"


def test_keyword_always_runs() -> None:
    assert modes.resolve("keyword", installed=False, ready=False) == "keyword"


@pytest.mark.parametrize(
    ("asked", "installed", "ready", "message"),
    [
        ("fuzzy", True, True, "mode: 'fuzzy' is not one of keyword, semantic, hybrid"),
        ("semantic", False, False, "mode: semantic search is not installed"),
        ("hybrid", True, False, "mode: hybrid search is not ready yet"),
    ],
)
def test_a_mode_that_cannot_run_is_a_one_line_error(asked: str, installed: bool, ready: bool, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        modes.resolve(asked, installed=installed, ready=ready)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
