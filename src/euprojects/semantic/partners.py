""" "Find partners for my idea": the projects closest to a described idea, and the organisations
whose past projects are closest to it.

An organisation's relevance is the sum of the similarities of its projects among the ``DEPTH``
closest (a track record of several close projects outweighs one that is a little closer), and
it is shown with those projects. Organisations are counted by the ids the store gives them
today (a PIC, a national register id, else country and normalised name).
"""

from __future__ import annotations

import msgspec

from euprojects.errors import QueryError
from euprojects.search.engine import Hit, SearchRequest
from euprojects.semantic.search import SemanticSearcher

IDEA_CHARS = 5000
MIN_WORDS = 3


class IdeaProject(msgspec.Struct):
    id: str
    title: str | None
    similarity: float


class IdeaPartner(msgspec.Struct):
    id: str
    name: str | None
    country: str | None
    score: float
    projects: list[IdeaProject]


class IdeaResult(msgspec.Struct):
    projects: list[Hit]
    organisations: list[IdeaPartner]


def check_idea(text: str) -> str:
    """The idea as it is searched; a one-line error when it cannot be."""
    idea = " ".join(text.split())
    if len(idea) > IDEA_CHARS:
        raise QueryError(f"idea: at most {IDEA_CHARS:,} characters, not {len(idea):,}")
    if len(idea.split()) < MIN_WORDS:
        raise QueryError(f"idea: describe the project in at least {MIN_WORDS} words")
    return idea


def find_partners(
    searcher: SemanticSearcher,
    idea: str,
    countries: list[str] | None = None,
    programmes: list[str] | None = None,
    projects: int = 10,
    organisations: int = 20,
) -> IdeaResult:
    """The closest projects (among those with a partner of one of the countries and of one of
    the programmes, when given) and the organisations (of those countries) behind them."""
    from euprojects.semantic.encoder import shared_encoder

    text = check_idea(idea)
    if not searcher.ready():
        raise QueryError("idea: semantic search is not ready (not installed, or the projects are being embedded)")
    filters = {name: values for name, values in (("country", countries), ("programme", programmes)) if values}
    request = SearchRequest(filters=filters, facets=(), limit=0, mode="keyword")
    index_searcher = searcher._fresh_searcher()
    plan = searcher.plan(request, index_searcher)
    closest = searcher._closest(index_searcher, plan, shared_encoder().query(text))
    wanted = {c.upper() for c in plan.filters["country"].values} if "country" in plan.filters else None
    return IdeaResult(
        projects=searcher.hits(closest[:projects]),
        organisations=_organisations(searcher, closest, wanted)[:organisations],
    )


def _organisations(
    searcher: SemanticSearcher, closest: list[tuple[str, float]], countries: set[str] | None
) -> list[IdeaPartner]:
    similarity = dict(closest)
    found: dict[str, IdeaPartner] = {}
    for project in searcher.store.projects([pid for pid, _ in closest]):
        pid = project.id
        score = similarity.get(pid, 0.0)
        for participation in project.participations:
            org = participation.organisation
            if countries is not None and (org.country or "").upper() not in countries:
                continue
            partner = found.setdefault(org.id, IdeaPartner(org.id, org.name, org.country, 0.0, []))
            if all(p.id != pid for p in partner.projects):
                partner.score += score
                partner.projects.append(IdeaProject(pid, project.title or project.label, round(score, 4)))
    ranked = sorted(found.values(), key=lambda p: (-p.score, p.id))
    for partner in ranked:
        partner.score = round(partner.score, 4)
        partner.projects.sort(key=lambda p: -p.similarity)
    return ranked
