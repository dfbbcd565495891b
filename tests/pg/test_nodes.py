"""Two app nodes on one PostgreSQL store, each with its own index: what is ingested through one
is served by the other once it has synced (EUPROJECTS_SYNC_SECONDS), withdrawals too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import data_dir
from tests.pg.nodes import node, serving, wait_for
from tests.postgres import fresh_schema

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
LIST = "interreg-north-sea-projects-2025/interreg_projects_20250826_211501.csv"


def _found(base: object, acronym: str) -> set[str]:
    assert isinstance(base, dict)
    return {hit["id"] for hit in base["data"]["hits"] if hit.get("acronym") == acronym}


def test_a_file_ingested_through_one_node_is_served_by_the_other(postgres_server: str, tmp_path: Path) -> None:
    # the list in a folder of the same name, so that the file is known by the same key when it
    # is ingested again without one of its rows
    folder = tmp_path / "data" / Path(LIST).parent
    folder.mkdir(parents=True)
    listed = folder / Path(LIST).name
    shutil.copy(data_dir() / LIST, listed)
    with fresh_schema(postgres_server, "nodes") as url:
        one, other = node(tmp_path / "one", url, sync_seconds="1"), node(tmp_path / "two", url, sync_seconds="1")
        with serving([one, other]):
            assert other.get("/api/v1/search?q=BRAVE")["data"]["total"] == 0  # type: ignore[index]
            ingested = one.run("ingest", "--no-embed", str(listed))
            assert ingested.returncode == 0, ingested.stderr
            # served by the node that ingested at once, by the other one once it synced
            assert _found(one.get("/api/v1/search?q=BRAVE"), "BRAVE")
            wait_for(lambda: bool(_found(other.get("/api/v1/search?q=BRAVE"), "BRAVE")), "BRAVE on node two")
            # nobody holds its index lock between syncs (a sync tick may hold it a moment)
            wait_for(lambda: not (other.home / "index" / "writer.lock").read_bytes(), "node two's index lock free")
            # a row gone from the file withdraws its project on every node
            lines = listed.read_text(encoding="utf-8").splitlines(keepends=True)
            listed.write_text("".join(line for line in lines if ",BRAVE," not in line), encoding="utf-8")
            again = one.run("ingest", "--no-embed", "--allow-removals", str(listed))
            assert again.returncode == 0, again.stderr
            assert not _found(one.get("/api/v1/search?q=BRAVE"), "BRAVE")
            wait_for(lambda: not _found(other.get("/api/v1/search?q=BRAVE"), "BRAVE"), "BRAVE gone from node two")
        # a fresh node builds its index from the store on demand
        fresh = node(tmp_path / "three", url)
        synced = fresh.run("sync")
        assert synced.returncode == 0 and synced.stdout.startswith("index rebuilt"), synced.stdout + synced.stderr
        assert fresh.run("search", "DigiH4A").stdout.count("DigiH4A") >= 1
