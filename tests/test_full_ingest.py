"""All of the public data, as `scripts/start` ingests it: every file read, row counts as the
folder READMEs give them (each difference explained), a second run that changes nothing, and a
store (and the portal over it) without personal data or unsafe web addresses."""

from __future__ import annotations

import csv
import gzip
import json
import re
import sqlite3
import zipfile
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from euprojects.cli import main
from euprojects.ingest.linking import SAME_ERC_GRANT
from euprojects.normalise.places import fold
from euprojects.normalise.programmes import ERC, MSCA, PROGRAMMES, by_code
from euprojects.search import Searcher
from euprojects.settings import load
from euprojects.store import open_store
from euprojects.web import create_app
from tests.conftest import data_dir

pytestmark = pytest.mark.slow

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


def ingest(home: Path, monkeypatch: pytest.MonkeyPatch, *options: str) -> dict[str, Any]:
    monkeypatch.setenv("EUPROJECTS_HOME", str(home))
    paths = [str(data_dir()), str(data_dir().parent / "seeds")]
    result = CliRunner().invoke(main, ["ingest", "--json", *options, *paths])
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
        # the second run reads every file again (unchanged files are otherwise skipped): nothing changes
        yield ingest(home, monkeypatch), ingest(home, monkeypatch, "--reread")


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


def personal_details(text: str) -> list[str]:
    """What the three patterns find in ``text``. An e-mail address needs an ``@`` and an
    international number a ``+``: the store's texts are scanned for those patterns only where the
    character is (the address pattern is slow on long texts without one)."""
    patterns = [LABELLED_PHONE]
    patterns += [E_MAIL] if "@" in text else []
    patterns += [INTERNATIONAL_PHONE] if "+" in text else []
    return [match[0] for pattern in patterns for match in pattern.finditer(text)]


def test_no_stored_text_holds_an_e_mail_address_or_a_phone_number(runs: object, home: Path) -> None:
    found: list[tuple[str, str]] = []
    markers: list[str] = []
    for table, text in stored_texts(home):
        found += [(table, detail) for detail in personal_details(text)]
        if table == "projects" and "removed]" in text:
            markers.append(text)
    assert found == []
    assert "[e-mail removed]" in " ".join(markers) and "[phone removed]" in " ".join(markers)


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


