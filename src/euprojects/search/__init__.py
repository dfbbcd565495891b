"""Searching the index: query parsing, filters, facets, ranking, highlights."""

from euprojects.errors import QueryError
from euprojects.search.engine import Hit, IndexMissing, Searcher, SearchRequest, SearchResult

__all__ = ["Hit", "IndexMissing", "QueryError", "SearchRequest", "SearchResult", "Searcher"]
