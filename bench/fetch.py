"""`euprojects fetch`: a full fetch and ingest against a re-fetch of unchanged data and a re-fetch
with one changed record, from a publisher on 127.0.0.1 serving CORDIS packages zipped from the real
tables (FP7 projects, H2020 projects, Horizon Europe topics and legal basis). One command:

    python bench/fetch.py

The re-fetch of unchanged data must cost at most 10 % of the full run.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path

# run as a script, bench/ would come first on the path, and bench/http.py would hide the standard http
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import data_dir, load  # noqa: E402
from tests.fetch.conftest import fp7_table, package  # noqa: E402
from tests.fetch.publisher import Publisher  # noqa: E402

from euprojects import tables  # noqa: E402
from euprojects.fetch import fetch, resolve  # noqa: E402
from euprojects.settings import Settings  # noqa: E402
from euprojects.store import open_store  # noqa: E402

SOURCES = ["cordis-fp7", "cordis-h2020", "cordis-horizon"]


def packages(changed: bool = False) -> dict[str, bytes]:
    data = data_dir()
    fp7 = list(
        csv.reader(
            io.StringIO((data / "cordis-fp7-samples" / "fp7_test_projects.csv").read_text("utf-8-sig"), newline=""),
            delimiter=";",
        )
    )
    if changed:
        fp7[1][3] += " (revised)"
    return {
        "cordis-fp7projects-csv.zip": package({"project.csv": fp7_table(fp7)}),
        "cordis-h2020projects-csv.zip": package(
            {"project.csv": (data / "cordis-h2020-cleantech-subset" / "cleantechtag_joint_results.csv").read_bytes()}
        ),
        "cordis-HORIZONprojects-csv.zip": package(
            {
                "topics.csv": (data / "cordis-reference" / "horizon_topics.csv").read_bytes(),
                "legalBasis.csv": (data / "cordis-reference" / "horizon_legalBasis.csv").read_bytes(),
            }
        ),
    }


def settings(home: Path, url: str) -> Settings:
    return Settings(
        home=home,
        database_url=f"sqlite:///{home / 'euprojects.db'}",
        index_dir=home / "index",
        data=data_dir(),
        batch_size=2000,
        host="127.0.0.1",
        port=8000,
        cordis_url=url,
        fetch_timeout=30,
        fetch_retries=3,
    )


def timed(home: Path, url: str) -> tuple[float, str]:
    store = open_store(f"sqlite:///{home / 'euprojects.db'}")
    started = time.perf_counter()
    result = fetch(settings(home, url), store, resolve(SOURCES))
    seconds = time.perf_counter() - started
    assert result.ingest is not None and not result.ingest.failed
    files = result.ingest.files
    read = sum(1 for f in files if f.format and not f.skipped)
    summary = (
        f"{sum(o.status == 'fetched' for s in result.sources for o in s.files)} downloaded, {read} table(s) read, "
        f"{sum(f.new for f in files)} new, {sum(f.updated for f in files)} changed"
    )
    store.close()
    return seconds, summary


def main() -> None:
    publisher = Publisher().start()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            home = Path(scratch)
            publisher.files.update(packages())
            full, full_note = timed(home, publisher.url)
            same, same_note = timed(home, publisher.url)
            publisher.files.update(packages(changed=True))
            one, one_note = timed(home, publisher.url)
    finally:
        publisher.stop()
    rows = [
        ("full fetch + ingest + index", f"{full:.2f}", "1.00", full_note),
        ("re-fetch, nothing changed", f"{same:.2f}", f"{same / full:.3f}", same_note),
        ("re-fetch, one record changed", f"{one:.2f}", f"{one / full:.3f}", one_note),
    ]
    print(f"machine: {os.cpu_count()} CPU, load {load()}")
    print(tables.render(("run", "seconds", "× full", "what happened"), rows, max_width=80))
    verdict = "ok" if same <= 0.10 * full else "TOO SLOW"
    print(f"unchanged re-fetch: {100 * same / full:.1f} % of the full run (target ≤ 10 %): {verdict}")


if __name__ == "__main__":
    main()
