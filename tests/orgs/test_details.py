"""An organisation's details from its best mention, the same in any order, on the real rows of
FP1–FP3, FP7 (marzeelabs), Horizon Europe and the H2020 participation table."""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import reduce
from pathlib import Path

import pytest

from euprojects import ingest
from euprojects.model import Record
from euprojects.orgs.details import DETAILS, Ranked, combine, mention, mention_day
from euprojects.sources.base import Item
from euprojects.sources.cordis.fp1_fp3 import read as read_fp
from euprojects.sources.cordis.organisations import read as read_horizon
from euprojects.sources.cordis.participations import read as read_h2020
from euprojects.sources.cordis.scraped import read_marzee
from euprojects.store import open_store

FP = "cordis-fp1-fp3-organizations"
FP_FILES = ("organizations-fp1-1984-1987.csv", "organizations-fp2-1987-1991.csv", "organizations-fp3-1990-1994.csv")
HORIZON = "cordis-horizon-organizations-split"
SOURCES: tuple[tuple[str, str, Callable[[Path], Iterator[Item]]], ...] = (
    *((FP, f"{FP}/{name}", read_fp) for name in FP_FILES),
    ("marzeelabs-json", "cordis-fp7-samples/marzeelabs_projects_big.json", read_marzee),
    *(("cordis-he-organizations", f"{HORIZON}/organization_{n}.xlsx", read_horizon) for n in range(1, 6)),
    ("cordis-h2020-participations", "cordis-h2020-participations-derived/h2020.csv.gz", read_h2020),
)
Mentions = dict[str, list[Ranked]]


@pytest.fixture(scope="module")
def mentions(data: Path) -> Mentions:
    """Every participant of these files as a ranked mention, by organisation id, in file order."""
    found: Mentions = defaultdict(list)
    for fmt, path, read in SOURCES:
        for item in read(data / path):
            if isinstance(item, Record):
                day = mention_day(item.project)
                for participation in item.project.participations:
                    found[participation.organisation.id].append(mention(participation.organisation, fmt, day))
    return {oid: ranked for oid, ranked in found.items() if len(ranked) > 1}


def folded(ranked: list[Ranked]) -> Ranked:
    return reduce(combine, ranked)


def test_mentions_in_any_order_give_the_same_organisation(mentions: Mentions) -> None:
    shuffle = random.Random(42)
    assert len(mentions) > 10_000
    for ranked in mentions.values():
        again = list(ranked)
        shuffle.shuffle(again)
        assert folded(ranked) == folded(list(reversed(ranked))) == folded(again)
        halves = combine(folded(again[: len(again) // 2]), folded(again[len(again) // 2 :]))
        assert halves == folded(ranked)  # batches merged with what the store holds


def test_each_detail_comes_whole_from_the_best_mention_that_gives_it(mentions: Mentions) -> None:
    for ranked in mentions.values():
        merged = folded(ranked)
        for group, fields in DETAILS.items():
            giving = [m for m in ranked if any(getattr(m.organisation, f) is not None for f in fields)]
            values = tuple(getattr(merged.organisation, f) for f in fields)
            if not giving:
                assert values == (None,) * len(fields)
                continue
            best = max(m.ranks[group] for m in giving)
            assert merged.ranks[group] == best
            assert values in {
                tuple(getattr(m.organisation, f) for f in fields) for m in giving if m.ranks[group] == best
            }


def test_an_address_with_a_street_wins_over_a_later_row_without_one(mentions: Mentions, data: Path) -> None:
    """Bord Iascaigh Mhara: two FP2 rows give a street and 'Dun Laoghaire-Co Dublin', an FP3 row
    only 'DUN LAOGHAIRE'; a record that mixed them would have the street and the FP3 city."""
    rows = []
    for name in FP_FILES:
        with (data / FP / name).open(encoding="utf-8", newline="") as file:
            rows += [(name, r) for r in csv.DictReader(file, delimiter="\t") if "IASCAIGH MHARA" in r["name"].upper()]
    addresses = {(name[14:17], r["street"], r["city"]) for name, r in rows if "FISHERIES" not in r["name"]}
    assert addresses == {
        ("fp2", "PO BOX 12, Crofton Road", "Dun Laoghaire-Co Dublin"),
        ("fp3", "", "DUN LAOGHAIRE"),
    }
    org = folded(mentions["name:IE:bord iascaigh mhara bim"]).organisation
    assert (org.name, org.street, org.postcode, org.city) == (
        "Bord Iascaigh Mhara (BIM)",
        "PO BOX 12, Crofton Road",
        None,
        "Dun Laoghaire-Co Dublin",
    )


def year(ranked: Ranked) -> int:
    """The year of the table that gave this mention of a PIC (every mention gives the PIC)."""
    return ranked.ranks["identifiers.pic"][1]


def test_horizon_europe_names_a_pic_over_the_2020_h2020_table(mentions: Mentions) -> None:
    pics = {oid: ranked for oid, ranked in mentions.items() if oid.startswith("pic:")}
    both = {oid: ranked for oid, ranked in pics.items() if {year(m) for m in ranked} == {2020, 2024}}
    assert len(both) > 1_000
    for ranked in both.values():
        merged = folded(ranked)
        horizon = [m.organisation for m in ranked if year(m) == 2024]
        for detail in ("name", "type", "country"):
            given = {getattr(o, detail) for o in horizon} - {None}
            if given:  # a detail Horizon Europe leaves out comes from the H2020 table
                assert getattr(merged.organisation, detail) in given
                assert merged.ranks[detail][1] == 2024


def test_the_store_keeps_the_same_organisations_whatever_order_projects_are_rebuilt_in(
    data: Path, tmp_path: Path
) -> None:
    """FP2, FP3 and FP7 projects rebuilt in two orders, over several runs and batches: each run
    weighs its mentions against the ranks the store kept from the runs before."""
    fp2, fp3 = data / FP / FP_FILES[1], data / FP / FP_FILES[2]
    fp7 = data / "cordis-fp7-samples" / "marzeelabs_projects_big.json"
    tables = []
    for name, runs in (("a", [[fp3, fp7], [fp2]]), ("b", [[fp2], [fp7], [fp3]])):
        store = open_store(f"sqlite:///{tmp_path / name}.db")
        for paths in runs:
            assert not ingest.run(store, paths, workers=1).failed
        tables.append(store.db.execute("SELECT id, name, city, data, ranks FROM organisations ORDER BY id").fetchall())
        store.close()
    assert len(tables[0]) > 15_000 and tables[0] == tables[1]
