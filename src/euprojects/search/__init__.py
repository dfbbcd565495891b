"""Searching the index: query parsing, filters, facets, ranking, highlights."""

from euprojects.search.engine import Hit, Searcher, SearchRequest, SearchResult

__all__ = ["Hit", "SearchRequest", "SearchResult", "Searcher"]
