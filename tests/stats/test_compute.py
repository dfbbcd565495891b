"""Every figure of the statistics equals the same aggregate computed directly from the store,
for all the data and for searches with a query and filters, on the real corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from euprojects.search import Searcher, SearchRequest
from euprojects.stats.compute import Statistics, StatisticsEngine
from euprojects.store import Store
from tests.stats.truth import Truth, truth

# A search of words with filters, a filter alone, and a query that matches nothing as typed and is
# relaxed to any of its words, as the search page does.
SEARCHES = (
    ("", {}),
    ("energy", {"fund": ["H2020", "HORIZON"]}),
    ("", {"country": ["FI"]}),
    ("", {"org_type": ["PRC"], "country": ["DE", "FR"]}),
    ("", {"start_year": ["2015..2019"], "source": ["erc", "os-fi"]}),
    ("hydrogen storage zzzqqq", {}),
)


@pytest.fixture(scope="module")
def engine(corpus_searcher: Searcher) -> StatisticsEngine:
    return StatisticsEngine(corpus_searcher)


def _listed(searcher: Searcher, query: str, filters: dict[str, list[str]]) -> list[str] | None:
    if not query and not filters:
        return None
    total, _, batches = searcher.matching_ids(SearchRequest(query=query, filters=filters))
    ids = [pid for batch in batches for pid in batch]
    assert len(ids) == total
    return ids


@pytest.fixture(scope="module", params=SEARCHES, ids=lambda s: repr(s)[:40])
def pair(
    request: pytest.FixtureRequest, corpus: tuple[Store, Path], corpus_searcher: Searcher, engine: StatisticsEngine
) -> tuple[Statistics, Truth]:
    query, filters = request.param
    store, _ = corpus
    return engine.compute(query, filters), truth(store, _listed(corpus_searcher, query, filters))


def test_totals_equal_the_store(pair: tuple[Statistics, Truth]) -> None:
    stats, expected = pair
    assert stats.totals.projects == expected.projects > 0
    assert stats.totals.eu_contribution_eur == pytest.approx(expected.eu, rel=1e-9, abs=0.01)
    assert stats.totals.projects_with_eu_contribution == expected.eu_known
    assert stats.totals.participations == expected.participations
    assert stats.totals.organisations == expected.organisations


@pytest.mark.parametrize(
    "dimension",
    ["source", "fund", "period", "programme", "lead_country", "start_year", "country", "org_type", "nuts", "status"],
)
def test_projects_and_eu_contribution_by_dimension(pair: tuple[Statistics, Truth], dimension: str) -> None:
    stats, expected = pair
    rows = {r.value: r for r in stats.by[dimension] if r.projects is not None}
    assert {k: r.projects for k, r in rows.items()} == dict(expected.by_project[dimension])
    for value, row in rows.items():
        assert row.eu_contribution_eur == pytest.approx(expected.eu_by[dimension][value], rel=1e-9, abs=0.01)


@pytest.mark.parametrize("dimension", ["country", "role", "org_type", "nuts"])
def test_participations_and_organisations_by_dimension(pair: tuple[Statistics, Truth], dimension: str) -> None:
    stats, expected = pair
    rows = [r for r in stats.by[dimension] if r.participations is not None]
    assert {r.value: r.participations for r in rows} == dict(expected.participations_by[dimension])
    if dimension == "country":  # distinct organisations are counted in all and by country
        assert {r.value: r.organisations for r in rows} == dict(expected.organisations_by[dimension])
    else:
        assert all(r.organisations is None for r in rows)


def test_without_organisations_the_other_figures_stay(engine: StatisticsEngine) -> None:
    full, lean = engine.compute("", {"country": ["FI"]}), engine.compute("", {"country": ["FI"]}, organisations=False)
    assert lean.totals.organisations == 0 < full.totals.organisations
    assert lean.by["programme"] == full.by["programme"] and lean.links == full.links


def test_country_pairs_count_shared_projects(pair: tuple[Statistics, Truth]) -> None:
    stats, expected = pair
    assert {(link.a, link.b): link.projects for link in stats.links} == dict(expected.pairs)


def test_places_count_the_projects_with_a_partner_there(pair: tuple[Statistics, Truth]) -> None:
    stats, expected = pair
    assert {(f"{p.latitude:.1f}", f"{p.longitude:.1f}"): p.projects for p in stats.places} == dict(expected.places)


def test_years_stacked_by_source_add_up_to_the_years(pair: tuple[Statistics, Truth]) -> None:
    stats, _ = pair
    by_year = {int(r.value): r.projects for r in stats.by["start_year"]}
    assert {y.year: sum(y.projects.values()) for y in stats.over_time["source"]} == by_year


def test_a_relaxed_query_says_so(engine: StatisticsEngine) -> None:
    assert engine.compute("hydrogen storage zzzqqq").relaxed
    assert not engine.compute("hydrogen").relaxed


@pytest.mark.parametrize(
    ("search", "one_pass"),
    [
        (("", {}), False),
        (("", {"country": ["FI"]}), None),  # one pass or several: its figures are what matters
        (("", {"start_year": ["2015..2019"], "source": ["erc", "os-fi"]}), True),
    ],
    ids=["all data", "country FI", "ERC and Finland 2015-2019"],
)
def test_organisations_counted_in_groups_of_partitions_are_the_same(
    corpus_searcher: Searcher,
    engine: StatisticsEngine,
    search: tuple[str, dict[str, list[str]]],
    one_pass: bool | None,
) -> None:
    """Where the organisations outgrow one aggregation, they are counted a group of partitions
    at a time, or in one pass for a search with few of them: the figures do not change."""
    limit = engine.compute().totals.organisations // 3
    small = StatisticsEngine(corpus_searcher, cache_size=0, bucket_limit=limit)
    searcher, match, _, _ = corpus_searcher.match_query(SearchRequest(query=search[0], filters=search[1]))
    groups = len(small.organisation_groups(searcher))
    assert groups > 1
    if one_pass is not None:
        assert len(small.organisation_requests(searcher, match)) == (1 if one_pass else groups)
    expected, found = engine.compute(*search), small.compute(*search)
    assert found.totals == expected.totals
    assert found.by["country"] == expected.by["country"]
