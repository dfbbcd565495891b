"""An ingest into PostgreSQL gives what the same ingest gives in SQLite, record for record."""

from __future__ import annotations

import msgspec
import pytest

from euprojects import ingest
from euprojects.model import Project
from euprojects.store import open_store
from tests.pg.conftest import Backend, small_paths
from tests.postgres import fresh_schema

pytestmark = pytest.mark.postgres


def test_both_backends_hold_the_same_projects_and_statistics(small: dict[str, Backend]) -> None:
    sqlite, pg = small["sqlite"].store, small["postgresql"].store
    theirs, ours = sqlite.stats(), pg.stats()
    assert ours.projects > 2500
    for field in ("projects", "unlisted", "participations", "organisations", "fragments", "rejects", "dirty"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert (ours.by_source, ours.by_fund, ours.quality) == (theirs.by_source, theirs.by_fund, theirs.quality)
    ids = sqlite.project_ids()
    assert pg.project_ids() == ids and pg.indexed_project_ids() == sqlite.indexed_project_ids()
    sample = ids[:: max(1, len(ids) // 300)]
    assert _encoded(pg.projects(sample)) == _encoded(sqlite.projects(sample))
    numbers = pg.numbers(ids)  # given in the order projects were saved: unique, not equal between stores
    assert len(set(numbers.values())) == len(ids)


def _encoded(projects: list[Project]) -> bytes:
    """Projects as JSON, but for when their sources were seen (each backend ingested at its time)."""
    found = []
    for project in sorted(projects, key=lambda p: p.id):
        data = msgspec.to_builtins(project)
        for source in data.get("provenance", []):
            source.pop("first_seen", None)
            source.pop("last_seen", None)
        found.append(data)
    return msgspec.json.encode(found)


def test_organisations_and_programmes_read_alike(small: dict[str, Backend]) -> None:
    sqlite, pg = small["sqlite"].store, small["postgresql"].store
    assert pg.programmes() == sqlite.programmes()
    project = next(p for p in sqlite.projects(sqlite.project_ids()[:200]) if len(p.participations) > 2)
    for participation in project.participations:
        org = participation.organisation.id
        assert pg.organisation(org) == sqlite.organisation(org)
        assert pg.organisation_projects(org) == sqlite.organisation_projects(org)
        assert pg.frequent_partners(org) == sqlite.frequent_partners(org)
        assert pg.organisation_activity(org) == sqlite.organisation_activity(org)
    ids = sqlite.project_ids()[:100]
    ours, theirs = pg.summaries(ids), sqlite.summaries(ids)
    assert {pid: (s.countries, s.partner_count, s.lead) for pid, s in ours.items()} == {
        pid: (s.countries, s.partner_count, s.lead) for pid, s in theirs.items()
    }
    assert _encoded([s.project for s in ours.values()]) == _encoded([s.project for s in theirs.values()])
    assert pg.participants(ids) == sqlite.participants(ids)
    assert pg.project_briefs(ids) == sqlite.project_briefs(ids)


def test_the_same_files_again_change_nothing(small: dict[str, Backend]) -> None:
    store = small["postgresql"].store
    seq, stats = store.seq(), store.stats()
    again = ingest.run(store, small_paths(), workers=1, reread=True)
    assert not again.failed
    assert sum(f.new + f.updated for f in again.files) == 0
    assert store.seq() == seq and store.stats().fragments == stats.fragments


def test_a_lost_connection_fails_the_ingest_and_the_next_run_completes_it(
    postgres_server: str, small: dict[str, Backend]
) -> None:
    """The server ends the ingest's sessions after its first batch: the ingest fails, what it
    wrote is whole transactions, and the next run brings the store to what one run gives."""
    with fresh_schema(postgres_server, "lost") as url:
        named = f"{url}&application_name=euprojects-lost-connection"
        store = open_store(named)
        killer = open_store(url)

        def cut(_name: str, rows: int) -> None:
            if rows:
                with killer.pools.primary() as db:  # type: ignore[attr-defined]
                    db.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE application_name = 'euprojects-lost-connection'"
                    )

        with pytest.raises(ConnectionError, match="lost the connection to postgresql://"):
            ingest.run(store, small_paths()[:1], workers=1, batch_size=200, progress=cut)
        store.close()
        again = open_store(url)
        result = ingest.run(again, small_paths()[:1], workers=1)
        assert not result.failed
        expected = small["sqlite"].store
        erc = [pid for pid in expected.project_ids() if pid.startswith("erc:")]
        assert sorted(pid for pid in again.project_ids() if pid.startswith("erc:")) == erc
        assert again.all_dirty() == []
        again.close()
        killer.close()
