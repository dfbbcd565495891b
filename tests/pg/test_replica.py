"""Reads on a streaming replica (EUPROJECTS_DATABASE_READ_URL), writes on the primary."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from euprojects import ingest
from euprojects.ingest.materialise import materialise
from euprojects.model import Project, Record
from euprojects.store import open_store
from tests.pg.cluster import primary_and_replica

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def test_a_record_written_to_the_primary_is_read_from_the_replica(postgres_server: str) -> None:
    import psycopg  # after the server fixture, which skips (or fails under CI) without it

    with primary_and_replica() as (primary, replica):
        with psycopg.connect(replica.url) as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        store = open_store(primary.url, read_url=replica.url)
        with store.pools.read() as db:  # type: ignore[attr-defined]
            assert db.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)  # reads go to the replica
        project = Project(source="cordis", source_id="101000001", title="Written to the primary")
        store.write(
            store.begin_run(NOW), "cordis-he-projects", "a.csv", [ingest.prepare(Record("1", project, 2))], [], NOW
        )
        materialise(store)
        deadline = time.monotonic() + 30
        while (found := store.project("cordis:101000001")) is None and time.monotonic() < deadline:
            time.sleep(0.1)  # the replica replays the primary's WAL a moment later
        assert found is not None and found.title == "Written to the primary"
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), psycopg.connect(replica.url) as conn:
            conn.execute("INSERT INTO meta VALUES ('x', 'y')")  # what the store reads there cannot be written
        store.close()
