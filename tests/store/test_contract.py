"""The Store contract, run against every backend with records from the real data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from euprojects import ingest
from euprojects.ingest.materialise import materialise
from euprojects.model import Money, Organisation, Participation, Project, Record, Reject, Role
from euprojects.sources.erc import read as read_erc
from euprojects.store import Store

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def erc_records(data: Path, limit: int = 50) -> list[Record]:
    items = read_erc(data / "erc-funded-projects" / "erc_advanced.csv")
    return [item for _, item in zip(range(limit), items, strict=False) if isinstance(item, Record)]


def write(store: Store, records: list[Record], fmt: str = "erc-grants", file: str = "erc_advanced.csv", run: int = 1):
    counts = store.write(run, fmt, file, [ingest.prepare(r) for r in records], [], NOW)
    materialise(store)
    return counts


def test_new_records_become_projects(store: Store, data: Path) -> None:
    records = erc_records(data)
    counts = write(store, records)
    assert (counts.new, counts.updated, counts.unchanged) == (len(records), 0, 0)
    project = store.project(records[0].project.id)
    assert project is not None and project.title == records[0].project.title
    assert project.participations[0].organisation.name == records[0].project.participations[0].organisation.name
    assert store.stats().projects == len(records)


def test_the_same_records_again_change_nothing(store: Store, data: Path) -> None:
    records = erc_records(data)
    write(store, records)
    seq = store.seq()
    counts = write(store, records, run=2)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, len(records))
    assert store.seq() == seq and store.all_dirty() == []


def test_a_changed_record_updates_its_project_and_logs_a_change(store: Store, data: Path) -> None:
    records = erc_records(data, 5)
    write(store, records)
    seq = store.seq()
    changed = msgspec.structs.replace(records[2].project, title="Corrected title")
    counts = write(store, [*records[:2], msgspec.structs.replace(records[2], project=changed), *records[3:]], run=2)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 4)
    assert store.project(changed.id).title == "Corrected title"  # type: ignore[union-attr]
    changes, latest = store.changes_since(seq)
    assert changes == [(changed.id, False)] and latest > seq


def test_records_of_one_project_from_several_files_are_merged_by_priority(store: Store) -> None:
    low = Project(source="cordis", source_id="101051386", title="Scraped title", website="https://example.org")
    high = Project(source="cordis", source_id="101051386", title="Official title", acronym="BRIDGE")
    write(store, [Record(key="1", project=low, line=2)], fmt="cordis-scraped-pages", file="a.json")
    write(store, [Record(key="1", project=high, line=2)], fmt="cordis-he-organizations", file="b.xlsx")
    merged = store.project("cordis:101051386")
    assert merged is not None
    assert (merged.title, merged.acronym, merged.website) == ("Official title", "BRIDGE", "https://example.org")
    assert {p.format for p in merged.provenance} == {"cordis-scraped-pages", "cordis-he-organizations"}


def test_an_alias_joins_records_keyed_by_rcn_to_the_grant(store: Store) -> None:
    by_rcn = Project(
        source="cordis",
        source_id="rcn-221856",
        eu_contribution=Money(amount=Decimal("2927875")),
        participations=[Participation(organisation=Organisation(id="pic:984516342", country="ES"), role=Role.LEAD)],
    )
    row = Record(key="221856/984516342/coordinator", project=by_rcn, line=3)
    write(store, [row], fmt="cordis-h2020-participations")
    assert store.project("cordis:rcn-221856") is not None
    seq = store.seq()
    grant = Project(source="cordis", source_id="822336", title="A project with both ids")
    joined = Record(key="822336", project=grant, line=2, aliases=["cordis:rcn-221856"])
    write(store, [joined], fmt="cordis-fp7-projects")
    merged = store.project("cordis:822336")
    assert merged is not None and merged.title == "A project with both ids"
    assert [p.organisation.id for p in merged.participations] == ["pic:984516342"]
    assert store.project("cordis:rcn-221856") is None
    changes = dict(store.changes_since(seq)[0])
    assert changes == {"cordis:822336": False, "cordis:rcn-221856": True}


def test_rows_gone_from_a_file_are_removed_with_their_projects(store: Store, data: Path) -> None:
    records = erc_records(data, 10)
    write(store, records)
    store.write(2, "erc-grants", "erc_advanced.csv", [ingest.prepare(r) for r in records[:7]], [], NOW)
    assert store.remove_stale(2, "erc-grants", "erc_advanced.csv") == 3
    materialise(store)
    assert store.stats().projects == 7
    assert store.project(records[9].project.id) is None


def test_rejects_are_kept_once_with_file_line_reason_and_raw(store: Store) -> None:
    reject = Reject(line=12, reason="column 'budget_project': -5 is negative", raw='"BAD","A title"')
    for run in (1, 2):
        store.write(run, "erc-grants", "erc_starting.csv", [], [reject], NOW)
    [entry] = store.rejects()
    assert (entry.file, entry.line, entry.reason, entry.raw) == ("erc_starting.csv", 12, reject.reason, reject.raw)
    assert store.count_rejects("erc_starting.csv") == 1 and store.count_rejects("other.csv") == 0


def test_an_organisation_gains_a_name_from_another_source(store: Store) -> None:
    nameless = Participation(organisation=Organisation(id="pic:999822263", country="FR"), role=Role.PARTNER)
    named = Participation(
        organisation=Organisation(id="pic:999822263", name="MINISTERE DE L'ENSEIGNEMENT SUPERIEUR", city="Paris"),
        role=Role.LEAD,
    )
    write(store, [Record("a", Project(source="cordis", source_id="rcn-1", participations=[nameless]), 2)], fmt="x")
    seq = store.seq()
    write(store, [Record("b", Project(source="cordis", source_id="101051386", participations=[named]), 2)], fmt="y")
    org = store.organisation("pic:999822263")
    assert org is not None and (org.name, org.country, org.city) == (
        "MINISTERE DE L'ENSEIGNEMENT SUPERIEUR",
        "FR",
        "Paris",
    )
    project = store.project("cordis:rcn-1")
    assert project is not None and project.participations[0].organisation.name == org.name
    # the first project's index document now has a name to find, so it is logged as changed too
    assert {pid for pid, _ in store.changes_since(seq)[0]} == {"cordis:101051386", "cordis:rcn-1"}
    assert [r.project_id for r in store.organisation_projects("pic:999822263")] == ["cordis:101051386", "cordis:rcn-1"]


def test_summaries_of_a_page_of_hits_take_one_query(store: Store, data: Path) -> None:
    records = erc_records(data, 40)
    write(store, records)
    db = getattr(store, "db", None)
    if db is None:
        pytest.skip("query counting is implemented for SQLite")
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    found = store.summaries([r.project.id for r in records[:20]])
    db.set_trace_callback(None)
    assert len(found) == 20 and len(statements) == 1
    summary = found[records[0].project.id]
    assert summary.lead == records[0].project.participations[0].organisation.name


def test_iterating_and_fetching_whole_projects(store: Store, data: Path) -> None:
    records = erc_records(data, 30)
    write(store, records)
    listed = list(store.iter_projects(batch=7))
    assert sorted(p.id for p in listed) == sorted(r.project.id for r in records)
    assert all(p.participations for p in listed)
    fetched = store.projects([records[3].project.id, "erc:none"])
    assert [p.id for p in fetched] == [records[3].project.id]


def test_beneficiary_rows_are_kept_totalled_and_read_by_organisation(store: Store, data: Path) -> None:
    from euprojects.ingest.reading import prepare_beneficiary
    from euprojects.model import BeneficiaryRecord
    from euprojects.sources.kohesio.beneficiaries import read

    path = data / "kohesio-beneficiaries-cee-2023" / "kohesio-data-export.tsv"
    items = [item for _, item in zip(range(300), read(path), strict=False) if isinstance(item, BeneficiaryRecord)]
    rows = list({r.key: r for r in items}.values())  # one row per key, as a batch of the ingest holds
    fmt, file = "kohesio-beneficiaries", "kohesio-beneficiaries-cee-2023/kohesio-data-export.tsv"
    prepared = [prepare_beneficiary(r) for r in rows]
    counts = store.write(1, fmt, file, [], [], NOW, beneficiaries=prepared)
    assert (counts.new, counts.updated, counts.unchanged) == (len(rows), 0, 0)
    again = store.write(2, fmt, file, [], [], NOW, beneficiaries=prepared[:200])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 200)
    [totals] = store.stats().beneficiaries.values()
    assert totals.rows == len(rows)
    org = rows[0].beneficiary.organisation
    assert store.organisation(org.id) is not None
    assert rows[0].beneficiary in store.organisation_funding(org.id)
    assert store.remove_stale(2, fmt, file) == len(rows) - 200
    [left] = store.stats().beneficiaries.values()
    assert left.rows == 200
