"""All of the public data, as `scripts/start` ingests it: every file read, row counts as the
folder READMEs give them (each difference explained), a second run that changes nothing, and a
store (and the portal over it) without personal data or unsafe web addresses."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from euprojects.cli import main
from euprojects.search import Searcher
from euprojects.settings import load
from euprojects.store import open_store
from euprojects.web import create_app
from tests.conftest import data_dir

# Rows per file as the READMEs state them.
README_ROWS = {
    "organizations-fp1-1984-1987.csv": 7_916,
    "organizations-fp2-1987-1991.csv": 19_075,
    "organizations-fp3-1990-1994.csv": 31_364,
    "fp7_test_projects.csv": 59,
    "fp7_projects_shortened.csv": 25,
    "marzeelabs_projects_big.json": 1_000,
    "marzeelabs_projects.json": 14,
    "cleantechtag_joint_results.csv": 1_732,
    "inner_table.csv": 1_534,
    "tech.csv": 2_052,
    "h2020.csv.gz": 144_726,
    "programme_parts.csv.gz": 37_441,
    "reportSummaries.xlsx": 3_521,
    "projectDeliverables.xlsx": 20_815,
    "euroSciVoc.xlsx": 38_789,
    "webLink.xlsx": 21_440,
    "h2020_topics.csv": 35_389,
    "h2020_webItem.csv": 10,
    "horizon_topics.csv": 15_341,
    "horizon_legalBasis.csv": 20_512,
    "horizon_webItem.csv": 4,
    "SME_water_SC.json": 399,
    "FP7_Environment_water_to-2012.json": 36,
    "FP7_Energy_water_to-2012.json": 16,
    "FP7_ICT_water_to-2012.json": 13,
    "FP7_Infrastructures_water_to-2012.json": 1,
    "erc_advanced.csv": 969,
    "erc_starting.csv": 1_536,
    "erc_consolidator.csv": 684,
    "dataset.csv": 2_931,
    "DK_ERDF_Denmark_2014-2020.original.csv": 107,
    "EL_ListOfOperations_20160513.csv": 2_029,
    "HR_ESIF_Croatia_2007-2020.csv": 2_532,
    # The README counts 2,874 records and 7 blank lines; those 7 lines are whole records wrapped
    # in quotes (their inner quotes doubled twice), which the loader unwraps: 2,881 records.
    "FI_ERDF_2014-2020_projektilista.original.csv": 2_881,
    "PL_Poland_ERDF_2014_2020.csv": 749,
    "AT_Vorhabensliste_IWB_EFRE_AT2014-2020.csv": 49,
    "interreg_projects_20250826_211501.csv": 65,
    "interreg_ultimate_20250826_221828.csv": 65,
    "kohesio-data-export.tsv": 27_222,
}
HORIZON_ORGANISATION_ROWS = 80_276  # over organization_1.xlsx … organization_81.xlsx
# Rows that are not used, and why (each one is listed by `euprojects rejects`). Every other row
# is kept: FP1–FP3 participants published as "N/A" as unnamed organisations, and the 16 lines of
# Finland's list whose columns are shifted read back (tests/sources/test_operations_fi.py).
REJECTED = {
    "horizon_webItem.csv": 1,  # a press-release path that names no project
}
# Rows that repeat an earlier row exactly (same key, same values).
DUPLICATES = {
    "organizations-fp2-1987-1991.csv": 13,
    "organizations-fp3-1990-1994.csv": 69,
    # The README counts 100 duplicate rows in the original file; this folder keeps a random 80 %.
    "erc_consolidator.csv": 72,
    # Rows equal in every column: Kohesio's API returned some beneficiaries twice on one page.
    "kohesio-data-export.tsv": 41,
}


def ingest(home: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("EUPROJECTS_HOME", str(home))
    result = CliRunner().invoke(main, ["ingest", "--json", str(data_dir()), str(data_dir().parent / "seeds")])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("full")


@pytest.fixture(scope="module")
def runs(home: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv("EUPROJECTS_DATABASE_URL", raising=False)
        monkeypatch.delenv("EUPROJECTS_INDEX_DIR", raising=False)
        yield ingest(home, monkeypatch), ingest(home, monkeypatch)


def test_every_data_file_is_read_or_explained(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    first, _ = runs
    files = first["files"]
    assert not [f for f in files if f["error"]]
    skipped = {f["file"] for f in files if f["skipped"]}
    assert skipped == {"README.md", "cordis-programmes.yml", "fields.csv", "meta.xml"}
    on_disk = sorted(p.name for p in data_dir().rglob("*") if p.is_file() and p.name not in skipped)
    read = sorted(f["file"] for f in files if f["format"] and f["file"] != "000_ec139542eecc2dd4.txt")
    assert read == on_disk


def test_row_counts_match_the_readmes(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    files = {f["file"]: f for f in runs[0]["files"] if f["format"]}
    for name, rows in README_ROWS.items():
        assert files[name]["read"] == rows, name
        assert files[name]["rejected"] == REJECTED.get(name, 0), name
        assert files[name]["duplicates"] == DUPLICATES.get(name, 0), name
    organisations = [f for name, f in files.items() if name.startswith("organization_")]
    assert len(organisations) == 81
    assert sum(f["read"] for f in organisations) == HORIZON_ORGANISATION_ROWS
    assert files["000_ec139542eecc2dd4.txt"]["format"] == "keep-page-text"


def test_a_second_ingest_changes_nothing(runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    first, second = runs
    for before, after in zip(first["files"], second["files"], strict=True):
        if not after["format"]:
            continue
        assert (after["new"], after["updated"], after["removed"]) == (0, 0, 0), after["file"]
        assert after["unchanged"] == before["records"] == before["new"], after["file"]
    assert second["projects_rebuilt"] == 0 and second["index"]["mode"] == "current"


# Independent of the ingest's own patterns: anything that looks like an address or a number
# after a phone label, however the ingest recognises them.
E_MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
LABELLED_PHONE = re.compile(
    r"\b(?:tel|telephone|phone|fax|mobile|tlf|puh|gsm)\b\.?:?\s?\+?\(?\d[\d ()./-]{5,}", re.IGNORECASE
)
INTERNATIONAL_PHONE = re.compile(r"\+\d{2,3}[ \d]{8,}")
STORED_TEXT = {
    "projects": "data",
    "organisations": "data",
    "participations": "data",
    "fragments": "payload",
    "beneficiaries": "payload",
    "rejects": "raw || ' ' || reason",
}


def stored_texts(home: Path) -> Iterator[tuple[str, str]]:
    with sqlite3.connect(home / "euprojects.db") as db:
        for table, column in STORED_TEXT.items():
            for (value,) in db.execute(f"SELECT {column} FROM {table}"):
                yield table, value.decode() if isinstance(value, bytes) else value


def test_the_data_holds_contacts_that_the_store_must_not(data: Path) -> None:
    with zipfile.ZipFile(data / "cordis-horizon-reports-deliverables" / "projectDeliverables.xlsx") as book:
        text = " ".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))
    assert E_MAIL.search(text) and INTERNATIONAL_PHONE.search(text)


def test_no_stored_text_holds_an_e_mail_address_or_a_phone_number(runs: object, home: Path) -> None:
    found = [
        (table, match[0])
        for table, text in stored_texts(home)
        for pattern in (E_MAIL, LABELLED_PHONE, INTERNATIONAL_PHONE)
        for match in pattern.finditer(text)
    ]
    assert found == []
    markers = " ".join(text for table, text in stored_texts(home) if table == "projects" and "removed]" in text)
    assert "[e-mail removed]" in markers and "[phone removed]" in markers


def test_every_stored_web_address_is_http_with_a_host(runs: object, home: Path) -> None:
    addresses = []
    with sqlite3.connect(home / "euprojects.db") as db:
        for (data,) in db.execute("SELECT data FROM projects"):
            project = json.loads(data)
            addresses.append(project.get("website"))
            addresses += [link.get("url") for link in project.get("links", [])]
        for (data,) in db.execute("SELECT data FROM organisations"):
            addresses.append(json.loads(data).get("website"))
        for (data,) in db.execute("SELECT data FROM participations"):
            addresses.append(json.loads(data)["organisation"].get("website"))
    present = [a for a in addresses if a is not None]
    assert len(present) > 10_000
    assert [a for a in present if urlsplit(a).scheme.lower() not in ("http", "https") or not urlsplit(a).netloc] == []


@pytest.fixture(scope="module")
def portal(runs: object, home: Path) -> Iterator[TestClient]:
    settings = load({"EUPROJECTS_HOME": str(home)})
    store = open_store(settings.database_url)
    yield TestClient(create_app(settings, store, Searcher(settings.index_dir, store)), raise_server_exceptions=False)
    store.close()


def test_the_portal_shows_no_removed_address(portal: TestClient) -> None:
    """The project whose deliverable named its data-protection officer, as every reader gets it."""
    assert portal.get("/api/v1/search", params={"q": "cztel"}).json()["data"]["total"] == 0  # "dpo@czu.cztel"
    api = portal.get("/api/v1/projects/cordis:101060635")
    page = portal.get("/projects/cordis:101060635")
    query = {"q": f'acronym:"{api.json()["data"]["acronym"]}"'}
    export = portal.get("/api/v1/export", params={**query, "format": "jsonl"})
    csv_export = portal.get("/api/v1/export", params={**query, "format": "csv"})
    assert [r.status_code for r in (api, page, export, csv_export)] == [200] * 4
    assert "[e-mail removed]" in api.text and '"personal_data_removed"' in api.text
    assert "cordis:101060635" in export.text and "cordis:101060635" in csv_export.text
    for response in (api, page, export, csv_export):
        assert not E_MAIL.search(response.text) and not INTERNATIONAL_PHONE.search(response.text)


def test_a_pic_named_by_any_source_is_named_wherever_it_takes_part(runs: object, home: Path) -> None:
    """The H2020 participation table gives PICs without names; Horizon Europe's table names
    many of them, and that name shows on the H2020 projects' partner lists."""
    named: dict[str, set[str]] = {}
    with sqlite3.connect(home / "euprojects.db") as db:
        for (payload,) in db.execute("SELECT payload FROM fragments WHERE format = 'cordis-he-organizations'"):
            for participation in json.loads(payload)["participations"]:
                org = participation["organisation"]
                named.setdefault(org["id"], set()).add(org["name"])
        rows = db.execute(
            "SELECT p.project_id, p.org_id, o.name, p.role FROM participations p"
            " LEFT JOIN organisations o ON o.id = p.org_id"
            " WHERE p.org_id LIKE 'pic:%' AND json_extract(p.data, '$.organisation.name') IS NULL"
        ).fetchall()
    shown = [(project, org, name, role) for project, org, name, role in rows if org in named]
    assert len(shown) > 100_000 and all(name in named[org] for _, org, name, _ in shown)
    # a PIC no row of any source names has no name to show
    assert [org for _, org, name, _ in rows if name is None and org in named] == []
    project, org, name, _ = min(p for p in shown if p[0].startswith("cordis:rcn-") and p[3] == "lead")
    assert not any(f.startswith("cordis-he") for f in _formats(home, project))  # an H2020 project
    settings = load({"EUPROJECTS_HOME": str(home)})
    store = open_store(settings.database_url)
    try:
        found = store.project(project)
        assert found is not None
        assert {p.organisation.id: p.organisation.name for p in found.participations}[org] == name
        assert store.summaries([project])[project].lead == name  # as search hits show the lead
    finally:
        store.close()


