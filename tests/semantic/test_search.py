"""Keyword, semantic and hybrid search on the real corpus: meaning found without shared words,
and every filter, facet, sort and page honoured in every mode."""

from __future__ import annotations

import re

import msgspec
import pytest

from euprojects.errors import QueryError
from euprojects.search import SearchRequest
from euprojects.semantic import fusion
from euprojects.semantic.search import DEPTH, SemanticSearcher

pytestmark = pytest.mark.slow  # the embedded corpus takes about a minute to build

MODES = ("keyword", "semantic", "hybrid")
STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    how if in into is it its itself more most no nor not now of off on once only or other our out over own
    same so some such than that the their them then there these they this those through to too under until
    up very was we were what when where which while who why will with would""".split()  # noqa: SIM905
)

# Each says what a real ERC project is about in words of which none (stemmed) occurs in the
# project's title, acronym, abstract, results or themes: the test checks that too. (One written for
# erc:cog-sophia-20160901 is left out: keyword search finds that project by words of its other
# fields, so it tells nothing of meaning.)
PARAPHRASES = (
    ("erc:cog-controlpastco2-20170201", "rock erosion regulating greenhouse gases in ancient times"),
    ("erc:adg-acrcc-20140301", "how prevailing westerlies move in a hotter world"),
)


def _stems(text: str) -> set[str]:
    import Stemmer

    words = [w for w in re.findall(r"[^\W_]+", text.lower()) if w not in STOP and len(w) > 1]
    return set(Stemmer.Stemmer("english").stemWords(words))


@pytest.mark.parametrize(("target", "paraphrase"), PARAPHRASES)
def test_a_paraphrase_sharing_no_word_finds_its_project(
    semantic_searcher: SemanticSearcher, target: str, paraphrase: str
) -> None:
    project = semantic_searcher.store.project(target)
    assert project is not None
    text = " ".join(filter(None, (project.acronym, project.title, project.summary, project.results, *project.themes)))
    assert not _stems(paraphrase) & _stems(text)
    keyword = semantic_searcher.search(SearchRequest(query=paraphrase, limit=10, mode="keyword"))
    assert target not in [h.id for h in keyword.hits]
    for mode in ("semantic", "hybrid"):
        found = semantic_searcher.search(SearchRequest(query=paraphrase, limit=10, mode=mode))
        assert target in [h.id for h in found.hits], mode


def test_hybrid_is_the_default_once_the_vectors_are_ready(semantic_searcher: SemanticSearcher) -> None:
    assert semantic_searcher.ready()
    default = semantic_searcher.search(SearchRequest(query="supercooled water", limit=5))
    hybrid = semantic_searcher.search(SearchRequest(query="supercooled water", limit=5, mode="hybrid"))
    assert [h.id for h in default.hits] == [h.id for h in hybrid.hits]


@pytest.mark.parametrize("mode", MODES)
def test_filters_hold_and_facets_count_the_whole_result_in_every_mode(
    semantic_searcher: SemanticSearcher, mode: str
) -> None:
    request = SearchRequest(
        query="climate change adaptation", filters={"source": ["erc"]}, facets=("source", "status"), limit=50, mode=mode
    )
    result = semantic_searcher.search(request)
    assert result.total > 0
    assert all(h.source == "erc" for h in result.hits)
    assert sum(v.count for v in result.facets["status"] if v.count) <= result.total
    by_source = {v.value: v.count for v in result.facets["source"]}
    assert by_source["erc"] == result.total  # a facet ignores its own selection: the rest would add
    every = semantic_searcher.search(msgspec.structs.replace(request, filters={}, limit=0))
    assert every.total >= result.total
    assert {v.value: v.count for v in every.facets["source"]}.get("erc") == result.total


def test_hybrid_matches_the_keyword_matches_and_the_closest_projects(semantic_searcher: SemanticSearcher) -> None:
    query = "ice in clouds"
    keyword = semantic_searcher.search(SearchRequest(query=query, limit=0, mode="keyword"))
    semantic = semantic_searcher.search(SearchRequest(query=query, limit=0, mode="semantic"))
    hybrid = semantic_searcher.search(SearchRequest(query=query, limit=0, mode="hybrid"))
    assert semantic.total == DEPTH
    assert max(keyword.total, semantic.total) <= hybrid.total <= keyword.total + semantic.total


def test_hybrid_pages_and_cursors_continue_without_repeating(semantic_searcher: SemanticSearcher) -> None:
    request = SearchRequest(query="quantum materials", limit=10, mode="hybrid", facets=())
    first = semantic_searcher.search(request)
    second = semantic_searcher.search(msgspec.structs.replace(request, page=2))
    by_cursor = semantic_searcher.search(msgspec.structs.replace(request, cursor=first.next_cursor))
    assert first.next_cursor
    assert [h.id for h in second.hits] == [h.id for h in by_cursor.hits]
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    assert len(first.hits) == len(second.hits) == 10


def test_hybrid_sorted_by_a_field_keeps_the_fused_set(semantic_searcher: SemanticSearcher) -> None:
    base = SearchRequest(query="ice in clouds", limit=100, mode="hybrid", facets=())
    ranked = semantic_searcher.search(base)
    dated = semantic_searcher.search(msgspec.structs.replace(base, sort="-start_date"))
    assert dated.total == ranked.total
    starts = [h.start_date for h in dated.hits if h.start_date]
    assert starts == sorted(starts, reverse=True)


def test_a_narrow_filter_is_searched_exhaustively(semantic_searcher: SemanticSearcher) -> None:
    """A filter that leaves few projects still gets the closest of them, not none."""
    request = SearchRequest(
        query="water", filters={"source": ["erc"], "start_year": ["2008"]}, limit=5, mode="semantic"
    )
    result = semantic_searcher.search(request)
    assert 0 < result.total <= DEPTH
    assert all(h.start_date and h.start_date.startswith("2008") for h in result.hits)


def test_similar_projects_are_close_in_meaning_and_exclude_the_project(semantic_searcher: SemanticSearcher) -> None:
    similar = semantic_searcher.more_like_this("erc:stg-suliwa-20080801", 5)
    assert len(similar) == 5
    assert "erc:stg-suliwa-20080801" not in [h.id for h in similar]
    assert any(
        "water" in ((h.title or "") + (h.snippet or "")).lower() or "ice" in (h.title or "").lower() for h in similar
    )


def test_an_unknown_mode_is_a_one_line_error(semantic_searcher: SemanticSearcher) -> None:
    with pytest.raises(QueryError, match="mode: 'vector' is not one of keyword, semantic, hybrid"):
        semantic_searcher.search(SearchRequest(query="water", mode="vector"))


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = fusion.rrf([["a", "b", "c"], ["c", "a", "d"]])
    assert [pid for pid, _ in fused] == ["a", "c", "b", "d"]


def test_weighted_rank_fusion_lets_the_heavier_ranking_lead() -> None:
    for weights, first in (([2.0, 1.0], "x"), ([1.0, 2.0], "y")):
        fused = fusion.rrf([["x", "y"], ["y", "x"]], k=10, weights=weights)
        assert fused[0][0] == first


def test_score_fusion_keeps_a_far_better_keyword_match_first() -> None:
    """A project holding every word of the query scores far above the rest on the keyword side: it
    stays first though three others are closer in meaning; with equal keyword scores, meaning
    decides."""
    keyword = [("exact", 30.0), ("some", 6.0), ("other", 5.0)]
    similarity = {"exact": 0.45, "some": 0.40, "other": 0.62, "close": 0.70, "closer": 0.72}
    fused = fusion.convex(keyword, similarity, weight=0.5)
    assert [pid for pid, _ in fused][:2] == ["exact", "closer"]
    tied = fusion.convex([("x", 2.0), ("y", 2.0)], {"x": 0.3, "y": 0.6}, weight=0.5)
    assert [pid for pid, _ in tied] == ["y", "x"]
