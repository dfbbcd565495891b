"""The search engine: parse, filter, rank, count facets, highlight, hydrate from the store.

Used by the CLI, the web pages and the API alike. A page of hits is hydrated from the store in
one query; facet counts take one aggregation over the match set, plus one per facet that has
a selection of its own.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Generic, TypeVar

import msgspec
import tantivy

from euprojects import limits
from euprojects.errors import QueryError
from euprojects.fields import DEFAULT_FACETS, FIELDS, Selection, Sort, sort_for
from euprojects.index import open_index
from euprojects.index.build import read_state
from euprojects.normalise.money import to_eur
from euprojects.search import facets as facet_counts
from euprojects.search.compile import Compiler
from euprojects.search.facets import FacetValue
from euprojects.search.filters import excluded, selections, to_query
from euprojects.search.highlight import Highlighter
from euprojects.search.query import ParsedQuery, parse
from euprojects.search.similar import similar_query
from euprojects.search.sorting import Cursor, after, decode_cursor, encode_cursor
from euprojects.search.suggest import suggest
from euprojects.store import Store
from euprojects.store.base import ProjectSummary

WITHDRAWN = "withdrawn"  # the filter of projects their source no longer lists
_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="facets")


class IndexMissing(Exception):
    """There is no index yet: ingest data or run `euprojects reindex`."""


class SearchRequest(msgspec.Struct, kw_only=True):
    query: str = ""
    filters: dict[str, list[str]] = {}
    facets: tuple[str, ...] = DEFAULT_FACETS
    facet_size: int = limits.FACET_SIZE
    sort: str | None = None
    limit: int = limits.PAGE_SIZE
    page: int = 1
    cursor: str | None = None
    highlight: bool = True
    mode: str | None = None  # keyword, semantic or hybrid (euprojects.semantic); None: the best available


class Hit(msgspec.Struct, omit_defaults=True):
    id: str
    score: float
    source: str
    acronym: str | None = None
    title: str | None = None
    label: str | None = None
    programme: str | None = None
    period: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    status: str | None = None
    eu_contribution: float | None = None
    currency: str | None = None
    eu_contribution_eur: float | None = None
    countries: list[str] = []
    partner_count: int | None = None
    lead: str | None = None
    snippet: str | None = None
    withdrawn: str | None = None  # the day its source stopped listing it


class SearchResult(msgspec.Struct):
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None = None
    relaxed: bool = False
    sort: str = "relevance"
    page: int = 1
    limit: int = 20
    next_cursor: str | None = None


class _Plan(msgspec.Struct):
    """Everything a request resolves to before it runs."""

    parsed: ParsedQuery
    text: tantivy.Query | None
    filters: dict[str, Selection]
    excluded: list[tantivy.Query]
    sort: Sort
    cursor: Cursor | None


class Searcher:
    """Search over the index in ``index_dir``; reopens it when a rebuild switched generations."""

    def __init__(self, index_dir: Path, store: Store, cache_size: int = 0) -> None:
        self.index_dir = index_dir
        self._cache: _Recent[SearchResult] = _Recent(cache_size)
        self._facet_cache: _Recent[dict[str, list[FacetValue]]] = _Recent(cache_size)
        self._state_file = str(index_dir / "state.json")
        self.store = store
        self._lock = threading.Lock()
        self._stamp: float | None = None
        self._open()

    def _open(self) -> None:
        index = open_index(self.index_dir)
        if index is None:
            raise IndexMissing(f"no search index in {self.index_dir}; run `euprojects reindex`")
        self.index = index
        self.schema = index.schema
        self.compiler = Compiler(self.schema)
        self._withdrawn = tantivy.Query.term_query(self.schema, FIELDS[WITHDRAWN].index, 1)
        self._stamp = self._state_stamp()

    def _state_stamp(self) -> float | None:
        try:
            return os.stat(self._state_file).st_mtime
        except FileNotFoundError:
            return None

    def _fresh_searcher(self) -> tantivy.Searcher:
        stamp = self._state_stamp()
        if stamp != self._stamp:
            with self._lock:
                state = read_state(self.index_dir)
                if state is not None and stamp != self._stamp:
                    self._open()
                    self.index.reload()
        return self.index.searcher()

    # --- the request ------------------------------------------------------------------------
    def plan(self, request: SearchRequest, searcher: tantivy.Searcher | None = None) -> _Plan:
        _check_limits(request)
        parsed = parse(request.query)
        chosen = selections(request.filters, parsed.filters)
        left_out = excluded(parsed.excluded_filters, self.schema)
        text = self.compiler.text_query(parsed, searcher or self._fresh_searcher())
        default_sort = "relevance" if text is not None else "-start_date"
        sort = sort_for(request.sort or default_sort)
        cursor = decode_cursor(request.cursor, sort.name) if request.cursor else None
        return _Plan(parsed=parsed, text=text, filters=chosen, excluded=left_out, sort=sort, cursor=cursor)

    def search(self, request: SearchRequest) -> SearchResult:
        """The result of a search; a repeated request (paging back, a shared link, a popular
        query) is answered from a small cache until the index changes."""
        searcher = self._fresh_searcher()
        key = (self._stamp, _request_key.encode(request))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        result = self._search(searcher, request)
        self._cache.put(key, result)
        return result

    def _search(self, searcher: tantivy.Searcher, request: SearchRequest) -> SearchResult:
        plan = self.plan(request, searcher)
        query = self._combine(plan.text, plan.filters, plan.excluded)
        # Facet counts depend on the query and filters only: the next page or another order of the
        # same search (what users do most after searching) reuses them and computes just the page.
        facet_key = (
            self._stamp,
            _request_key.encode((request.query, request.filters, request.facets, request.facet_size, request.mode)),
        )
        known_facets = self._facet_cache.get(facet_key)
        # The facets and the page are independent passes over the index, and Tantivy lets go of the
        # interpreter while it searches: on two cores they run side by side.
        counting = None
        if known_facets is None:
            counting = _THREADS.submit(self._facets, searcher, msgspec.structs.replace(plan), request)
        page = self._page(searcher, query, plan, request)
        relaxed = False
        if page[1] == 0 and self._relaxable(plan):
            relaxed_text = self.compiler.text_query(plan.parsed, searcher, relaxed=True)
            relaxed_query = self._combine(relaxed_text, plan.filters, plan.excluded)
            relaxed_page = self._page(searcher, relaxed_query, plan, request)
            if relaxed_page[1]:
                plan.text, query, page, relaxed = relaxed_text, relaxed_query, relaxed_page, True
        hits_found, total, next_cursor = page
        if known_facets is not None:
            facets = known_facets  # the same query relaxes the same way on every page
        else:
            assert counting is not None
            facets = self._facets(searcher, plan, request) if relaxed else counting.result()
            self._facet_cache.put(facet_key, facets)
        hits = self._hydrate(searcher, hits_found, plan.text, request.highlight)
        suggestion = None
        if (total == 0 or relaxed) and plan.parsed.words():
            suggestion = suggest(searcher, self.compiler, plan.parsed.words(), request.query)
        return SearchResult(
            total=total,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            relaxed=relaxed,
            sort=plan.sort.name,
            page=request.page,
            limit=request.limit,
            next_cursor=next_cursor,
        )

    def _combine(
        self,
        text: tantivy.Query | None,
        filters: dict[str, Selection],
        excluded: Sequence[tantivy.Query],
        withdrawn_too: bool = False,
    ) -> tantivy.Query:
        """The query of a search; projects their source withdrew are left out unless the search
        selects them (``withdrawn``) or, for a saved search's feed, ``withdrawn_too``."""
        parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if WITHDRAWN not in filters and not withdrawn_too:
            parts.append((tantivy.Occur.MustNot, self._withdrawn))
        if text is not None:
            parts.append((tantivy.Occur.Must, text))
        for selection in filters.values():
            parts.append((tantivy.Occur.Must, tantivy.Query.const_score_query(to_query(selection, self.schema), 0.0)))
        parts += [(tantivy.Occur.MustNot, q) for q in excluded]
        if not parts:
            return tantivy.Query.all_query()
        if not any(occur == tantivy.Occur.Must for occur, _ in parts):
            parts.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(parts)

    def _page(
        self, searcher: tantivy.Searcher, query: tantivy.Query, plan: _Plan, request: SearchRequest
    ) -> tuple[Sequence[tuple[float, tantivy.DocAddress, object]], int, str | None]:
        """Hits of the requested page as (score, address, sort key), the total, the next cursor."""
        spec, cursor = plan.sort, plan.cursor
        offset = cursor.offset if cursor and not spec.keyed else (request.page - 1) * request.limit
        if cursor and spec.keyed:
            offset = 0
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, after(spec, self.schema, cursor.key or 0))]
            )
        limit = max(1, request.limit)
        if spec.index is None:
            found = searcher.search(query, limit=limit, offset=offset, count=True)
            hits = [(float(score), address, None) for score, address in found.hits]
        else:
            order = tantivy.Order.Desc if spec.descending else tantivy.Order.Asc
            found = searcher.search(
                query, limit=limit, offset=offset, count=True, order_by_field=spec.index, order=order
            )
            hits = [(0.0, address, key) for key, address in found.hits]
        total = int(found.count or 0)  # type: ignore[attr-defined]
        hits = hits[: request.limit]
        next_cursor = None
        if hits and len(hits) == request.limit:
            if spec.keyed:
                next_cursor = encode_cursor(Cursor(sort=spec.name, key=int(hits[-1][2])))  # type: ignore[call-overload]
            else:
                next_cursor = encode_cursor(Cursor(sort=spec.name, offset=offset + len(hits)))
        if cursor and spec.keyed:
            total = self._total_without_cursor(searcher, plan)
        return hits, total, next_cursor

    def _total_without_cursor(self, searcher: tantivy.Searcher, plan: _Plan) -> int:
        return _count(searcher, self._combine(plan.text, plan.filters, plan.excluded))

    def _facets(self, searcher: tantivy.Searcher, plan: _Plan, request: SearchRequest) -> dict[str, list[FacetValue]]:
        """Each facet counted over every filter but its own: one aggregation per facet with a
        selection, the facets without one folded into the first of those as a filtered sub-count."""
        names = [n for n in request.facets if n in FIELDS and FIELDS[n].facet]
        size = max(1, min(request.facet_size, limits.MAX_FACET_SIZE))
        selected = {name: plan.filters[name].values for name in names if name in plan.filters}
        chosen = [n for n in names if n in plan.filters]
        shared = [n for n in names if n not in plan.filters]
        folded = next((n for n in chosen if _facet_filter(plan.filters[n])), None)
        result: dict[str, list[FacetValue]] = {}
        if folded is None:
            result = facet_counts.count(
                searcher, self._combine(plan.text, plan.filters, plan.excluded), shared, size, selected
            )
        for name in chosen:
            own = self._combine(plan.text, {k: v for k, v in plan.filters.items() if k != name}, plan.excluded)
            if name == folded:
                condition = _facet_filter(plan.filters[name]) or ""
                result.update(facet_counts.count_folded(searcher, own, name, condition, shared, size, selected))
            else:
                result.update(facet_counts.count(searcher, own, [name], size, selected))
            self._count_selected_beyond_top(searcher, own, name, result[name])
        return {name: result[name] for name in names}

    def _count_selected_beyond_top(
        self, searcher: tantivy.Searcher, own: tantivy.Query, name: str, values: list[FacetValue]
    ) -> None:
        """A selected value outside the facet's top values still shows its own count."""
        present = {v.value for v in values if v.count}
        for value in values:
            if value.selected and value.value not in present:
                facet = FIELDS[name]
                term = tantivy.Query.term_query(self.schema, facet.index, facet.kind.typed(value.value))
                both = tantivy.Query.boolean_query([(tantivy.Occur.Must, own), (tantivy.Occur.Must, term)])
                value.count = _count(searcher, both)

    def _hydrate(
        self,
        searcher: tantivy.Searcher,
        found: Sequence[tuple[float, tantivy.DocAddress, object]],
        text: tantivy.Query | None,
        highlight: bool = True,
    ) -> list[Hit]:
        ids = [searcher.doc(address)["id"][0] for _, address, _ in found]
        summaries = self.store.summaries(ids)
        highlighter = Highlighter(searcher, text, self.schema)
        hits = []
        for (score, _, _), pid in zip(found, ids, strict=True):
            summary = summaries.get(pid)
            if summary is not None:
                hits.append(_hit(pid, score, summary, highlighter if highlight else None))
        return hits

    def matching_ids(self, request: SearchRequest, batch: int = 500) -> tuple[int, str, Iterator[list[str]]]:
        """The total, the order (the request's, or the default), and every matching project id a
        batch at a time in that order: what an export walks. No depth limit applies; keyed sorts
        resume after the last key."""
        searcher = self._fresh_searcher()
        plan = self.plan(msgspec.structs.replace(request, limit=0, page=1, cursor=None), searcher)
        query, total, _ = self._matched(searcher, plan)
        return total, plan.sort.name, self._walk(searcher, query, plan.sort, batch)

    def _matched(self, searcher: tantivy.Searcher, plan: _Plan) -> tuple[tantivy.Query, int, bool]:
        """The query of every project a search matches as the search page shows it, their number,
        and whether it was relaxed: a query of several words that together match nothing is
        retried with any of them."""
        query = self._combine(plan.text, plan.filters, plan.excluded)
        total = _count(searcher, query)
        if total == 0 and self._relaxable(plan):
            relaxed_text = self.compiler.text_query(plan.parsed, searcher, relaxed=True)
            relaxed = self._combine(relaxed_text, plan.filters, plan.excluded)
            relaxed_total = _count(searcher, relaxed)
            if relaxed_total:
                return relaxed, relaxed_total, True
        return query, total, False

    def among(self, request: SearchRequest, project_ids: Sequence[str], withdrawn_too: bool = False) -> set[str]:
        """Which of these projects the search matches (for a saved search's feed of changes, which
        also asks about the projects withdrawn since: ``withdrawn_too``)."""
        if not project_ids:
            return set()
        searcher = self._fresh_searcher()
        plan = self.plan(msgspec.structs.replace(request, limit=0, page=1, cursor=None), searcher)
        query = self._combine(plan.text, plan.filters, plan.excluded, withdrawn_too)
        chosen = tantivy.Query.term_set_query(self.schema, "id", list(project_ids))
        both = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, chosen)])
        found = searcher.search(both, limit=len(project_ids), count=False).hits
        return {searcher.doc(address)["id"][0] for _, address in found}

    def ranked_ids(self, request: SearchRequest, limit: int) -> tuple[int, list[tuple[str, float]]]:
        """The total and the ``limit`` best-ranked project ids with their scores, without facets,
        snippets or hydration: what aggregations over the most relevant projects start from. A
        query whose words match nothing together is relaxed as the search page relaxes it."""
        searcher = self._fresh_searcher()
        plan = self.plan(msgspec.structs.replace(request, limit=0, page=1, cursor=None, sort=None), searcher)
        query, total, _ = self._matched(searcher, plan)
        found = searcher.search(query, limit=max(1, limit), count=False)
        return total, [(searcher.doc(address)["id"][0], float(score)) for score, address in found.hits[:limit]]

    def match_query(self, request: SearchRequest) -> tuple[tantivy.Searcher, tantivy.Query, int, bool]:
        """The searcher, the query of every project a search matches, as the search page shows it
        (a query that matches nothing is relaxed to any of its words), their number and whether it
        was relaxed: what statistics of a search count over."""
        searcher = self._fresh_searcher()
        plan = self.plan(msgspec.structs.replace(request, limit=0, page=1, cursor=None), searcher)
        return (searcher, *self._matched(searcher, plan))

    @property
    def stamp(self) -> float | None:
        """When the index last changed: cached answers are keyed by it."""
        return self._stamp

    def fresh_stamp(self) -> float | None:
        """The stamp once any change to the index since the last request is taken up: what a
        cache is checked with before it searches at all."""
        self._fresh_searcher()
        return self._stamp

    @staticmethod
    def _relaxable(plan: _Plan) -> bool:
        """A query of several words that all together match nothing is retried with any word."""
        return len(plan.parsed.positive) >= 2

    def _walk(self, searcher: tantivy.Searcher, query: tantivy.Query, spec: Sort, batch: int) -> Iterator[list[str]]:
        offset, key = 0, None
        while True:
            page = query
            if spec.keyed and key is not None:
                page = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, query), (tantivy.Occur.Must, after(spec, self.schema, key))]
                )
            if spec.index is None:
                found = searcher.search(page, limit=batch, offset=offset, count=False).hits
            else:
                order = tantivy.Order.Desc if spec.descending else tantivy.Order.Asc
                skip = 0 if spec.keyed else offset
                found = searcher.search(
                    page, limit=batch, offset=skip, count=False, order_by_field=spec.index, order=order
                ).hits
            if not found:
                return
            yield [searcher.doc(address)["id"][0] for _, address in found]
            offset += len(found)
            key = int(found[-1][0]) if spec.keyed else None
            if len(found) < batch:
                return

    def more_like_this(self, project_id: str, limit: int = 5) -> list[Hit]:
        """Projects whose words resemble this one's, for "similar projects".

        The index stores no text, so the words come from the store's record of the project.
        """
        project = self.store.project(project_id)
        if project is None:
            return []
        fields = {
            name: value
            for name, value in (
                ("title", project.title),
                ("summary", project.summary),
                ("themes", " ".join(project.themes)),
            )
            if value
        }
        if not fields:
            return []
        searcher = self._fresh_searcher()
        query = similar_query(searcher, self.schema, fields)
        if query is None:
            return []
        exclude = tantivy.Query.term_query(self.schema, "id", project_id)
        similar = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.MustNot, exclude), (tantivy.Occur.MustNot, self._withdrawn)]
        )
        hits: list[tuple[float, tantivy.DocAddress, object]] = [
            (float(score), address, None) for score, address in searcher.search(similar, limit=limit).hits
        ]
        return self._hydrate(searcher, hits, None, highlight=False)


