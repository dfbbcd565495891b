"""Keyword, semantic and hybrid search over one engine.

The semantic side finds the ``DEPTH`` projects closest in meaning to the query that pass every
filter. The match set is then expressed to Tantivy as an ordinary query: the keyword query OR
"one of these project ids" (hybrid), or the ids alone (semantic). So every filter, facet count,
sort order, page, cursor and export of the keyword engine applies unchanged, and facet counts
are exact for the fused set. Only the relevance order differs: the keyword and the semantic
rankings are fused as :mod:`euprojects.semantic.fusion` says, chosen by bench/relevance.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import tantivy

from euprojects.search.engine import Hit, Searcher, SearchRequest, SearchResult, _count, _Plan
from euprojects.search.sorting import Cursor, encode_cursor
from euprojects.semantic import modes
from euprojects.semantic.encoder import available
from euprojects.semantic.fusion import FUSION, Fusion, fuse
from euprojects.store import Store

if TYPE_CHECKING:
    from euprojects.semantic.vector_index import Neighbours

DEPTH = 100  # the closest projects a semantic or hybrid search adds to the keyword matches
EXACT_UP_TO = 3000  # a filter that leaves at most this many projects is searched exhaustively
# When a filter leaves more, the index is asked for the closest PROBE_MIN to PROBE_MAX projects,
# twice as many as should hold DEPTH that pass the filter: each one asked for costs time, and
# asking for 2,000 whatever the filter made a third of hybrid search's time at 100k projects.
PROBE_MIN, PROBE_MAX = 3 * DEPTH, 4000


class _SemanticPlan(_Plan):
    mode: str = modes.KEYWORD
    keyword: tantivy.Query | None = None
    relaxed: bool = False  # no project holds every word: the keyword side matches some of them
    neighbours: list[tuple[str, float]] = msgspec.field(default_factory=list)
    vector: object = None  # the query's


class SemanticSearcher(Searcher):
    """A :class:`Searcher` that also searches by meaning when the ``semantic`` extra is installed
    and the vectors are ready; until then it is the keyword searcher."""

    def __init__(self, index_dir: Path, store: Store, cache_size: int = 0, fusion: Fusion = FUSION) -> None:
        super().__init__(index_dir, store, cache_size)
        self.fusion = fusion
        self.installed = available()
        self.neighbours: Neighbours | None = None
        if self.installed:
            from euprojects.semantic.vector_index import Neighbours

            self.neighbours = Neighbours(index_dir, store)

    def ready(self) -> bool:
        return self.neighbours is not None and self.neighbours.ready()

    def mode_of(self, request: SearchRequest) -> str:
        return modes.resolve(request.mode, self.installed, self.ready())

    def search(self, request: SearchRequest) -> SearchResult:
        # the default mode changes when the vectors become ready: cache under the mode that ran
        return super().search(msgspec.structs.replace(request, mode=self.mode_of(request)))

    def plan(self, request: SearchRequest, searcher: tantivy.Searcher | None = None) -> _Plan:
        plan = super().plan(request, searcher)
        mode = self.mode_of(request)
        if mode == modes.KEYWORD or not _meaning(request.query, plan):
            return plan
        searcher = searcher or self._fresh_searcher()
        keyword = plan.text
        relaxed = False
        if (
            keyword is not None
            and self._relaxable(plan)
            and not _count(searcher, self._combine(keyword, plan.filters, plan.excluded))
        ):
            # every word together matches nothing: the projects that match some of them follow the
            # closest in meaning (bench/relevance.py: fused equally, they bury paraphrases' targets)
            keyword = self.compiler.text_query(plan.parsed, searcher, relaxed=True)
            relaxed = True
        vector = self._query_vector(request.query, plan)
        found = self._closest(searcher, plan, vector)
        ids = tantivy.Query.term_set_query(self.schema, "id", [pid for pid, _ in found]) if found else None
        text: tantivy.Query | None
        if mode == modes.SEMANTIC or keyword is None:
            text = ids if ids is not None else tantivy.Query.empty_query()
        elif ids is None:
            text = keyword
        else:
            text = tantivy.Query.boolean_query([(tantivy.Occur.Should, keyword), (tantivy.Occur.Should, ids)])
        fields = msgspec.structs.asdict(plan) | {"text": text}
        return _SemanticPlan(**fields, mode=mode, keyword=keyword, relaxed=relaxed, neighbours=found, vector=vector)

    def _query_vector(self, query: str, plan: _Plan) -> object:
        from euprojects.semantic.encoder import shared_encoder

        return shared_encoder().query(_meaning(query, plan))

    def _closest(self, searcher: tantivy.Searcher, plan: _Plan, vector: object) -> list[tuple[str, float]]:
        """The DEPTH projects closest to the vector among those that pass the filters."""
        assert self.neighbours is not None
        if not plan.filters and not plan.excluded:
            return self.neighbours.nearest(vector, DEPTH)  # type: ignore[arg-type]
        allowed = self._combine(None, plan.filters, plan.excluded)
        total = _count(searcher, allowed)
        if total == 0:
            return []
        if total <= EXACT_UP_TO:
            ids = self._ids(searcher, searcher.search(allowed, limit=total).hits)
            return self.neighbours.exact(vector, ids, DEPTH)  # type: ignore[arg-type]
        wanted = min(max(PROBE_MIN, 2 * DEPTH * len(self.neighbours) // total), PROBE_MAX)
        probe = self.neighbours.nearest(vector, wanted)  # type: ignore[arg-type]
        candidates = tantivy.Query.term_set_query(self.schema, "id", [pid for pid, _ in probe])
        both = tantivy.Query.boolean_query([(tantivy.Occur.Must, allowed), (tantivy.Occur.Must, candidates)])
        passing = set(self._ids(searcher, searcher.search(both, limit=len(probe)).hits))
        return [(pid, score) for pid, score in probe if pid in passing][:DEPTH]

    @staticmethod
    def _ids(searcher: tantivy.Searcher, hits: Sequence[tuple[float, tantivy.DocAddress]]) -> list[str]:
        return [searcher.doc(address)["id"][0] for _, address in hits]

    # --- the relevance order -------------------------------------------------------------------
    def _page(
        self, searcher: tantivy.Searcher, query: tantivy.Query, plan: _Plan, request: SearchRequest
    ) -> tuple[Sequence[tuple[float, tantivy.DocAddress, object]], int, str | None]:
        if not isinstance(plan, _SemanticPlan) or plan.sort.index is not None:
            return super()._page(searcher, query, plan, request)
        offset = plan.cursor.offset if plan.cursor else (request.page - 1) * request.limit
        ranked = self._fused(searcher, plan, offset + request.limit)[offset : offset + request.limit]
        addresses = self._addresses(searcher, [pid for pid, _ in ranked])
        hits = [(score, addresses[pid], None) for pid, score in ranked if pid in addresses]
        total = _count(searcher, query)
        next_cursor = None
        if hits and len(hits) == request.limit and offset + len(hits) < total:
            next_cursor = encode_cursor(Cursor(sort=plan.sort.name, offset=offset + len(hits)))
        return hits, total, next_cursor

    def _fused(self, searcher: tantivy.Searcher, plan: _SemanticPlan, end: int) -> list[tuple[str, float]]:
        """The first ``end`` projects of the fused ranking, with their fused scores.

        A keyword hit below rank end + DEPTH cannot reach the first ``end`` places (at least
        end + DEPTH projects score higher on the keyword side, and at most DEPTH on the other), so
        the keyword ranking is read to that depth only.
        """
        if plan.mode == modes.SEMANTIC or plan.keyword is None:
            return plan.neighbours[:end]
        keyword_query = self._combine(plan.keyword, plan.filters, plan.excluded)
        found = searcher.search(keyword_query, limit=end + DEPTH).hits
        keyword = list(zip(self._ids(searcher, found), (float(score) for score, _ in found), strict=True))
        if plan.relaxed:
            close = {pid for pid, _ in plan.neighbours}
            rest = [(pid, 0.0) for pid, _ in keyword if pid not in close]
            return [*plan.neighbours, *rest][:end]
        similarity = dict(plan.neighbours)
        if self.fusion.method != "rrf":
            similarity |= self._similarity(plan.vector, [pid for pid, _ in keyword if pid not in similarity])
        return fuse(self.fusion, keyword, similarity, [pid for pid, _ in plan.neighbours])[:end]

    def _similarity(self, vector: object, project_ids: Sequence[str]) -> dict[str, float]:
        """The cosine similarity of the query to each of these projects (that has a vector)."""
        assert self.neighbours is not None
        known, matrix = self.neighbours.vectors(project_ids)
        if not known:
            return {}
        return dict(zip(known, (float(x) for x in matrix @ vector), strict=True))  # type: ignore[operator]

    def _addresses(self, searcher: tantivy.Searcher, ids: list[str]) -> dict[str, tantivy.DocAddress]:
        if not ids:
            return {}
        query = tantivy.Query.term_set_query(self.schema, "id", ids)
        found = searcher.search(query, limit=len(ids)).hits
        return {searcher.doc(address)["id"][0]: address for _, address in found}

    # --- projects like a project, or like a paragraph --------------------------------------------
    def more_like_this(self, project_id: str, limit: int = 5) -> list[Hit]:
        """The projects closest in meaning to this one; by shared words when there are no vectors."""
        if not self.ready():
            return super().more_like_this(project_id, limit)
        assert self.neighbours is not None
        known, matrix = self.neighbours.vectors([project_id])
        if not known:
            return super().more_like_this(project_id, limit)
        found = [(pid, score) for pid, score in self.neighbours.nearest(matrix[0], limit + 1) if pid != project_id]
        return self.hits(found[:limit])

    def hits(self, ranked: Sequence[tuple[str, float]]) -> list[Hit]:
        """Hits for projects given by id, in the given order, with the given scores."""
        searcher = self._fresh_searcher()
        addresses = self._addresses(searcher, [pid for pid, _ in ranked])
        found = [(score, addresses[pid], None) for pid, score in ranked if pid in addresses]
        return self._hydrate(searcher, found, None, highlight=False)


def _meaning(query: str, plan: _Plan) -> str:
    """The words of the query that say what it is about: its positive terms, without filters,
    scopes' names or operators."""
    words = [t.text for c in plan.parsed.positive for t in c.terms if not t.identifier]
    return " ".join(words)


__all__ = ["DEPTH", "SemanticSearcher"]
