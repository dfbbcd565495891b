"""The collaboration network on the real corpus: every node and edge count is the number of
projects of the set in which they took part, as the store's participations say."""

from __future__ import annotations

import sqlite3
from itertools import combinations
from pathlib import Path

import pytest

from euprojects.orgs.network import country_network, organisation_network, search_network
from euprojects.search import Searcher, SearchRequest
from euprojects.store import Store

Corpus = tuple[Store, Path]


def db(store: Store) -> sqlite3.Connection:
    connection: sqlite3.Connection = store.db  # type: ignore[attr-defined]
    return connection


@pytest.fixture(scope="module")
def busiest(corpus: Corpus) -> str:
    """The organisation with most projects in the corpus (over all the ids it was resolved from)."""
    store, _ = corpus
    row = (
        db(store)
        .execute(
            "SELECT COALESCE(l.canonical, p.org_id) AS org FROM participations p LEFT JOIN org_links l"
            " ON l.org_id = p.org_id GROUP BY org ORDER BY COUNT(DISTINCT p.project_id) DESC, org LIMIT 1"
        )
        .fetchone()
    )
    return str(row[0])


def members(store: Store, project_ids: list[str], level: str) -> list[set[str]]:
    """Who took part in each project, read from the projects themselves."""
    groups = []
    for project in store.projects(project_ids):
        if level == "countries":
            groups.append({p.organisation.country for p in project.participations if p.organisation.country})
        else:
            groups.append({p.organisation.id for p in project.participations})
    return groups


def test_an_organisations_network_counts_its_shared_projects(corpus: Corpus, busiest: str) -> None:
    store, _ = corpus
    network = organisation_network(store, busiest, limit=15)
    project_ids = [
        r[0]
        for r in db(store).execute(
            "SELECT DISTINCT p.project_id FROM participations p LEFT JOIN org_links l ON l.org_id = p.org_id"
            " WHERE COALESCE(l.canonical, p.org_id) = ?",
            (busiest,),
        )
    ]
    assert network.projects == len(project_ids) > 10
    assert network.nodes[0].id == busiest and network.nodes[0].projects == len(project_ids)
    assert len(network.nodes) == 15 < network.nodes_total
    groups = members(store, project_ids, "organisations")
    assert network.nodes_total == len(set().union(*groups))
    for node in network.nodes:
        assert node.projects == sum(node.id in group for group in groups), node.id
    kept = {node.id for node in network.nodes}
    expected = {pair: sum(set(pair) <= group for group in groups) for pair in combinations(sorted(kept), 2)}
    assert {(e.source, e.target): e.projects for e in network.edges} == {k: v for k, v in expected.items() if v}
    weights = [node.projects for node in network.nodes[1:]]
    assert weights == sorted(weights, reverse=True)
    assert min(weights) >= max(sum(other in group for group in groups) for other in set().union(*groups) - kept), (
        "the cap keeps the nodes with most projects"
    )


def test_a_countrys_network_of_countries(corpus: Corpus) -> None:
    store, _ = corpus
    network = country_network(store, "FI", limit=12)
    assert network.level == "countries" and network.nodes[0].id == "FI"
    listed = [
        r[0]
        for r in db(store).execute(
            "SELECT DISTINCT p.project_id FROM participations p JOIN projects r ON r.id = p.project_id"
            " WHERE p.country = 'FI' AND r.listed"
        )
    ]
    assert network.projects == len(listed) == network.nodes[0].projects
    for edge in network.edges[:20]:
        shared = (
            db(store)
            .execute(
                "SELECT COUNT(DISTINCT a.project_id) FROM participations a JOIN participations b"
                " ON a.project_id = b.project_id JOIN projects r ON r.id = a.project_id"
                " WHERE a.country = ? AND b.country = ? AND r.listed"
                " AND EXISTS (SELECT 1 FROM participations c WHERE c.project_id = a.project_id AND c.country = 'FI')",
                (edge.source, edge.target),
            )
            .fetchone()[0]
        )
        assert edge.projects == shared, edge
    assert {n.label for n in network.nodes} >= {"Finland"}


def test_a_searchs_network_is_over_its_best_projects(corpus: Corpus, corpus_searcher: Searcher) -> None:
    store, _ = corpus
    network = search_network(corpus_searcher, store, SearchRequest(query="hydrogen"), "countries", limit=200)
    total = corpus_searcher.search(SearchRequest(query="hydrogen", limit=1)).total
    assert network.projects_matched == total and network.projects == min(total, 500)
    assert len(network.nodes) == network.nodes_total > 5
    assert all(e.source < e.target and e.projects >= 1 for e in network.edges)


def test_a_network_of_nothing_is_empty(corpus: Corpus) -> None:
    store, _ = corpus
    network = organisation_network(store, "pic:0")
    assert (network.projects, network.nodes, network.edges, network.nodes_total) == (0, [], [], 0)