_request_key = msgspec.json.Encoder(order="deterministic")
V = TypeVar("V")


class _Recent(Generic[V]):
    """The most recently used values (search results, facet counts), keyed by index state and
    request."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[float | None, bytes], V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[float | None, bytes]) -> V | None:
        if not self.size:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[float | None, bytes], result: V) -> None:
        if not self.size:
            return
        with self._lock:
            self._entries[key] = result
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _facet_filter(selection: Selection) -> str | None:
    return selection.field.kind.facet_filter(selection)


def _count(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    return int(searcher.search(query, limit=1, count=True).count or 0)  # type: ignore[attr-defined]


def _check_limits(request: SearchRequest) -> None:
    if len(request.query) > limits.QUERY_CHARS:
        raise QueryError(f"q: at most {limits.QUERY_CHARS:,} characters, not {len(request.query):,}")
    if not 0 <= request.limit <= limits.MAX_LIMIT:
        raise QueryError(f"limit: must be between 0 and {limits.MAX_LIMIT}, not {request.limit}")
    if request.page < 1:
        raise QueryError(f"page: must be 1 or more, not {request.page}")
    if request.page * request.limit > limits.MAX_DEPTH:
        raise QueryError(f"page: pages beyond result {limits.MAX_DEPTH:,} need a cursor (use next_cursor)")
    if not 1 <= request.facet_size <= limits.MAX_FACET_SIZE:
        raise QueryError(f"facet_size: must be between 1 and {limits.MAX_FACET_SIZE}, not {request.facet_size}")
    unknown = [name for name in request.facets if name not in FIELDS or not FIELDS[name].facet]
    if unknown:
        raise QueryError(f"facet: {unknown[0]!r} is not one of {', '.join(n for n, f in FIELDS.items() if f.facet)}")


def _hit(project_id: str, score: float, summary: ProjectSummary, highlighter: Highlighter | None) -> Hit:
    project = summary.project
    status = project.effective_status()
    money = project.eu_contribution
    snippet = None
    if highlighter is not None:
        snippet = highlighter.snippet({"summary": project.summary, "title": project.title, "results": project.results})
    return Hit(
        id=project_id,
        score=round(score, 4),
        source=project.source,
        acronym=project.acronym,
        title=project.title,
        label=project.label,
        programme=project.programme,
        period=project.period,
        start_date=project.start_date.isoformat() if project.start_date else None,
        end_date=project.end_date.isoformat() if project.end_date else None,
        status=status.value if status else None,
        eu_contribution=float(money.amount) if money else None,
        currency=money.currency if money else None,
        eu_contribution_eur=to_eur(money),
        countries=summary.countries,
        partner_count=summary.partner_count,
        lead=summary.lead,
        snippet=snippet,
        withdrawn=project.withdrawn.date().isoformat() if project.withdrawn else None,
    )


__all__ = ["Hit", "IndexMissing", "QueryError", "SearchRequest", "SearchResult", "Searcher"]
