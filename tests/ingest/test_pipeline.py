"""Ingest as a user runs it: real files, bad files, a second run, a changed row."""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from euprojects.cli import main
from euprojects.ingest.reading import FileReport, read_chunks
from euprojects.settings import load
from euprojects.sources import by_name
from euprojects.sources.common import slug
from euprojects.store import open_store
from tests.backend import new_store_url


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The portal's home for the CLI, with a new store of the run's backend (tests/backend.py)."""
    folder = tmp_path / "home"
    monkeypatch.setenv("EUPROJECTS_HOME", str(folder))
    monkeypatch.delenv("EUPROJECTS_INDEX_DIR", raising=False)
    with new_store_url(folder) as url:
        monkeypatch.setenv("EUPROJECTS_DATABASE_URL", url)
        yield folder


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def counts() -> tuple[int, int, int, int]:
    store = open_store(load().database_url)
    stats = store.stats()
    store.close()
    return stats.projects, stats.participations, stats.fragments, stats.rejects


def reports(result: Result) -> dict[str, dict[str, object]]:
    return {f["file"]: f for f in json.loads(result.output)["files"]}


def test_a_folder_ingests_and_a_second_run_changes_nothing(home: Path, data: Path) -> None:
    first = run("ingest", "--json", str(data / "erc-funded-projects"))
    assert first.exit_code == 0, first.output
    files = reports(first)
    assert files["README.md"]["skipped"] == "documentation"
    consolidator = files["erc_consolidator.csv"]
    assert (consolidator["read"], consolidator["new"], consolidator["duplicates"]) == (684, 612, 72)
    before = counts()
    assert before[0] == 969 + 612 + 1536
    second = reports(run("ingest", "--json", "--reread", str(data / "erc-funded-projects")))
    for name, rows in (("erc_advanced.csv", 969), ("erc_consolidator.csv", 612), ("erc_starting.csv", 1536)):
        assert (second[name]["new"], second[name]["updated"], second[name]["unchanged"]) == (0, 0, rows)
    assert counts() == before


def test_the_report_is_a_line_per_data_set_and_a_line_per_file_when_asked(home: Path, data: Path) -> None:
    result = run("ingest", str(data / "erc-funded-projects"), str(data / "interreg-north-sea-projects-2025"))
    lines = result.output.splitlines()
    assert lines[0].split() == ["data", "set", "files", "read", "rows", "rejected", "new", "changed", "removed"]
    assert lines[2].split() == ["erc-funded-projects", "3", "3", "3189", "0", "3117", "0", "0"]
    assert lines[3].split()[:2] == ["interreg-north-sea-projects-2025", "2"]
    assert "search index rebuilt: 3,182 project(s)" in result.output
    assert "projects: 3,182 listed (+3,182), 0 kept but not listed" in result.output
    verbose = run("ingest", "--verbose", "--reread", str(data / "erc-funded-projects")).output.splitlines()
    assert verbose[0].split() == [
        "file", "format", "rows", "duplicates", "rejected", "records", "new", "updated", "unchanged", "removed"
    ]  # fmt: skip
    assert "skipped 1 file(s): README.md (documentation)" in verbose


def test_done_in_is_the_whole_job_and_each_part_is_named(home: Path, data: Path) -> None:
    """The time the command prints covers everything it did: the files, the organisations'
    resolution and the index (it once left out the last two, half of a full ingest)."""
    result = run("ingest", str(data / "erc-funded-projects"), str(data / "interreg-north-sea-projects-2025"))
    seconds = {
        part: float(match.group(1))
        for part, pattern in (
            ("files", r"files read and projects rebuilt in ([0-9.]+) s"),
            ("organisations", r"organisations resolved: [0-9,]+ mention\(s\) compared, .* in ([0-9.]+) s"),
            ("index", r"search index rebuilt: [0-9,]+ project\(s\) in ([0-9.]+) s"),
            ("done", r"done in ([0-9.]+) s"),
        )
        if (match := re.search(pattern, result.output))
    }
    assert set(seconds) == {"files", "organisations", "index", "done"}, result.output
    # each figure is rounded to a tenth of a second
    assert seconds["done"] >= seconds["files"] + seconds["organisations"] + seconds["index"] - 0.15


def test_a_changed_row_updates_its_project(home: Path, data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "erc_advanced.csv"
    shutil.copy(data / "erc-funded-projects" / "erc_advanced.csv", copy)
    run("ingest", str(copy))
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("Three Dimensional Spintronics", "Three-Dimensional Spintronics"), encoding="utf-8")
    report = reports(run("ingest", "--json", str(copy)))["erc_advanced.csv"]
    assert (report["new"], report["updated"], report["unchanged"]) == (0, 1, 968)
    shown = run("show", "erc:adg-3spin-20100301")
    assert "Three-Dimensional Spintronics" in shown.output


def _unreadable(tmp_path: Path, data: Path) -> dict[str, tuple[Path, str]]:
    erc = data / "erc-funded-projects" / "erc_starting.csv"
    empty = tmp_path / "erc_empty.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "erc_binary.csv"
    binary.write_bytes(bytes(range(256)) * 40)
    wrong = tmp_path / "erc_cp1252.csv"
    wrong.write_bytes(erc.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    missing = tmp_path / "erc_missing.csv"
    lines = erc.read_text(encoding="utf-8").splitlines(keepends=True)
    missing.write_text(lines[0].replace('"budget_project",', "") + "".join(lines[1:50]), encoding="utf-8")
    fake_xlsx = tmp_path / "organization_0.xlsx"
    fake_xlsx.write_bytes(b"projectID;name\n1;ACME\n")
    return {
        "empty": (empty, "the file is empty"),
        "binary": (binary, "NUL bytes: it is binary"),
        "wrong encoding": (wrong, "wrong encoding: not readable as utf-8 fails on line "),
        "missing column": (missing, "missing required column(s) budget_project"),
        "not a workbook": (fake_xlsx, "not an XLSX workbook"),
    }


@pytest.mark.parametrize("case", ["empty", "binary", "wrong encoding", "missing column", "not a workbook"])
def test_a_file_that_cannot_be_read_exits_non_zero_and_changes_nothing(
    home: Path, data: Path, tmp_path: Path, case: str
) -> None:
    run("ingest", str(data / "erc-funded-projects" / "erc_advanced.csv"))
    before = counts()
    path, message = _unreadable(tmp_path, data)[case]
    fmt = "cordis-he-organizations" if case == "not a workbook" else "erc-grants"
    result = run("ingest", "--format", fmt, str(path))
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: {path}: ") and message in line
    assert "Traceback" not in result.output
    assert counts() == before


def test_undetectable_files_are_named(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("when;what\nmonday;meeting\n", encoding="utf-8")
    result = run("ingest", str(path))
    assert result.exit_code == 1
    assert f"error: {path}: no known format recognises this file" in result.output


def test_bad_rows_are_rejected_with_file_and_line_and_a_bad_amount_costs_only_itself(
    home: Path, data: Path, tmp_path: Path
) -> None:
    with (data / "erc-funded-projects" / "erc_starting.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for _, row in zip(range(31), csv.reader(handle), strict=False)]
    rows[5][6] = "2019-02-30"  # date_start_project
    rows[10][5] = "-1500000"  # budget_project
    path = tmp_path / "erc_starting.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    result = run("ingest", str(path))
    assert result.exit_code == 0
    [rejected] = [line for line in result.output.splitlines() if line.startswith("rejected:")]
    assert "'2019-02-30' is not a valid date" in rejected and "date_start_project" in rejected
    assert rejected.startswith(f"rejected: {path}, line ")
    listed = run("rejects", "--file", "erc_starting.csv")
    assert "1 of 1 reject(s)" in listed.output
    assert counts()[0] == 29
    shown = json.loads(run("show", "--json", f"erc:stg-{slug(rows[10][0])}-{rows[10][6].replace('-', '')}").output)
    assert shown["title"] == rows[10][1] and "eu_contribution" not in shown
    assert shown["raw"]["budget_project"] == "-1500000"
    assert {"code": "invalid_amount", "message": "column 'budget_project': -1500000 is negative; left out"} in shown[
        "flags"
    ]


def test_a_truncated_csv_rejects_the_cut_row(home: Path, data: Path, tmp_path: Path) -> None:
    text = (data / "erc-funded-projects" / "erc_advanced.csv").read_text(encoding="utf-8")
    cut = tmp_path / "erc_advanced.csv"
    cut.write_text(text[: len(text) // 3], encoding="utf-8")
    result = run("ingest", str(cut))
    assert result.exit_code == 0
    [line] = [line for line in result.output.splitlines() if line.startswith("rejected:")]
    assert "fields where the header has 8" in line
    assert counts()[0] > 250


def test_a_truncated_gzip_keeps_the_rows_before_the_break(home: Path, data: Path, tmp_path: Path) -> None:
    whole = (data / "cordis-h2020-participations-derived" / "h2020.csv.gz").read_bytes()
    cut = tmp_path / "h2020.csv.gz"
    cut.write_bytes(whole[: len(whole) // 4])
    result = run("ingest", "--json", str(cut))
    assert result.exit_code == 0
    report = reports(result)["h2020.csv.gz"]
    assert report["stopped"].startswith("reading stopped after line ")
    assert 20_000 < report["read"] < 144_726 and report["rejected"] == 1
    assert counts()[1] > 20_000  # the participations read before the break are kept
    listed = run("rejects", "--file", "h2020.csv.gz")
    assert "reading stopped after line" in listed.output


HUGE = 200 * 2**20  # characters in the hostile line's one long field


def hostile_gzip(data: Path, tmp_path: Path) -> Path:
    """The real ERC Advanced list with one line of 200 MiB (an e-mail address repeated) inserted
    after its 500th row: a small gzip, as a broken or malicious export could be."""
    lines = (data / "erc-funded-projects" / "erc_advanced.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    piece = ("write to jane.doe@example.org " * 40_000)[: 2**20]
    path = tmp_path / "erc_advanced.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1, newline="") as out:
        out.writelines(lines[:501])
        out.write('"HUGE","')
        for _ in range(HUGE // len(piece)):
            out.write(piece)
        out.write('"\n')
        out.writelines(lines[501:])
    return path


def test_a_monstrous_line_is_rejected_cut_short_and_the_other_rows_kept(home: Path, data: Path, tmp_path: Path) -> None:
    path = hostile_gzip(data, tmp_path)
    report = reports(run("ingest", "--json", "--no-index", str(path)))[path.name]
    assert (report["read"], report["rejected"], report["new"]) == (970, 1, 969)
    [entry] = json.loads(run("rejects", "--json", "--file", path.name).output)["rejects"]
    length = len('"HUGE","') + HUGE + 1
    assert entry["line"] == 502
    assert entry["reason"] == (
        f"the line has {length:,} characters, more than the 10,000,000 a line may have: not read"
    )
    assert entry["raw"].startswith('"HUGE","write to [e-mail removed]')
    assert entry["raw"].endswith(f"… [cut at 2,000 of {length:,} characters]") and len(entry["raw"]) < 2_100
    assert "@" not in entry["raw"]
    assert counts()[0] == 969


def test_a_monstrous_line_is_read_in_bounded_memory(data: Path, tmp_path: Path) -> None:
    path = hostile_gzip(data, tmp_path)
    report = FileReport(path=str(path), file=path.name)
    tracemalloc.start()
    try:
        chunks = list(read_chunks(path, by_name("erc-grants"), report, 500))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (report.read, report.records, report.rejected) == (970, 969, 1)
    assert sum(len(c.records) for c in chunks) == 969
    assert peak < HUGE // 4  # the line is never held whole, nor a copy of it


def test_beneficiary_lists_are_organisation_totals_not_projects(home: Path, data: Path) -> None:
    folder = data / "kohesio-beneficiaries-cee-2023"
    first = reports(run("ingest", "--json", str(folder)))["kohesio-data-export.tsv"]
    assert (first["read"], first["duplicates"], first["rejected"], first["new"]) == (27_222, 41, 0, 27_181)
    store = open_store(load().database_url)
    stats = store.stats()
    assert stats.projects == 0
    totals = stats.beneficiaries["kohesio"]
    assert totals.rows == 27_181 and totals.organisations < totals.rows
    with (folder / "kohesio-data-export.tsv").open(encoding="utf-8") as handle:
        lines = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    unique = {tuple(line) for line in lines}
    assert totals.projects == sum(int(line[5]) for line in unique)
    assert totals.eu_contribution_eur == pytest.approx(sum(float(line[4] or 0) for line in unique), rel=1e-9)
    schools = store.organisation_funding("name:CZ:zakladni skola")  # "Základní škola", six regions' rows
    organisation = store.organisation("name:CZ:zakladni skola")
    store.close()
    assert organisation is not None and organisation.name == "Základní škola" and organisation.country == "CZ"
    assert len(schools) == 6 and {s.region for s in schools} >= {"Karlovy Vary Region", "Plzeň Region"}
    amounts = [s.eu_contribution.amount for s in schools if s.eu_contribution]
    assert len(amounts) == 6 and amounts == sorted(amounts, reverse=True)
    second = reports(run("ingest", "--json", "--reread", str(folder)))["kohesio-data-export.tsv"]
    assert (second["new"], second["updated"], second["unchanged"], second["removed"]) == (0, 0, 27_181, 0)


def test_files_unchanged_since_they_were_read_are_not_read_again(home: Path, data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "erc-funded-projects"
    shutil.copytree(data / "erc-funded-projects", folder)
    first = reports(run("ingest", "--json", str(folder)))
    assert first["erc_starting.csv"]["new"] == 1536 and first["erc_starting.csv"]["fingerprint"]
    second = reports(run("ingest", "--json", str(folder)))
    assert {f["skipped"] for name, f in second.items() if name != "README.md"} == {"unchanged since it was last read"}
    assert all(f["read"] == 0 for f in second.values())
    text = run("ingest", str(folder)).output
    assert "3 file(s) unchanged since they were last read" in text and "projects: 3,117 listed" in text
    (folder / "erc_starting.csv").touch()  # same bytes, another time: read again, nothing changes
    third = reports(run("ingest", "--json", str(folder)))
    assert (third["erc_starting.csv"]["read"], third["erc_starting.csv"]["unchanged"]) == (1536, 1536)
    assert third["erc_advanced.csv"]["skipped"] == "unchanged since it was last read"
    again = reports(run("ingest", "--json", "--reread", str(folder)))
    assert again["erc_advanced.csv"]["unchanged"] == 969
