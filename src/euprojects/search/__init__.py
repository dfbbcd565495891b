"""Searching the index: query parsing, filters, facets, ranking, highlights."""

from euprojects.search.engine import Hit, IndexMissing, Searcher, SearchRequest, SearchResult
from euprojects.search.query import QueryError

__all__ = ["Hit", "IndexMissing", "QueryError", "SearchRequest", "SearchResult", "Searcher"]
