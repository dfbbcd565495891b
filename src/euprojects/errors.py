"""The one error a search request can raise for what its user gave."""

from __future__ import annotations


class QueryError(ValueError):
    """A value that is invalid for its field; the message says which and what would be valid."""
