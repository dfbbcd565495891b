"""Whether the portal can search by meaning, as the search page tells its users."""

from __future__ import annotations

from euprojects.search import Searcher
from euprojects.semantic.search import SemanticSearcher


def semantic_state(searcher: Searcher) -> str:
    """``ready``, ``preparing`` (installed, vectors not there yet) or ``not-installed``."""
    if not isinstance(searcher, SemanticSearcher) or not searcher.installed:
        return "not-installed"
    return "ready" if searcher.ready() else "preparing"
