"""Every fetcher against a publisher on 127.0.0.1 serving packages built from the real data: a
clean fetch, a re-fetch that changes nothing, and the failures a network brings (a connection
dropped mid-file, a 500, an answer slower than the timeout, a damaged zip, no server at all)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from euprojects.cli import main
from euprojects.fetch import FetchError, fetch, known, resolve
from euprojects.store import Store
from tests.conftest import data_dir
from tests.fetch.conftest import FP7_ZIP, fp7_package, fp7_rows, settings_for
from tests.fetch.publisher import Publisher

FP7 = resolve(["cordis-fp7"])


def listed(store: Store) -> int:
    return store.stats().projects


def run(home: Path, store: Store, publisher: Publisher, names: list[str] = ["cordis-fp7"], **settings: object):  # noqa: B006
    return fetch(settings_for(home, publisher.url, **settings), store, resolve(names), backoff=0.01, index=False)


def test_a_cordis_package_is_fetched_unpacked_and_ingested(home: Path, store: Store, publisher: Publisher) -> None:
    publisher.files[FP7_ZIP] = fp7_package()
    result = run(home, store, publisher)
    [outcome] = result.sources[0].files
    assert outcome.status == "fetched" and outcome.attempts == 1
    assert listed(store) == len(fp7_rows()) - 1 == 59
    assert (home / "data" / "cordis-fp7" / "project.csv").is_file()
    [entry] = [k for k in known(settings_for(home, publisher.url)) if k.name == "cordis-fp7"]
    assert entry.size == len(publisher.files[FP7_ZIP]) and entry.fetched is not None


def test_a_refetch_of_unchanged_data_asks_conditionally_and_reads_nothing(
    home: Path, store: Store, publisher: Publisher
) -> None:
    publisher.files[FP7_ZIP] = fp7_package()
    run(home, store, publisher)
    again = run(home, store, publisher)
    assert again.sources[0].files[0].status == "unchanged"
    assert publisher.served(FP7_ZIP)[-1]["if-none-match"] == publisher.etag(FP7_ZIP)
    assert again.ingest is not None
    assert [f.skipped for f in again.ingest.files] == ["unchanged since it was last read"]
    assert listed(store) == 59


def test_a_connection_dropped_mid_file_resumes_where_it_broke(home: Path, store: Store, publisher: Publisher) -> None:
    publisher.files[FP7_ZIP] = fp7_package()
    publisher.faults[FP7_ZIP] = ["drop"]
    outcome = run(home, store, publisher).sources[0].files[0]
    assert outcome.resumed and outcome.attempts == 2
    second = publisher.served(FP7_ZIP)[1]
    half = len(publisher.files[FP7_ZIP]) // 2
    assert second["range"] == f"bytes={half}-" and second["if-range"] == publisher.etag(FP7_ZIP)
    assert outcome.received == len(publisher.files[FP7_ZIP]) - half
    assert listed(store) == 59


def test_a_server_error_is_retried(home: Path, store: Store, publisher: Publisher) -> None:
    publisher.files[FP7_ZIP] = fp7_package()
    publisher.faults[FP7_ZIP] = ["500"]
    outcome = run(home, store, publisher).sources[0].files[0]
    assert outcome.status == "fetched" and outcome.attempts == 2
    assert listed(store) == 59


def test_an_answer_slower_than_the_timeout_is_retried(home: Path, store: Store, publisher: Publisher) -> None:
    publisher.files[FP7_ZIP] = fp7_package()
    publisher.faults[FP7_ZIP] = ["slow"]
    publisher.slow_seconds = 1.5
    outcome = run(home, store, publisher, fetch_timeout=1).sources[0].files[0]
    assert outcome.attempts == 2 and listed(store) == 59


def test_a_publisher_that_stays_too_slow_ends_in_one_line_and_an_unchanged_store(
    home: Path, store: Store, publisher: Publisher
) -> None:
    publisher.files[FP7_ZIP] = fp7_package()
    publisher.faults[FP7_ZIP] = ["slow", "slow"]
    publisher.slow_seconds = 1.5
    with pytest.raises(FetchError) as raised:
        run(home, store, publisher, fetch_timeout=1, fetch_retries=2)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(FP7_ZIP)
    assert "longer than the timeout" in message and "gave up after 2 attempts" in message
    assert listed(store) == 0


def test_a_damaged_zip_is_refused_and_the_cached_copy_and_store_are_kept(
    home: Path, store: Store, publisher: Publisher
) -> None:
    good = fp7_package()
    publisher.files[FP7_ZIP] = good
    run(home, store, publisher)
    damaged = bytearray(fp7_package([*fp7_rows()[:-1], [*fp7_rows()[-1][:3], "changed", *fp7_rows()[-1][4:]]]))
    damaged[len(damaged) // 3 : len(damaged) // 3 + 64] = b"\x00" * 64  # inside the compressed table
    publisher.files[FP7_ZIP] = bytes(damaged)
    with pytest.raises(
        FetchError, match=r"^cordis-fp7projects-csv\.zip: the download (is damaged|is not a readable zip)"
    ):
        run(home, store, publisher)
    assert (home / "downloads" / "cordis-fp7" / FP7_ZIP).read_bytes() == good
    assert not (home / "downloads" / "cordis-fp7" / (FP7_ZIP + ".part")).exists()
    assert listed(store) == 59


def test_no_publisher_at_all_is_one_line_from_the_command(home: Path, publisher: Publisher) -> None:
    address = publisher.url
    publisher.stop()
    env = {
        "EUPROJECTS_HOME": str(home),
        "EUPROJECTS_CORDIS_URL": address,
        "EUPROJECTS_FETCH_RETRIES": "2",
        "EUPROJECTS_FETCH_TIMEOUT": "2",
    }
    result = CliRunner().invoke(main, ["fetch", "cordis-fp7"], env=env)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {FP7_ZIP}: cannot reach 127.0.0.1:")
    assert line.endswith("; the store was not changed")
    db = home / "euprojects.db"
    assert not db.exists() or sqlite3.connect(db).execute("SELECT COUNT(*) FROM projects").fetchone()[0] == 0


def test_an_unknown_source_is_named(home: Path) -> None:
    result = CliRunner().invoke(main, ["fetch", "cordis-fp9"], env={"EUPROJECTS_HOME": str(home)})
    assert result.exit_code == 1 and "unknown source 'cordis-fp9'" in result.output
    assert "Traceback" not in result.output


def test_fetch_list_shows_every_source_and_its_last_fetch(home: Path, store: Store, publisher: Publisher) -> None:
    publisher.files[FP7_ZIP] = fp7_package()
    run(home, store, publisher)
    env = {"EUPROJECTS_HOME": str(home), "EUPROJECTS_CORDIS_URL": publisher.url}
    result = CliRunner().invoke(main, ["fetch", "--list"], env=env)
    assert result.exit_code == 0
    [line] = [row for row in result.output.splitlines() if row.startswith("cordis-fp7 ")]
    assert f"{len(publisher.files[FP7_ZIP]) / 1e6:.1f} MB" in line and "never" not in line
    assert "kohesio-tc" in result.output and "keep-open-data" in result.output


def test_keep_eus_export_is_asked_for_with_the_whole_search_body(
    home: Path, store: Store, publisher: Publisher
) -> None:
    export = Path(__file__).resolve().parents[1] / "fixtures" / "keep-export" / "keep-export.xlsx"
    publisher.files["api/search/projects/"] = export.read_bytes()
    result = run(home, store, publisher, ["keep"])
    assert result.sources[0].files[0].status == "fetched"
    [(method, _, headers)] = [r for r in publisher.requests if r[1] == "api/search/projects/"]
    assert method == "POST" and headers["content-type"] == "application/json"
    project = store.project("keep:interreg-iiic-north-2000-2006:city-twins")
    assert project is not None and project.title == "City Twins Co-operation Network"


def test_the_open_data_api_needs_a_key(home: Path, store: Store, publisher: Publisher) -> None:
    with pytest.raises(FetchError, match="keep-open-data needs a key: set EUPROJECTS_KEEP_API_KEY"):
        run(home, store, publisher, ["keep-open-data"])


def test_the_open_data_api_answer_is_fetched_with_the_key_and_ingested(
    home: Path, store: Store, publisher: Publisher
) -> None:
    answer = Path(__file__).resolve().parents[1] / "fixtures" / "keep-open-data" / "keep-open-data.json"
    publisher.key = "personal-key"
    publisher.files["api/open-data"] = answer.read_bytes()
    result = run(home, store, publisher, ["keep-open-data"], keep_api_key="personal-key")
    assert result.ingest is not None and not result.ingest.failed
    twins = store.project("keep:interreg-iiic-north-2000-2006:city-twins")
    assert twins is not None and twins.title == "City Twins Co-operation Network"
    assert twins.participations[0].organisation.name == "City of Imatra"
    assert store.resolve("keep:8152") == twins.id  # keep.eu's own number leads to the project


def test_kohesios_interreg_exports_tc_are_no_country(home: Path, store: Store, publisher: Publisher) -> None:
    real = (data_dir() / "kohesio-beneficiaries-cee-2023" / "kohesio-data-export.tsv").read_text(encoding="utf-8")
    header, *rows = real.splitlines()
    tc = [header, *("TC\t" + row.split("\t", 1)[1] for row in rows[:50])]  # the real rows, filed under TC
    publisher.files["api/export/beneficiaries/TC.tsv"] = ("\n".join(tc) + "\n").encode("utf-8")
    projects = (
        Path(__file__).resolve().parents[1] / "fixtures" / "kohesio-projects" / "kohesio-projects-TC-2021-2027.csv"
    )
    publisher.files["api/data/object?id=data/projects-2021-2027/latest/TC-pp21-27-latest.csv"] = projects.read_bytes()
    result = run(home, store, publisher, ["kohesio-tc"])
    # the 2014-2020 export is not published (404): skipped, not an error
    assert [o.status for o in result.sources[0].files] == ["fetched", "fetched", "absent"]
    assert result.ingest is not None and not result.ingest.failed
    totals = store.stats().beneficiaries["kohesio"]
    assert totals.rows == 50
    db = sqlite3.connect(home / "euprojects.db")
    assert db.execute("SELECT COUNT(*) FROM beneficiaries WHERE country IS NOT NULL").fetchone()[0] == 0
    aurora = store.project("kohesio:Q7412093")
    assert aurora is not None and aurora.programme == "Interreg VI-A Aurora"
    assert [p.organisation.country for p in aurora.participations] == [None, None]
    again = run(home, store, publisher, ["kohesio-tc"])
    assert [o.status for o in again.sources[0].files] == ["unchanged", "unchanged", "absent"]
