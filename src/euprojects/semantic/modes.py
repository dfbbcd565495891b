"""The three ways to search, and which one a request gets."""

from __future__ import annotations

from euprojects.errors import QueryError

KEYWORD, SEMANTIC, HYBRID = "keyword", "semantic", "hybrid"
MODES = (KEYWORD, SEMANTIC, HYBRID)


def resolve(asked: str | None, installed: bool, ready: bool) -> str:
    """The mode a request runs in: hybrid by default when the vectors are ready, keyword until
    then; an explicit semantic or hybrid request that cannot be served is an error that says why."""
    if asked is None or asked == "":
        return HYBRID if installed and ready else KEYWORD
    if asked not in MODES:
        raise QueryError(f"mode: {asked!r} is not one of {', '.join(MODES)}")
    if asked == KEYWORD:
        return KEYWORD
    if not installed:
        raise QueryError(f"mode: {asked} search is not installed (pip install 'euprojects[semantic]')")
    if not ready:
        raise QueryError(f"mode: {asked} search is not ready yet: the projects are being embedded")
    return asked
