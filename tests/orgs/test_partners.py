"""Partner search on the real corpus: the organisations found took part in projects on the topic,
ranks follow the credit their projects give, and each filter keeps only what it names."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from euprojects.cli import main
from euprojects.model import Role
from euprojects.orgs.partners import PartnerQuery, PartnerResult, find_partners, recency, seed_query
from euprojects.search import Searcher
from euprojects.store import Store
from euprojects.store.participants import ProjectBrief

TOPIC = "hydrogen"
Corpus = tuple[Store, Path]


def db(store: Store) -> sqlite3.Connection:
    connection: sqlite3.Connection = store.db  # type: ignore[attr-defined]
    return connection


def search(corpus_searcher: Searcher, store: Store, **options: object) -> PartnerResult:
    return find_partners(corpus_searcher, store, PartnerQuery(query=TOPIC, **options))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def everyone(corpus: Corpus, corpus_searcher: Searcher) -> PartnerResult:
    store, _ = corpus
    return search(corpus_searcher, store, limit=100)


def mentions_topic(store: Store, project_id: str) -> bool:
    """The topic is in the project's own words or its partners' names (what the index searches)."""
    project = store.project(project_id)
    assert project is not None, project_id
    texts = [project.title, project.acronym, project.summary, project.results, project.programme, *project.themes]
    texts += [link.title or "" for link in project.links] + [link.description or "" for link in project.links]
    texts += [p.organisation.name for p in project.participations]
    return any(re.search(r"hydrogen", text or "", re.IGNORECASE) for text in texts)


def test_found_organisations_took_part_in_projects_on_the_topic(corpus: Corpus, everyone: PartnerResult) -> None:
    store, _ = corpus
    assert everyone.total >= 20 and len(everyone.hits) == min(100, everyone.total)
    assert everyone.projects_considered <= everyone.projects_matched
    for hit in everyone.hits:
        assert hit.evidence and len(hit.evidence) <= min(5, hit.projects)
        for evidence in hit.evidence:
            assert mentions_topic(store, evidence.project_id), (hit.id, evidence.project_id)
            project = store.project(evidence.project_id)
            assert project is not None
            roles = {p.role.value for p in project.participations if p.organisation.id == hit.id}
            assert evidence.role in roles, (hit.id, evidence.project_id)


def test_ranks_follow_the_credit_of_the_projects(everyone: PartnerResult) -> None:
    scores = [hit.score for hit in everyone.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    for hit in everyone.hits:
        credits = [e.credit for e in hit.evidence]
        assert credits == sorted(credits, reverse=True)
        assert sum(credits) <= hit.score + 1e-3
        assert hit.led <= hit.projects


def test_a_lead_role_and_a_recent_project_count_more(corpus: Corpus, everyone: PartnerResult) -> None:
    leads = [e for hit in everyone.hits for e in hit.evidence if e.role == Role.LEAD]
    partners = [e for hit in everyone.hits for e in hit.evidence if e.role == Role.PARTNER]
    assert leads and partners
    # the same project credits its lead 1.5 times what it credits a partner
    shared = {e.project_id: e.credit for e in partners}
    pairs = [(e.credit, shared[e.project_id]) for e in leads if e.project_id in shared]
    assert pairs and all(abs(lead - 1.5 * partner) < 1e-3 for lead, partner in pairs)
    brief = ProjectBrief("x:1", None, None, None, "2010-01-01", "2012-12-31", None, None, None)
    assert recency(brief, 2020) == pytest.approx(0.5) and recency(brief, 2028) == pytest.approx(0.25)
    assert recency(brief, 2012) == recency(brief, 2005) == 1.0
    assert recency(None, 2028) == 0.5


def test_country_type_and_region_filters(corpus: Corpus, corpus_searcher: Searcher, everyone: PartnerResult) -> None:
    store, _ = corpus
    countries = {hit.country for hit in everyone.hits if hit.country}
    assert len(countries) > 3
    country = max(countries, key=lambda c: sum(hit.country == c for hit in everyone.hits))
    found = search(corpus_searcher, store, country=(country,), limit=100)
    assert found.hits and found.total < everyone.total
    assert {hit.country for hit in found.hits} == {country}
    types = [hit.type for hit in everyone.hits if hit.type]
    assert types
    kind = max(set(types), key=types.count)
    typed = search(corpus_searcher, store, org_type=(kind,), limit=100)
    assert typed.hits and typed.total < everyone.total and {hit.type for hit in typed.hits} == {kind}
    regions = [hit.nuts for hit in everyone.hits if hit.nuts and len(hit.nuts) >= 3]
    if regions:
        prefix = regions[0][:3]
        regional = search(corpus_searcher, store, nuts=(prefix,), limit=100)
        assert regional.hits and all((hit.nuts or "").startswith(prefix) for hit in regional.hits)


def test_experience_filters_ask_the_store(corpus: Corpus, corpus_searcher: Searcher, everyone: PartnerResult) -> None:
    store, _ = corpus
    led = search(corpus_searcher, store, has_led=True, limit=100)
    assert led.hits and led.total < everyone.total
    for hit in led.hits:
        assert (
            db(store)
            .execute(
                "SELECT 1 FROM participations p JOIN projects r ON r.id = p.project_id"
                " LEFT JOIN org_links l ON l.org_id = p.org_id"
                " WHERE COALESCE(l.canonical, p.org_id) = ? AND p.role = 'lead' AND r.listed",
                (hit.id,),
            )
            .fetchone()
        ), hit.id
    programmes = [e.programme for hit in everyone.hits for e in hit.evidence if e.programme]
    programme = max(set(programmes), key=programmes.count)
    experienced = search(corpus_searcher, store, programme=(programme,), limit=100)
    assert experienced.hits and experienced.total < everyone.total
    for hit in experienced.hits:
        assert programme in {p.programme for p in store.organisation_projects(hit.id)}, hit.id
    periods = [e.period for hit in everyone.hits for e in hit.evidence if e.period]
    period = max(set(periods), key=periods.count)
    in_period = search(corpus_searcher, store, period=(period,), limit=100)
    assert in_period.hits and all(
        period in {p.period for p in store.organisation_projects(h.id)} for h in in_period.hits
    )


def test_a_topic_nothing_matches_finds_nobody(corpus: Corpus, corpus_searcher: Searcher) -> None:
    store, _ = corpus
    result = find_partners(corpus_searcher, store, PartnerQuery(query="zzqxv"))
    assert result.total == 0 and result.hits == [] and result.projects_matched == 0


def test_a_project_seeds_partner_search_with_its_themes_or_title() -> None:
    assert (
        seed_query("Safe hydrogen storage in salt caverns", None, [])
        == "Safe OR hydrogen OR storage OR salt OR caverns"
    )
    assert (
        seed_query(None, "H2CAV", ["Energy efficiency", 'Marine "litter"']) == '"Energy efficiency" OR "Marine litter"'
    )
    assert seed_query(None, None, []) == ""
    # what the query language would read as scopes, operators or exclusions is taken literally
    assert seed_query("title:x OR -yes", None, ["OR", "-"]) == '"title x" OR yes'


def test_the_command_line_prints_the_same_ranking(corpus: Corpus, corpus_searcher: Searcher) -> None:
    store, index_dir = corpus
    home = index_dir.parent
    env = {
        "EUPROJECTS_HOME": str(home),
        "EUPROJECTS_DATABASE_URL": f"sqlite:///{home / 'store.db'}",
        "EUPROJECTS_INDEX_DIR": str(index_dir),
    }
    expected = find_partners(corpus_searcher, store, PartnerQuery(query=TOPIC, country=("DE",), limit=3))
    done = CliRunner().invoke(main, ["partners", TOPIC, "--country", "Germany", "--limit", "3", "--json"], env=env)
    assert done.exit_code == 0, done.output
    printed = json.loads(done.output)
    assert [hit["id"] for hit in printed["hits"]] == [hit.id for hit in expected.hits]
    table = CliRunner().invoke(main, ["partners", TOPIC, "--country", "DE", "--limit", "3"], env=env)
    assert table.exit_code == 0 and expected.hits[0].id in table.output and "most relevant of" in table.output
    wordless = CliRunner().invoke(main, ["partners", "+++"], env=env)
    assert wordless.exit_code == 1 and "words of a topic" in wordless.output
    wrong = CliRunner().invoke(main, ["partners", TOPIC, "--country", "Atlantis"], env=env)
    assert wrong.exit_code == 2 and "Atlantis" in wrong.output and "Traceback" not in wrong.output
