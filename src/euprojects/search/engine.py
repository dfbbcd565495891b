"""The search engine over the index, hydrating hits from the store."""

from __future__ import annotations

from pathlib import Path

import msgspec
import tantivy

from euprojects.index import open_index
from euprojects.store import Store

TEXT_FIELDS = ["title", "acronym", "summary", "results", "orgs", "themes"]
BOOSTS = {"title": 3.0, "acronym": 3.0, "orgs": 1.5, "summary": 1.0, "results": 0.7, "themes": 1.0}
FACETS = ("source", "programme", "period", "country", "status", "start_year")


class SearchRequest(msgspec.Struct, kw_only=True):
    query: str = ""
    limit: int = 20
    facets: tuple[str, ...] = FACETS


class FacetValue(msgspec.Struct):
    value: str
    count: int


class Hit(msgspec.Struct, omit_defaults=True):
    id: str
    score: float
    acronym: str | None = None
    title: str | None = None
    programme: str | None = None
    period: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    status: str | None = None
    countries: list[str] = []


class SearchResult(msgspec.Struct):
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None = None


class IndexMissing(Exception):
    """There is no index yet: ingest data or run `euprojects reindex`."""


class Searcher:
    def __init__(self, index_dir: Path, store: Store) -> None:
        index = open_index(index_dir)
        if index is None:
            raise IndexMissing(f"no search index in {index_dir}; run `euprojects reindex`")
        self.index = index
        self.store = store

    def search(self, request: SearchRequest) -> SearchResult:
        searcher = self.index.searcher()
        query = self._query(request.query)
        result = searcher.search(query, limit=max(1, request.limit), count=True)
        addresses = [address for _, address in result.hits]
        ids = [searcher.doc(address)["id"][0] for address in addresses] if request.limit > 0 else []
        summaries = self.store.summaries(ids)
        hits = []
        for (score, _), pid in zip(result.hits, ids, strict=True):
            summary = summaries.get(pid)
            if summary is None:
                continue
            project = summary.project
            status = project.effective_status()
            hits.append(
                Hit(
                    id=pid,
                    score=round(float(score), 4),
                    acronym=project.acronym,
                    title=project.title,
                    programme=project.programme,
                    period=project.period,
                    start_date=project.start_date.isoformat() if project.start_date else None,
                    end_date=project.end_date.isoformat() if project.end_date else None,
                    status=status.value if status else None,
                    countries=summary.countries,
                )
            )
        return SearchResult(
            total=getattr(result, "count", None) or 0, hits=hits, facets=self._facets(searcher, query, request.facets)
        )

    def _query(self, text: str) -> tantivy.Query:
        if not text.strip():
            return tantivy.Query.all_query()
        query, _errors = self.index.parse_query_lenient(
            text, default_field_names=TEXT_FIELDS, field_boosts=BOOSTS, conjunction_by_default=True
        )
        return query

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query, names: tuple[str, ...]
    ) -> dict[str, list[FacetValue]]:
        aggregations = {name: {"terms": {"field": name, "size": 50}} for name in names}
        if not aggregations:
            return {}
        raw = searcher.aggregate(query, aggregations)
        return {
            name: [
                FacetValue(value=str(bucket["key"]), count=int(bucket["doc_count"])) for bucket in raw[name]["buckets"]
            ]
            for name in names
        }
