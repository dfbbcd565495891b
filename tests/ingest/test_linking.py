"""Twins joined by what they say of themselves, on the real tables that name one project under
two ids: CORDIS' H2020 participations by record number, the ERC's lists, Norway's register."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from euprojects import ingest
from euprojects.ingest.linking import SAME_ERC_GRANT, SAME_NORWEGIAN_PARTNER, find_links
from euprojects.store import Store, open_store
from tests.backend import new_store_url, rows
from tests.conftest import data_dir

pytestmark = pytest.mark.slow

FILES = (
    "cordis-h2020-participations-derived",
    "erc-funded-projects",
    "forskningsradet-eu-grants-norway",
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with new_store_url(tmp_path_factory.mktemp("linking")) as url:
        store = open_store(url)
        assert not ingest.run(store, [data_dir() / name for name in FILES]).failed
        yield store
        store.close()


def links(store: Store) -> list[tuple[str, str, str]]:
    return [tuple(row) for row in rows(store.url, "SELECT alias, project_id, file FROM aliases WHERE format = 'link'")]


def test_erc_and_norwegian_grants_are_joined_to_their_rcn_records(store: Store) -> None:
    methods = Counter(method for _, _, method in links(store))
    assert methods[SAME_ERC_GRANT] > 500 and methods[SAME_NORWEGIAN_PARTNER] > 500


def test_each_record_joins_one_project_and_the_joined_facts_agree(store: Store) -> None:
    found = links(store)
    assert len({alias for alias, _, _ in found}) == len(found)  # an id names one project
    for alias, target, method in found:
        project = store.project(target)
        assert project is not None and project.id == target
        if method == SAME_ERC_GRANT:  # the rcn record joins the ERC grant, or both join the CORDIS grant
            assert (alias.startswith("cordis:rcn-") and target.startswith("erc:")) or (
                alias.startswith("erc:") and target.startswith("cordis:")
            )
            assert project.programme == "European Research Council (ERC)"
        assert store.project(alias) is None and store.resolve(alias) == target


def test_linking_again_finds_nothing_new(store: Store) -> None:
    assert set(find_links(store)) <= set(links(store))
