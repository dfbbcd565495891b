"""The corpus scaler: deterministic, shaped like the real data it scales, and searchable."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from euprojects import ingest, scale
from euprojects.model import Project
from euprojects.search import Searcher
from euprojects.search.engine import SearchRequest
from euprojects.store import Store, open_store
from tests.conftest import data_dir

SUBSET = ("erc-funded-projects", "structural-funds-os-data")
SIZE = 2000
SEED = 20240601


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    home = tmp_path_factory.mktemp("real")
    store = open_store(f"sqlite:///{home / 'store.db'}")
    paths = [data_dir() / name for name in SUBSET]
    missing = [p for p in paths if not p.exists()]
    if missing:
        pytest.fail(f"real data missing: {missing}; set EUPROJECTS_DATA")
    result = ingest.run(store, paths)
    assert not result.failed
    yield store
    store.close()


@pytest.fixture(scope="module")
def profile(real: Store) -> scale.Profile:
    return scale.read_profile(real)


@pytest.fixture(scope="module")
def scaled(real: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path]]:
    home = tmp_path_factory.mktemp("scaled")
    target = open_store(f"sqlite:///{home / 'store.db'}")
    report = scale.scale(real, target, SIZE, seed=SEED, index_dir=home / "index", batch=500)
    assert report.projects == SIZE
    yield target, home / "index"
    target.close()


def _encoded(projects: Iterator[Project]) -> list[bytes]:
    return [msgspec.json.encode(p) for p in projects]


def test_same_seed_gives_same_projects(profile: scale.Profile) -> None:
    first = _encoded(scale.Generator(profile, SEED).projects(300))
    again = _encoded(scale.Generator(profile, SEED).projects(300))
    other = _encoded(scale.Generator(profile, SEED + 1).projects(300))
    assert first == again
    assert first != other


def test_profile_reads_twice_the_same(real: Store, profile: scale.Profile) -> None:
    again = scale.read_profile(real)
    assert msgspec.json.encode(again.templates) == msgspec.json.encode(profile.templates)
    assert _encoded(scale.Generator(again, 3).projects(50)) == _encoded(scale.Generator(profile, 3).projects(50))


def test_ids_are_new_and_unique(profile: scale.Profile, scaled: tuple[Store, Path]) -> None:
    store, _ = scaled
    ids = [p.id for p in store.iter_projects()]
    assert len(ids) == len(set(ids)) == SIZE
    assert all(pid.split(":", 1)[1].startswith(scale.PREFIX) for pid in ids)
    assert not set(ids) & profile.real_ids


def _shares(counter: Counter[str], total: int) -> dict[str, float]:
    return {key: count / total for key, count in counter.items()}


def test_sources_and_countries_resemble_the_real_corpus(real: Store, scaled: tuple[Store, Path]) -> None:
    store, _ = scaled
    real_projects = list(real.iter_projects())
    synthetic = list(store.iter_projects())
    for key in ("source", "fund", "period"):
        want = _shares(Counter(str(getattr(p, key)) for p in real_projects), len(real_projects))
        got = _shares(Counter(str(getattr(p, key)) for p in synthetic), len(synthetic))
        for value, share in want.items():
            assert abs(got.get(value, 0.0) - share) < 0.03, (key, value, share, got.get(value))
    want_countries = _shares(Counter(c for p in real_projects for c in p.countries), len(real_projects))
    got_countries = _shares(Counter(c for p in synthetic for c in p.countries), len(synthetic))
    for country, share in want_countries.items():
        assert abs(got_countries.get(country, 0.0) - share) < 0.03, (country, share, got_countries.get(country))
    real_partners = sum(len(p.participations) for p in real_projects) / len(real_projects)
    partners = sum(len(p.participations) for p in synthetic) / len(synthetic)
    assert partners == pytest.approx(real_partners, rel=0.15)


def test_money_and_dates_follow_the_real_distributions(real: Store, scaled: tuple[Store, Path]) -> None:
    store, _ = scaled

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    real_projects = list(real.iter_projects())
    synthetic = list(store.iter_projects())
    for name in ("eu_contribution", "total_cost"):
        want = [float(m.amount) for p in real_projects if (m := getattr(p, name)) and m.currency == "EUR"]
        got = [float(m.amount) for p in synthetic if (m := getattr(p, name)) and m.currency == "EUR"]
        assert median(got) == pytest.approx(median(want), rel=0.25), name
    want_years = Counter(p.start_date.year for p in real_projects if p.start_date)
    got_years = Counter(p.start_date.year for p in synthetic if p.start_date)
    assert set(got_years) <= {y + d for y in want_years for d in (-1, 0, 1)}


def test_partners_are_real_organisations(profile: scale.Profile, scaled: tuple[Store, Path]) -> None:
    store, _ = scaled
    for project in store.iter_projects():
        for participation in project.participations:
            org = participation.organisation
            assert org.id in profile.organisations
            assert org.name == profile.organisations[org.id].name


def test_text_is_drawn_from_real_text(profile: scale.Profile, scaled: tuple[Store, Path]) -> None:
    store, _ = scaled
    english = set(profile.texts["en"].sentences)
    summaries = [p.summary for p in store.iter_projects() if p.source == "erc"]
    assert summaries and all(summaries)
    first_sentence = summaries[0].split(". ")[0]
    assert any(s.startswith(first_sentence) for s in english)


def test_scaled_corpus_is_searchable(profile: scale.Profile, scaled: tuple[Store, Path]) -> None:
    store, index_dir = scaled
    searcher = Searcher(index_dir, store)
    everything = searcher.search(SearchRequest(query="", limit=5))
    assert everything.total == SIZE
    assert {v.value for v in everything.facets["source"]} >= {"erc"}

    result = searcher.search(SearchRequest(query="research", filters={"source": ["erc"]}, limit=20))
    assert result.total > 0
    assert all(hit.id.startswith("erc:syn") for hit in result.hits)
    assert any(hit.snippet and "<b>" in hit.snippet for hit in result.hits)

    popular = Counter(oid for pool in profile.partners_by_country.values() for oid in pool).most_common(1)[0][0]
    by_org = searcher.search(SearchRequest(query="", filters={"org": [popular]}, limit=5))
    assert by_org.total > 1

    danish = searcher.search(SearchRequest(query="", filters={"country": ["DK"]}, limit=5))
    assert danish.total > 0
    assert all("DK" in hit.countries for hit in danish.hits)
