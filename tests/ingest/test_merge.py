"""Merging records of one project, on real records."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from euprojects.ingest.merge import _general, combine, merge
from euprojects.model import Record
from euprojects.sources.cordis.organisations import read as read_organisations
from euprojects.sources.erc import read as read_erc
from euprojects.store.base import Fragment

SEEN = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def fragment(record: Record, fmt: str, file: str) -> Fragment:
    return Fragment(fmt, file, record.key, record.line, record.project, SEEN, SEEN)


def test_the_fast_path_for_one_record_equals_the_general_merge(data: Path) -> None:
    items = read_organisations(data / "cordis-horizon-organizations-split" / "organization_1.xlsx")
    records = [r for r in items if isinstance(r, Record)][:300]
    records += [r for r in read_erc(data / "erc-funded-projects" / "erc_advanced.csv") if isinstance(r, Record)][:100]
    for record in records:
        one = [fragment(record, "cordis-he-organizations", "organization_1.xlsx")]
        assert merge(record.project.id, one, {}) == _general(record.project.id, one, {})


def test_adjacent_rows_of_a_project_combine_into_its_whole_consortium(data: Path) -> None:
    items = read_organisations(data / "cordis-horizon-organizations-split" / "organization_1.xlsx")
    records = [r for r in items if isinstance(r, Record)]
    counts = Counter(r.project.id for r in records)
    first = counts.most_common(1)[0][0]
    rows = [r for r in records if r.project.id == first]
    combined = combine([r.project for r in rows])
    assert len(combined.participations) == len(rows) > 1
    assert combined.acronym == rows[0].project.acronym
    merged = merge(first, [fragment(Record("k", combined, 2), "cordis-he-organizations", "a.xlsx")], {})
    in_order = sorted(rows, key=lambda r: r.project.participations[0].order)
    assert [p.organisation.id for p in merged.participations] == [
        r.project.participations[0].organisation.id for r in in_order
    ]
