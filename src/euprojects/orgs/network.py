"""The collaboration network: who works with whom, over a set of projects.

The set is an organisation's projects, a country's (projects with a participant from there) or
the best-ranked projects of a search. Nodes are organisations or countries, each with the number
of projects of the set it took part in; an edge joins two nodes that took part in the same
projects, weighted by how many. Only the ``limit`` nodes with most projects are kept (the
organisation or country the network is of always among them), and the edges among them; the
answer says how many there were before the cap.

Every count is over the set's participations as the store holds them: an organisation listed
twice in one project counts once there, and a participation with no country joins no country.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import combinations
from typing import Literal

import msgspec

from euprojects.normalise.places import country_name
from euprojects.orgs.partners import Ranker, require_topic
from euprojects.search import SearchRequest
from euprojects.store import Store
from euprojects.store.participants import Participant
from euprojects.views import organisation_name, organisation_url

Level = Literal["organisations", "countries"]
DEFAULT_LIMIT = 40
MAX_LIMIT = 200
SEARCH_PROJECTS = 500


class Node(msgspec.Struct):
    id: str
    label: str
    projects: int
    country: str | None = None
    url: str | None = None


class Edge(msgspec.Struct):
    source: str
    target: str
    projects: int


class Network(msgspec.Struct):
    """``scope`` names the set (``organisation``, ``country`` or ``search``) and ``of`` what it
    is of; ``projects`` is the size of the set (for a search, the best-ranked ``projects`` of
    ``projects_matched``); ``nodes_total`` how many nodes there were before the cap ``limit``."""

    scope: str
    of: str
    level: str
    projects: int
    nodes_total: int
    limit: int
    nodes: list[Node]
    edges: list[Edge]
    projects_matched: int | None = None


def organisation_network(
    store: Store, org_id: str, level: Level = "organisations", limit: int = DEFAULT_LIMIT
) -> Network:
    org = store.organisation(org_id)
    org_id = org.id if org else org_id  # the canonical organisation an id was resolved to
    project_ids = store.organisation_project_ids(org_id)
    centre = org_id if level == "organisations" else None
    if level == "countries":
        centre = org.country if org else None
    return build(store, "organisation", org_id, project_ids, level, limit, centre)


def country_network(store: Store, country: str, level: Level = "countries", limit: int = DEFAULT_LIMIT) -> Network:
    project_ids = store.country_project_ids(country)
    return build(store, "country", country, project_ids, level, limit, country if level == "countries" else None)


def search_network(
    ranker: Ranker,
    store: Store,
    request: SearchRequest,
    level: Level = "organisations",
    limit: int = DEFAULT_LIMIT,
) -> Network:
    require_topic(request.query)
    matched, ranked = ranker.ranked_ids(request, SEARCH_PROJECTS)
    network = build(store, "search", request.query, [pid for pid, _ in ranked], level, limit, None)
    network.projects_matched = matched
    return network


def build(
    store: Store, scope: str, of: str, project_ids: list[str], level: Level, limit: int, centre: str | None
) -> Network:
    members = [_members(participants, level) for participants in store.participants(project_ids).values()]
    weights: Counter[str] = Counter(node for group in members for node in group)
    kept = _top(weights, limit, centre)
    pairs: Counter[tuple[str, str]] = Counter()
    for group in members:
        pairs.update(combinations(sorted(group & kept), 2))
    return Network(
        scope=scope,
        of=of,
        level=level,
        projects=len(project_ids),
        nodes_total=len(weights),
        limit=limit,
        nodes=_nodes(store, level, kept, weights, centre),
        edges=[Edge(a, b, n) for (a, b), n in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))],
    )


def _members(participants: Iterable[Participant], level: Level) -> set[str]:
    if level == "countries":
        return {p.country for p in participants if p.country}
    return {p.org_id for p in participants}


def _top(weights: Counter[str], limit: int, centre: str | None) -> set[str]:
    ranked = sorted(weights.items(), key=lambda item: (item[0] != centre, -item[1], item[0]))
    return {node for node, _ in ranked[:limit]}


def _nodes(store: Store, level: Level, kept: set[str], weights: Counter[str], centre: str | None) -> list[Node]:
    """The kept nodes, the one the network is of first, then by projects."""
    ordered = sorted(kept, key=lambda node: (node != centre, -weights[node], node))
    if level == "countries":
        return [Node(code, country_name(code) or code, weights[code], code) for code in ordered]
    organisations = store.organisations(ordered)
    nodes = []
    for org_id in ordered:
        org = organisations.get(org_id)
        name = organisation_name(org_id, org.name if org else None)
        country = org.country if org else None
        nodes.append(Node(org_id, name, weights[org_id], country, organisation_url(org_id)))
    return nodes
