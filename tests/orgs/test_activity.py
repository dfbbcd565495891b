"""An organisation's activity on the real corpus equals what the store's participations add up to."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from euprojects.store import Store
from euprojects.views import organisation_record

Corpus = tuple[Store, Path]


def db(store: Store) -> sqlite3.Connection:
    connection: sqlite3.Connection = store.db  # type: ignore[attr-defined]
    return connection


def busiest(store: Store, count: int) -> list[str]:
    rows = db(store).execute(
        "SELECT org_id FROM participations GROUP BY org_id ORDER BY COUNT(DISTINCT project_id) DESC, org_id LIMIT ?",
        (count,),
    )
    return [r[0] for r in rows]


def grouped(store: Store, org_id: str, column: str) -> dict[str, tuple[int, int, float | None]]:
    rows = db(store).execute(
        f"SELECT COALESCE({column}, '(none)'), COUNT(DISTINCT p.project_id),"
        " COUNT(DISTINCT CASE WHEN p.role = 'lead' THEN p.project_id END), ROUND(SUM(p.eu_contribution_eur), 2)"
        " FROM participations p JOIN projects r ON r.id = p.project_id"
        # every id the sources use for the organisation (euprojects.orgs resolves them to it)
        " WHERE p.org_id IN (SELECT org_id FROM org_links WHERE canonical = ?1 UNION SELECT ?1) GROUP BY 1",
        (org_id,),
    )
    return {key: (n, led, eu) for key, n, led, eu in rows}


@pytest.mark.parametrize("rank", range(3))
def test_the_activity_equals_the_stores_sums(corpus: Corpus, rank: int) -> None:
    store, _ = corpus
    org_id = busiest(store, 3)[rank]
    record = organisation_record(store, org_id)
    assert record is not None and record.activity is not None
    org_id = record.organisation.id  # the canonical organisation, with all its mentions
    activity = record.activity
    # an organisation listed twice in one project (two departments) counts it once
    assert activity.projects == len({p.project_id for p in record.projects})
    assert activity.led == len({p.project_id for p in record.projects if p.role == "lead"})
    source = "substr(p.project_id, 1, instr(p.project_id, ':') - 1)"
    for breakdown, column in (
        (activity.by_source, source),
        (activity.by_programme, "r.programme"),
        (activity.by_period, "r.period"),
    ):
        shown = {b.key: (b.projects, b.led, b.eu_contribution_eur) for b in breakdown}
        expected = grouped(store, org_id, column)
        assert shown.keys() == expected.keys()
        for key, (n, led, eu) in expected.items():
            assert shown[key][:2] == (n, led), key
            assert shown[key][2] == pytest.approx(eu), key
    assert sum(b.projects for b in activity.by_source) == activity.projects
    total = sum(b.eu_contribution_eur or 0 for b in activity.by_source)
    assert total == pytest.approx(record.total_eu_contribution_eur or 0, abs=0.05)


def test_partner_countries_count_shared_projects(corpus: Corpus) -> None:
    store, _ = corpus
    org_id = busiest(store, 1)[0]
    record = organisation_record(store, org_id)
    assert record is not None and record.activity is not None
    org_id = record.organisation.id  # the canonical organisation, with all its mentions
    counts = {c.key: c.projects for c in record.activity.partner_countries}
    assert len(counts) > 3
    for country, n in list(counts.items())[:5]:
        shared = (
            db(store)
            .execute(
                "SELECT COUNT(DISTINCT mine.project_id) FROM participations mine JOIN participations other"
                " ON other.project_id = mine.project_id"
                " LEFT JOIN org_links lm ON lm.org_id = mine.org_id LEFT JOIN org_links lo ON lo.org_id = other.org_id"
                " WHERE COALESCE(lm.canonical, mine.org_id) = ? AND COALESCE(lo.canonical, other.org_id) <> ?"
                " AND other.country = ?",
                (org_id, org_id, country),
            )
            .fetchone()[0]
        )
        assert n == shared, country


def test_regions_come_from_the_projects_records(corpus: Corpus) -> None:
    store, _ = corpus
    row = (
        db(store)
        .execute(
            "SELECT p.org_id FROM participations p JOIN projects r ON r.id = p.project_id"
            " WHERE json_array_length(json_extract(r.data, '$.nuts')) > 0"
            " GROUP BY p.org_id ORDER BY COUNT(*) DESC LIMIT 1"
        )
        .fetchone()
    )
    assert row, "the corpus has projects with NUTS regions"
    record = organisation_record(store, row[0])
    assert record is not None and record.activity is not None and record.activity.regions
    projects = store.projects([p.project_id for p in record.projects])
    for region in record.activity.regions[:5]:
        assert region.projects == sum(region.key in p.nuts for p in projects), region.key