def _formats(home: Path, project_id: str) -> set[str]:
    with sqlite3.connect(home / "euprojects.db") as db:
        rows = db.execute(
            "SELECT format FROM fragments WHERE project_id = ?"
            " OR project_id IN (SELECT alias FROM aliases WHERE project_id = ?)",
            (project_id, project_id),
        )
        return {fmt for (fmt,) in rows}


def test_an_address_is_never_pieced_together_from_two_rows(runs: object, home: Path) -> None:
    """Street, postcode and city of an organisation are those one row gives it, whichever rows
    name it (the lone exception a Norwegian register row's city, lent to an H2020 partner whose
    own rows give no address)."""
    given: dict[str, set[tuple[str | None, ...]]] = {}
    with sqlite3.connect(home / "euprojects.db") as db:
        payloads = [json.loads(p) for (p,) in db.execute("SELECT payload FROM fragments")]
        orgs = [o for p in payloads for o in (x["organisation"] for x in p.get("participations", []))]
        orgs += [json.loads(p)["organisation"] for (p,) in db.execute("SELECT payload FROM beneficiaries")]
        for org in orgs:
            given.setdefault(org["id"], set()).add(tuple(org.get(f) for f in ("street", "postcode", "city")))
        stored = [(oid, json.loads(data)) for oid, data in db.execute("SELECT id, data FROM organisations")]
    checked = 0
    for oid, org in stored:
        rows = given.get(oid, set()) - {(None, None, None)}
        if rows:
            checked += 1
            assert tuple(org.get(f) for f in ("street", "postcode", "city")) in rows, oid
    assert checked > 30_000


def test_projects_known_only_by_an_unnamed_participant_are_kept(portal: TestClient) -> None:
    """Two FP1 projects whose one row names its organisation "N/A"."""
    for project in ("cordis:EN3E0015", "cordis:EN3E0024"):
        data = portal.get(f"/api/v1/projects/{project}").json()["data"]
        [lead] = data["participations"]
        assert (lead["role"], lead["organisation"]["country"], lead["organisation"].get("name")) == ("lead", "DE", None)
        assert lead["organisation"]["id"].startswith(f"unnamed:{project}:")
        page = portal.get(f"/projects/{project}")
        assert "Unnamed organisation (as published)" in page.text
        assert "Unnamed organisation (as published)" in portal.get(f"/organisations/{lead['organisation']['id']}").text
