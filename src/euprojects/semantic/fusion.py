"""How hybrid search merges the keyword ranking with the ranking by meaning.

Two ways, both measured by bench/relevance.py (``--tune``: weights chosen on half of the relevance
set, reported on the other half):

* ``rrf``, weighted reciprocal rank fusion: a project gets ``weight / (k + rank)`` from the
  keyword ranking and ``1 / (k + rank)`` from the ranking by meaning. Plain RRF (weight 1) lets a
  project that only resembles the query push the one that holds its exact words down the page;
* ``scores``, a convex combination of the two scores: ``weight`` × the keyword score divided by
  the best keyword score, plus ``1 - weight`` × the cosine similarity scaled between the lowest
  and the highest of the candidates. Unlike ranks, scores say how much better the first is than
  the second: a title typed in full scores far above anything else on the keyword side.

Hybrid search uses ``scores`` with weight 0.7, the best on the tuning half (MRR@10 0.810; the best
RRF, weight 5 and k 10, 0.807; plain RRF 0.741). On the other half: 0.832, 0.836 and 0.768, and
the BM25 baseline 0.569 (bench/README.md, 5 Dec 2026). Both weighted fusions let the keyword
ranking lead where it matches every word; where nothing does, the closest in meaning come first
(:class:`euprojects.semantic.search.SemanticSearcher`), which is how paraphrases are found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

RRF, SCORES = "rrf", "scores"


class Fusion(msgspec.Struct, frozen=True):
    method: str  # RRF or SCORES
    weight: float  # rrf: the keyword ranking's weight (meaning's is 1); scores: the keyword score's share
    k: int = 60  # rrf only


def rrf(
    rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: each ranking gives a project weight / (k + its rank)."""
    scores: dict[str, float] = {}
    for number, ranking in enumerate(rankings):
        weight = weights[number] if weights else 1.0
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + weight / (k + rank)
    return _ordered(scores)


def convex(
    keyword: Sequence[tuple[str, float]], similarity: Mapping[str, float], weight: float
) -> list[tuple[str, float]]:
    """``weight`` × keyword score / best keyword score + (1 - weight) × min-max scaled similarity,
    over the projects of either side (a project missing from the keyword side scores 0 there;
    ``similarity`` must hold every candidate)."""
    best = max((score for _, score in keyword), default=0.0) or 1.0
    words = {pid: score / best for pid, score in keyword}
    low, high = min(similarity.values(), default=0.0), max(similarity.values(), default=0.0)
    span = (high - low) or 1.0
    scores = {
        pid: weight * words.get(pid, 0.0) + (1.0 - weight) * (similarity.get(pid, low) - low) / span
        for pid in {*words, *similarity}
    }
    return _ordered(scores)


def fuse(
    fusion: Fusion, keyword: Sequence[tuple[str, float]], similarity: Mapping[str, float], closest: Sequence[str]
) -> list[tuple[str, float]]:
    """The fused ranking of the keyword hits (id, score; best first), the closest projects in
    meaning (best first) and the similarity of every one of them."""
    if fusion.method == RRF:
        return rrf([[pid for pid, _ in keyword], closest], fusion.k, [fusion.weight, 1.0])
    return convex(keyword, similarity, fusion.weight)


def _ordered(scores: Mapping[str, float]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


FUSION = Fusion(SCORES, 0.7)  # chosen by bench/relevance.py --tune (bench/README.md)
