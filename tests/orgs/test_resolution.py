"""Entity resolution of organisations on the session's real corpus (tests/conftest.py)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import msgspec
import pytest

from euprojects.orgs.names import name_key
from euprojects.orgs.overrides import Overrides
from euprojects.orgs.resolve import _read, affected, cluster, resolve
from euprojects.store import Store
from euprojects.store.codec import decode_organisation
from euprojects.views import organisation_record

EPFL = "pic:999973971"
EPFL_ERC = "name:XX:ecole polytechnique federale de lausanne"  # the ERC's host institution, no PIC, no country


def links(store: Store) -> dict[str, str]:
    return {link.org_id: link.canonical for link in store.organisation_links()}


def test_epfl_pic_and_name_records_are_one_organisation(corpus: tuple[Store, Path]) -> None:
    store, _ = corpus
    assert store.resolve_organisation(EPFL_ERC) == EPFL
    record = organisation_record(store, EPFL_ERC)
    assert record is not None and record.organisation.id == EPFL
    assert "999973971" in record.identifiers["pic"]
    by_id = {link.id: link for link in record.links}
    assert by_id[EPFL_ERC].method.startswith("name:") and 0 < by_id[EPFL_ERC].confidence < 1
    # the ERC grants hosted by EPFL are among the organisation's projects
    assert any(p.project_id.startswith("erc:") for p in record.projects)
    assert any(p.project_id.startswith("cordis:") for p in record.projects)


def test_same_name_in_different_countries_stays_apart(corpus: tuple[Store, Path]) -> None:
    store, _ = corpus
    canonical = links(store)
    by_key: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.organisation_mentions():
        org = decode_organisation(row.data)
        if org.name and org.country and row.id.startswith("pic:"):
            by_key[name_key(org.name)][org.country].add(canonical[row.id])
    twins = {key: countries for key, countries in by_key.items() if len(countries) > 1}
    assert len(twins) > 10  # the corpus names many bodies alike across borders (e.g. national agencies)
    for key, countries in twins.items():
        groups = list(countries.values())
        for i, first in enumerate(groups):
            for second in groups[i + 1 :]:
                assert first.isdisjoint(second), key


def test_greek_beneficiary_matches_its_latin_cordis_record(corpus: tuple[Store, Path]) -> None:
    store, _ = corpus
    greek = "name:GR:αριστοτελειο πανεπιστημιο θεσσαλονικησ"  # Greece's list of operations
    canonical = store.resolve_organisation(greek)
    assert canonical is not None and canonical.startswith("pic:")
    organisation = store.organisation(canonical)
    assert organisation is not None and organisation.name == "ARISTOTELIO PANEPISTIMIO THESSALONIKIS"
    projects = {p.project_id.split(":")[0] for p in store.organisation_projects(greek)}
    assert {"os-el", "cordis"} <= projects


def test_types_are_one_vocabulary_with_the_source_label_kept(corpus: tuple[Store, Path]) -> None:
    store, _ = corpus
    norwegian = [row.id for row in store.organisation_mentions() if row.id.startswith("no-orgnr:")]
    records = [organisation_record(store, oid) for oid in norwegian[:200]]
    typed = [r for r in records if r is not None and r.type_labels]
    assert typed
    assert {r.organisation.type for r in typed} <= {"HES", "REC", "PRC", "PUB", "OTH"}
    assert {label for r in typed for label in r.type_labels} & {"Næringsliv", "UoH-sektor", "Instituttsektor"}


def test_an_unchanged_store_resolves_nothing_again(corpus: tuple[Store, Path]) -> None:
    store, _ = corpus
    report = resolve(store)
    assert report.resolved == 0 and report.changed_projects == 0
    assert report.mentions == report.organisations + report.merged


@pytest.mark.slow
def test_manual_split_and_merge_survive_a_rebuild(corpus: tuple[Store, Path], tmp_path: Path) -> None:
    store, _ = corpus
    home = tmp_path
    other = "name:CH:ecole polytechnique federale de lausanne"  # a Swiss list names EPFL without its PIC
    assert links(store).get(other) == EPFL
    apart = store.resolve_organisation("pic:999460453")  # the Research Council of Norway
    (home / "organisations.toml").write_text(
        f'[[split]]\nids = ["{EPFL}", "{other}"]\n\n[[merge]]\nids = ["{EPFL}", "{apart}"]\n', encoding="utf-8"
    )
    try:
        first = resolve(store, home)  # a changed file rebuilds on its own
        assert first.rebuilt
        canonical = links(store)
        assert canonical[other] != EPFL and canonical[apart] == EPFL
        assert resolve(store, home, rebuild=True).rebuilt
        canonical = links(store)
        assert canonical[other] != EPFL and canonical[apart] == EPFL
        assert store.resolve_organisation(other) == other
    finally:
        (home / "organisations.toml").unlink()
        resolve(store, home, rebuild=True)
    assert links(store)[other] == EPFL


@pytest.mark.slow
def test_a_changed_record_undoes_the_links_its_name_made(corpus: tuple[Store, Path]) -> None:
    """EPFL's PIC record renamed: the ERC's host, joined to it by name, is matched again and
    leaves it (an incremental run takes the changed record's whole organisation apart)."""
    store, _ = corpus
    mentions, _ = _read(list(store.organisation_mentions()))
    previous = {link.org_id: link for link in store.organisation_links()}
    assert previous[EPFL_ERC].canonical == EPFL
    renamed = "Norsk Polarinstitutt Tromsø"
    edited = [
        msgspec.structs.replace(m, name=renamed, key=name_key(renamed, m.country)) if m.id == EPFL else m
        for m in mentions
    ]
    query = affected({EPFL}, [], previous, [m.id for m in edited])
    assert EPFL_ERC in query and len(query) < 50  # EPFL's organisation, not the whole store
    clusters = cluster(edited, query, Overrides(), previous)
    assert clusters.find(EPFL_ERC) != clusters.find(EPFL)
    before = cluster(mentions, query, Overrides(), previous)  # unchanged: the same organisation again
    assert before.find(EPFL_ERC) == before.find(EPFL)
