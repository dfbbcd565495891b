"""Partner search: organisations ranked by how relevant their track record is to a topic.

The topic is searched as projects are (the same index, words, phrases and scopes); the
``PROJECTS_CONSIDERED`` best-ranked projects are the evidence. Each of them gives each of its
participants a share of credit: its relevance (its score over the best score, 0–1), times how
recent it is (halved every ``HALF_LIFE_YEARS`` years before the current year; undated projects
count as ``UNDATED`` of a current one), times the participant's role there (``ROLE_WEIGHT``: a
lead counts more than a partner, an associated partner less). An organisation's rank is the sum
of its credits, so both a long relevant record and a few very relevant recent projects count.
Each result lists the projects that gave it the most credit.

Filters on the organisation (country, NUTS region, type) are its record's; "has led",
programme and period ask whether it ever took part in a listed project that way. A country
also narrows the evidence to projects with a partner from there, so that the considered
projects are the relevant ones for that country rather than the first ones overall.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

import msgspec

from euprojects.errors import QueryError
from euprojects.model import Organisation, Role
from euprojects.search import SearchRequest
from euprojects.store import Store
from euprojects.store.participants import OrganisationFilter, ProjectBrief
from euprojects.views import organisation_name, organisation_url, project_url

PROJECTS_CONSIDERED = 1000
HALF_LIFE_YEARS = 8.0
UNDATED = 0.5
ROLE_WEIGHT = {Role.LEAD.value: 1.5, Role.PARTNER.value: 1.0}
OTHER_ROLE_WEIGHT = 0.5
EVIDENCE = 5
MAX_LIMIT = 100


class Ranker(Protocol):
    """What partner search needs of the searcher (``search.Searcher``)."""

    def ranked_ids(self, request: SearchRequest, limit: int) -> tuple[int, list[tuple[str, float]]]: ...


class PartnerQuery(msgspec.Struct, kw_only=True, frozen=True):
    """A partner search: the topic and the filters on the organisations found."""

    query: str
    country: tuple[str, ...] = ()
    nuts: tuple[str, ...] = ()
    org_type: tuple[str, ...] = ()
    has_led: bool = False
    programme: tuple[str, ...] = ()
    period: tuple[str, ...] = ()
    limit: int = 20


class Evidence(msgspec.Struct):
    """A project that earned an organisation its rank, with the credit it gave."""

    project_id: str
    url: str
    acronym: str | None
    title: str | None
    label: str | None
    role: str
    start_date: str | None
    programme: str | None
    period: str | None
    credit: float


class PartnerHit(msgspec.Struct):
    id: str
    url: str
    name: str
    country: str | None
    city: str | None
    nuts: str | None
    type: str | None
    score: float
    projects: int
    led: int
    evidence: list[Evidence]


class PartnerResult(msgspec.Struct):
    """``total`` organisations qualified; ``projects_matched`` projects matched the topic, of which
    the ``projects_considered`` best ranked were weighed."""

    query: str
    total: int
    projects_matched: int
    projects_considered: int
    hits: list[PartnerHit]


class _Credit(msgspec.Struct):
    score: float = 0.0
    projects: dict[str, tuple[str, float]] = {}  # project id -> (role, credit)


def require_topic(query: str) -> None:
    """A topic must have words: without any, every project would be "relevant"."""
    if not any(c.isalnum() for c in query):
        raise QueryError("q: give the words of a topic, e.g. hydrogen storage")


def find_partners(ranker: Ranker, store: Store, request: PartnerQuery, today: dt.date | None = None) -> PartnerResult:
    require_topic(request.query)
    filters = {"country": list(request.country)} if request.country else {}
    matched, ranked = ranker.ranked_ids(SearchRequest(query=request.query, filters=filters), PROJECTS_CONSIDERED)
    briefs = store.project_briefs([pid for pid, _ in ranked])
    credits = _credits(store, ranked, briefs, (today or dt.date.today()).year)
    chosen = sorted(store.qualified(list(credits), _wanted(request)), key=lambda org: (-credits[org].score, org))
    shown = chosen[: request.limit]
    organisations = store.organisations(shown)
    hits = [_hit(org_id, credits[org_id], organisations.get(org_id), briefs) for org_id in shown]
    return PartnerResult(
        query=request.query, total=len(chosen), projects_matched=matched, projects_considered=len(ranked), hits=hits
    )


def _wanted(request: PartnerQuery) -> OrganisationFilter:
    return OrganisationFilter(
        countries=request.country,
        nuts=request.nuts,
        types=request.org_type,
        led=request.has_led,
        programmes=request.programme,
        periods=request.period,
    )


def _credits(
    store: Store, ranked: list[tuple[str, float]], briefs: dict[str, ProjectBrief], year: int
) -> dict[str, _Credit]:
    best = max((score for _, score in ranked), default=0.0) or 1.0
    participants = store.participants([pid for pid, _ in ranked])
    credits: dict[str, _Credit] = {}
    for project_id, score in ranked:
        weight = score / best * recency(briefs.get(project_id), year)
        for participant in participants.get(project_id, []):
            credit = credits.setdefault(participant.org_id, _Credit(projects={}))
            given = weight * ROLE_WEIGHT.get(participant.role, OTHER_ROLE_WEIGHT)
            known = credit.projects.get(project_id)
            if known is None or known[1] < given:  # listed twice (two departments): the better role
                credit.score += given - (known[1] if known else 0.0)
                credit.projects[project_id] = (participant.role, given)
    return credits


def recency(brief: ProjectBrief | None, year: int) -> float:
    """1 for a project running this year or later, halved every HALF_LIFE_YEARS before."""
    date = brief and (brief.end_date or brief.start_date)
    if not date:
        return UNDATED
    age = max(0, year - int(date[:4]))
    return float(0.5 ** (age / HALF_LIFE_YEARS))


def _hit(org_id: str, credit: _Credit, org: Organisation | None, briefs: dict[str, ProjectBrief]) -> PartnerHit:
    best = sorted(credit.projects.items(), key=lambda item: (-item[1][1], item[0]))
    return PartnerHit(
        id=org_id,
        url=organisation_url(org_id),
        name=organisation_name(org_id, org.name if org else None),
        country=org.country if org else None,
        city=org.city if org else None,
        nuts=org.nuts if org else None,
        type=org.type if org else None,
        score=round(credit.score, 4),
        projects=len(credit.projects),
        led=sum(1 for role, _ in credit.projects.values() if role == Role.LEAD),
        evidence=[_evidence(pid, role, given, briefs.get(pid)) for pid, (role, given) in best[:EVIDENCE]],
    )


def _evidence(project_id: str, role: str, credit: float, brief: ProjectBrief | None) -> Evidence:
    return Evidence(
        project_id=project_id,
        url=project_url(project_id),
        acronym=brief.acronym if brief else None,
        title=brief.title if brief else None,
        label=brief.label if brief else None,
        role=role,
        start_date=brief.start_date if brief else None,
        programme=brief.programme if brief else None,
        period=brief.period if brief else None,
        credit=round(credit, 4),
    )


def seed_query(title: str | None, acronym: str | None, themes: Sequence[str]) -> str:
    """Partner search words for a project: its themes, else its title's words, as alternatives
    (OR), so that organisations active on any of them are found and those on most rank first."""
    words = [w for w in (_clean(t) for t in themes) if w][:6] or _title_words(title or acronym or "")
    return " OR ".join(f'"{w}"' if " " in w else w for w in words)


STOP = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with"}
    | {"within", "towards", "through", "via", "its", "their", "new", "use", "using", "based"}
)


OPERATORS = frozenset({"OR", "AND", "NOT"})


def _title_words(title: str) -> list[str]:
    words = [w for w in (_clean(w) for w in title.split()) if len(w) > 2 and w.lower() not in STOP]
    return words[:8]


def _clean(text: str) -> str:
    """A word or theme as the query language reads it literally: no quotes, scopes, exclusions
    or operators."""
    kept = "".join(c if c.isalnum() or c in " -" else " " for c in text)
    words = [w.strip("-") for w in kept.split() if w.strip("-") and w.strip("-") not in OPERATORS]
    return " ".join(words)
