"""A search hit's partner countries are the project's own, as search filters on them."""

from __future__ import annotations

from pathlib import Path

from euprojects.store import Store
from tests.backend import column


def test_summaries_give_the_countries_of_the_canonical_organisations(corpus: tuple[Store, Path]) -> None:
    store, _ = corpus
    # projects with a partner whose organisation was resolved to another id: where a mention
    # without a country can gain one from the organisation it is
    ids = column(
        store.url,
        "SELECT DISTINCT p.project_id FROM participations p JOIN org_links l ON l.org_id = p.org_id"
        " JOIN projects r ON r.id = p.project_id WHERE l.canonical <> p.org_id AND r.listed = 1 ORDER BY 1 LIMIT 400",
    )
    assert len(ids) > 100
    summaries = store.summaries(ids)
    for project in store.projects(ids):
        assert summaries[project.id].countries == project.countries, project.id