# --- one record per real project ---------------------------------------------------------------
def database(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{home / 'euprojects.db'}?mode=ro", uri=True)


def test_every_listed_project_has_a_title_or_a_label(runs: object, home: Path) -> None:
    db = database(home)
    nameless = db.execute(
        "SELECT COUNT(*) FROM projects WHERE listed AND title IS NULL AND acronym IS NULL"
        " AND json_extract(data, '$.label') IS NULL"
    ).fetchone()[0]
    labelled = db.execute("SELECT COUNT(*) FROM projects WHERE listed AND json_extract(data, '$.label') IS NOT NULL")
    assert nameless == 0 and labelled.fetchone()[0] > 10_000


def test_no_grant_is_listed_twice(runs: object, home: Path) -> None:
    db = database(home)
    # an id that names another project (a CORDIS rcn, an ERC id joined to its grant) is never listed itself
    assert db.execute("SELECT COUNT(*) FROM projects p JOIN aliases a ON a.alias = p.id WHERE p.listed").fetchone() == (
        0,
    )
    twins = db.execute(
        "SELECT lower(acronym), start_date, eu_contribution_eur FROM projects"
        " WHERE listed AND acronym IS NOT NULL AND start_date IS NOT NULL AND source IN ('erc', 'cordis')"
        " GROUP BY 1, 2, 3 HAVING COUNT(*) > 1 AND SUM(source = 'erc') > 0"
    ).fetchall()
    assert twins == []
    methods = dict(db.execute("SELECT file, COUNT(*) FROM aliases WHERE format = 'link' GROUP BY file"))
    assert methods["ERC grant with the same start, end and budget"] > 500
    assert methods["same start and end, and a Norwegian partner with the same EU contribution"] > 500


def test_a_record_named_only_by_topic_or_web_link_tables_is_kept_but_not_listed(
    runs: object, home: Path, portal: TestClient
) -> None:
    from euprojects.sources.roles import ROLES

    db = database(home)
    establishing = [name for name, role in ROLES.items() if role.establishes]
    marks = ",".join("?" * len(establishing))
    founded = {
        row[0]
        for row in db.execute(
            f"SELECT project_id FROM fragments WHERE format IN ({marks}) UNION"
            " SELECT a.project_id FROM aliases a JOIN fragments f ON f.project_id = a.alias"
            f" WHERE f.format IN ({marks})",
            [*establishing, *establishing],
        )
    }
    listed = {row[0] for row in db.execute("SELECT id FROM projects WHERE listed")}
    bare = len(listed - founded)
    assert bare == 0
    [shell] = db.execute("SELECT id FROM projects WHERE NOT listed AND id GLOB 'cordis:[0-9]*' LIMIT 1").fetchone()
    assert db.execute("SELECT COUNT(*) FROM projects WHERE NOT listed").fetchone()[0] > 30_000
    found = portal.get("/api/v1/search", params={"id": shell, "limit": 1}).json()["data"]
    assert found["total"] == 0
    assert "Not listed in search" in portal.get(f"/projects/{shell}").text


def test_h2020_money_counts_each_project_once(runs: object, home: Path) -> None:
    with gzip.open(data_dir() / "cordis-h2020-participations-derived" / "h2020.csv.gz", "rt") as handle:
        published = {
            r["rcn"]: Decimal(r["max_contribution"]) for r in csv.DictReader(handle) if r["max_contribution"] != "NA"
        }
    db = database(home)
    canonical = dict(db.execute("SELECT alias, MIN(project_id) FROM aliases GROUP BY alias"))
    projects = {canonical.get(f"cordis:rcn-{rcn}", f"cordis:rcn-{rcn}") for rcn in published}
    assert len(projects) == len(published)
    stored = sum(
        db.execute("SELECT COALESCE(eu_contribution_eur, 0) FROM projects WHERE listed AND id = ?", (pid,)).fetchone()[
            0
        ]
        for pid in projects
    )
    assert round(stored, 2) == float(sum(published.values()))


def test_horizon_europe_projects_get_their_partners_sum_marked_as_computed(runs: object, home: Path) -> None:
    from euprojects.sources.files.xlsx import Workbook

    path = data_dir() / "cordis-horizon-organizations-split" / "organization_1.xlsx"
    with Workbook(path) as book:
        rows = book.rows(0)
        header = next(rows)[1]
        cells = [dict(zip(header, values, strict=False)) for _, values in rows]
    project = cells[0]["projectID"]
    published = sum(Decimal(c["ecContribution"]) for c in cells if c["projectID"] == project and c["ecContribution"])
    record = portal_record(home, f"cordis:{project}")
    assert Decimal(record["eu_contribution"]["amount"]) == published
    assert record["raw"]["eu_contribution"].startswith("computed")
    assert any(flag["code"] == "eu_contribution_computed" for flag in record["flags"])


def portal_record(home: Path, project_id: str) -> dict[str, Any]:
    [data] = database(home).execute("SELECT data FROM projects WHERE id = ?", (project_id,)).fetchone()
    return json.loads(data)  # type: ignore[no-any-return]


def test_no_project_is_ongoing_after_its_end(runs: object, home: Path) -> None:
    db = database(home)
    stale = db.execute(
        "SELECT COUNT(*) FROM projects WHERE listed AND status IN ('ongoing', 'planned') AND end_date < date('now')"
    ).fetchone()[0]
    finnish = db.execute(
        "SELECT COUNT(*) FROM projects WHERE source = 'os-fi' AND status = 'finished' AND end_date < date('now')"
    ).fetchone()[0]
    assert stale == 0 and finnish > 2_800


@pytest.mark.parametrize("project", ["cordis:875629", "cordis:700748"], ids=["NAIMA", "LIQUEFACT"])
def test_a_partner_list_comes_from_the_complete_table(
    runs: object, home: Path, portal: TestClient, project: str
) -> None:
    """NAIMA's 2019 table lists its partners by name only, and LIQUEFACT's Norwegian register
    only its Norwegian partner: both show the complete H2020 table's consortium."""
    [rcn] = (
        database(home)
        .execute("SELECT substr(alias, 12) FROM aliases WHERE project_id = ? AND alias LIKE 'cordis:rcn-%'", (project,))
        .fetchone()
    )
    with gzip.open(data_dir() / "cordis-h2020-participations-derived" / "h2020.csv.gz", "rt") as handle:
        published = [r for r in csv.DictReader(handle) if r["rcn"] == rcn]
    data = portal.get(f"/api/v1/projects/{project}").json()["data"]
    partners = data["participations"]
    assert len(partners) == len(published) > 1
    assert all(p["organisation"]["identifiers"].get("pic") and p["organisation"]["country"] for p in partners)
    assert sum(1 for p in partners if p.get("eu_contribution")) == sum(
        1 for r in published if r["contribution"] != "NA"
    )
    assert not data.get("partners_partial", False)


def test_a_norwegian_partner_lends_its_name_to_the_complete_list(runs: object, portal: TestClient) -> None:
    with (data_dir() / "forskningsradet-eu-grants-norway" / "dataset.csv").open(encoding="utf-8") as handle:
        norwegian = [r for r in csv.DictReader(handle, delimiter=";") if r["Prosjektnr"] == "700748"]
    data = portal.get("/api/v1/projects/cordis:700748").json()["data"]
    names = {p["organisation"].get("name") for p in data["participations"]}
    assert {r["Organisasjonsnavn"] for r in norwegian} <= names
    assert data["title"] and data["acronym"] == "LIQUEFACT"


# --- programmes: one canonical label each, with fund and period ---------------------------------


CITY_TWINS = "keep:interreg-iiic-north-2000-2006:city-twins"  # the seed page


def listed(home: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(home / "euprojects.db") as db:
        return db.execute(sql, args).fetchall()


def test_no_two_programme_labels_differ_only_in_spelling(runs: object, home: Path) -> None:
    """ "Research Infrastructures" and "Research infrastructures", or MSCA with and without its
    accent and abbreviation, were once two facet values for one programme."""
    labels = [label for (label,) in listed(home, "SELECT DISTINCT programme FROM projects WHERE listed")]
    folded = Counter(fold(re.sub(r"\s*\([^()]*\)$", "", label)).replace(" ", "") for label in labels)
    assert [key for key, count in folded.items() if count > 1] == []
    assert None not in labels and len(labels) == 79


def test_msca_and_the_erc_have_one_label_in_every_period(runs: object, home: Path) -> None:
    store = open_store(f"sqlite:///{home / 'euprojects.db'}")
    try:
        names = {p.name for p in store.programmes()}
        msca = [(p.period, p.fund) for p in store.programmes(MSCA)]
        erc = [(p.period, p.fund) for p in store.programmes(ERC)]
    finally:
        store.close()
    assert [n for n in names if "sklodowska" in fold(n)] == [MSCA]
    assert [n for n in names if "european research council" in fold(n)] == [ERC]
    assert msca == [("2014-2020", "H2020"), ("2021-2027", "HORIZON")]
    assert erc == [("2007-2013", "FP7"), ("2014-2020", "H2020"), ("2021-2027", "HORIZON")]


def test_every_listed_h2020_project_has_a_canonical_programme(runs: object, home: Path) -> None:
    rows = listed(
        home,
        "SELECT json_extract(data, '$.programme_code'), programme, json_extract(data, '$.raw.programme_code')"
        " FROM projects WHERE listed AND source = 'cordis' AND fund = 'H2020'",
    )
    assert len(rows) > 30_000
    assert [(code, label) for code, label, _ in rows if PROGRAMMES.get(code) != label] == []
    # a deeper code published by a source is kept, and lies under the programme it is named by
    deeper = [(code, published) for code, _, published in rows if published]
    assert len(deeper) > 1_000
    assert [d for d in deeper if not published_under(*d)] == []


def published_under(code: str, published: str) -> bool:
    found = by_code(published)
    return found is not None and found.code == code


def test_erc_grants_have_a_framework_that_the_cordis_twins_confirm(runs: object, home: Path) -> None:
    grants = listed(home, "SELECT id, start_date, fund, period, programme FROM projects WHERE source = 'erc'")
    merged = listed(home, "SELECT COUNT(*) FROM aliases WHERE format = 'link' AND alias LIKE 'erc:%'")[0][0]
    # every grant of the three lists (969 + 612 + 1,536 records) is listed, or joined to its CORDIS grant
    assert len(grants) + merged == 969 + 612 + 1_536
    assert {(fund, period, label) for _, _, fund, period, label in grants} == {
        ("FP7", "2007-2013", ERC),
        ("H2020", "2014-2020", ERC),
    }
    # Every grant joined to its H2020 record in CORDIS' complete table started in 2015 or later,
    joined = listed(
        home,
        "SELECT p.start_date, p.fund FROM projects p JOIN aliases a ON a.project_id = p.id"
        " WHERE a.format = 'link' AND a.file = ? AND p.source = 'erc'",
        SAME_ERC_GRANT,
    )
    assert len(joined) > 800 and {fund for _, fund in joined} == {"H2020"} and min(s for s, _ in joined) >= "2015"
    # and no grant of the lists that started earlier has the dates of any H2020 ERC grant.
    early_twins = listed(
        home,
        "SELECT count(*) FROM projects e JOIN projects c ON c.start_date = e.start_date AND c.end_date = e.end_date"
        " WHERE e.source = 'erc' AND e.start_date < '2015' AND c.source = 'cordis' AND c.fund = 'H2020'"
        " AND c.programme = ?",
        ERC,
    )
    assert early_twins == [(0,)]


def test_the_keep_eu_seed_page_has_the_erdf_and_its_period(runs: object, home: Path) -> None:
    [row] = listed(home, "SELECT fund, period, programme FROM projects WHERE id = ?", CITY_TWINS)
    assert row == ("ERDF", "2000-2006", "Interreg IIIC North")


def test_a_source_s_own_label_survives_in_raw(runs: object, home: Path, data: Path) -> None:
    """Norway's list spells MSCA its own way; projects it alone names keep that spelling."""
    with (data / "forskningsradet-eu-grants-norway" / "dataset.csv").open(encoding="utf-8", newline="") as handle:
        norway = {
            f"cordis:{r['Prosjektnr']}"
            for r in csv.DictReader(handle, delimiter=";")
            if r["Program kode (H2020)"] == "EU.1.3."
        }
    kept = listed(
        home,
        "SELECT id, programme FROM projects WHERE listed AND json_extract(data, '$.raw.programme') = ?",
        "Marie Sklodowska-Curie actions",
    )
    assert len(kept) > 100
    assert {label for _, label in kept} == {MSCA} and {pid for pid, _ in kept} <= norway


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
