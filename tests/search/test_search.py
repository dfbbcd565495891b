"""Search behaviour pinned on the real corpus: ranking, whole words, prefixes, filters, facets,
sorting, cursors, highlights, suggestions."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

import pytest

from euprojects.fields import FIELDS
from euprojects.model import Project
from euprojects.normalise.money import to_eur
from euprojects.normalise.places import fold
from euprojects.search import QueryError, Searcher, SearchRequest, SearchResult
from euprojects.store import Store
from tests.backend import sqlite_only


def search(searcher: Searcher, query: str = "", **options: Any) -> SearchResult:
    return searcher.search(SearchRequest(query=query, **options))


def sample_projects(store: Store, count: int, seed: int = 7) -> list[Project]:
    projects = [p for p in store.iter_projects() if p.summary and len(p.summary) > 400 and p.title]
    return random.Random(seed).sample(projects, count)


def distinctive_window(searcher: Searcher, text: str) -> str | None:
    """Six consecutive words of a text, around a word that occurs in no other project."""
    words = re.findall(r"\w+", text)
    index = searcher.index.searcher()
    for position, word in enumerate(words[3:-3], start=3):
        if len(word) >= 4 and word.isalpha() and index.doc_freq("plain", fold(word)) == 1:
            return " ".join(words[position - 3 : position + 3])
    return None


def test_a_distinctive_phrase_ranks_its_project_first(searcher: Searcher, store: Store) -> None:
    checked = 0
    for project in sample_projects(store, 25):
        window = distinctive_window(searcher, project.summary or "")
        if window is None:
            continue
        for query in (f'"{window}"', window):
            result = search(searcher, query, limit=3)
            assert result.hits and result.hits[0].id == project.id, (query, project.id)
        checked += 1
    assert checked >= 10


def test_a_title_ranks_its_project_first(searcher: Searcher, store: Store) -> None:
    titles: dict[str, int] = {}
    projects = list(store.iter_projects())
    for p in projects:
        if p.title:
            titles[fold(p.title)] = titles.get(fold(p.title), 0) + 1
    unique = [p for p in projects if p.title and titles[fold(p.title)] == 1 and len(p.title.split()) >= 4]
    for project in random.Random(3).sample(unique, 20):
        result = search(searcher, project.title or "", limit=1)
        assert result.hits[0].id == project.id, project.title


def test_whole_words_only_sea_does_not_match_research(searcher: Searcher, store: Store) -> None:
    result = search(searcher, "sea", limit=200)
    assert result.total > 20
    summaries = store.summaries([h.id for h in result.hits])
    for summary in summaries.values():
        project = store.project(summary.project.id)
        assert project is not None
        parts = [project.title, project.acronym, project.summary, project.results, *project.themes]
        parts += [p.organisation.name for p in project.participations]
        parts += [f"{link.title} {link.description}" for link in project.links]
        text = fold(" ".join(filter(None, parts)))
        assert re.search(r"\bseas?\b", text), project.id
    research_only = search(searcher, "research -sea", limit=0).total
    assert research_only > 1000


def test_a_prefix_matches_words_the_stemmer_cuts(searcher: Searcher) -> None:
    result = search(searcher, "cooperat*", limit=50)
    assert result.total > 50
    assert "keep:interreg-iiic-north-2000-2006:city-twins" in {
        h.id for h in search(searcher, "cooperat* twin*", limit=5).hits
    }
    stemmed = search(searcher, "cooperat", limit=0).total
    assert stemmed < result.total


def test_accents_and_case_do_not_matter(searcher: Searcher, store: Store) -> None:
    accented = next(
        o.name
        for p in store.iter_projects()
        for o in (x.organisation for x in p.participations)
        if o.name and re.search(r"\b\w*[łśźżąęóńćŁŚŻ]\w{3,}", o.name)
    )
    word = re.search(r"\b\w*[łśźżąęóńćŁŚŻ]\w{3,}", accented)[0]  # type: ignore[index]
    plain = fold(word)
    with_accents = search(searcher, f"org:{word}", limit=0).total
    assert with_accents > 0
    assert search(searcher, f"org:{plain}", limit=0).total == with_accents
    assert search(searcher, f"org:{plain.upper()}", limit=0).total == with_accents
    assert search(searcher, "Slubice", limit=1).hits[0].id.startswith("keep:")


def test_all_words_must_match_and_or_widens(searcher: Searcher) -> None:
    both = search(searcher, "hydrogen storage", limit=0).total
    hydrogen = search(searcher, "hydrogen", limit=0).total
    storage = search(searcher, "storage", limit=0).total
    either = search(searcher, "hydrogen OR storage", limit=0).total
    assert 0 < both < min(hydrogen, storage) and either == hydrogen + storage - both


def test_exclusion_and_phrases(searcher: Searcher) -> None:
    words = search(searcher, "climate change", limit=0).total
    phrase = search(searcher, '"climate change"', limit=0).total
    without = search(searcher, 'climate -"climate change"', limit=0).total
    climate = search(searcher, "climate", limit=0).total
    assert 0 < phrase <= words and without == climate - phrase


def test_when_all_words_find_nothing_any_word_is_ranked(searcher: Searcher) -> None:
    result = search(searcher, "spintronics zebrafishmarmalade", limit=5)
    assert result.relaxed and result.total > 0
    assert all("spin" in (h.title or "").lower() or h.snippet for h in result.hits)


def test_did_you_mean_uses_the_index_words(searcher: Searcher) -> None:
    result = search(searcher, "spintronicss", limit=5)
    assert result.total == 0 and result.suggestion == "spintronics"
    assert search(searcher, "spintronics", limit=0).suggestion is None
    assert search(searcher, "photovoltiac cells", limit=0).suggestion == "photovoltaic cells"


def test_field_scopes(searcher: Searcher) -> None:
    anywhere = search(searcher, "university", limit=0).total
    in_orgs = search(searcher, "org:university", limit=50)
    assert 0 < in_orgs.total < anywhere
    titled = search(searcher, "title:hydrogen", limit=50)
    assert titled.total > 0 and all("hydrogen" in (h.title or "").lower() for h in titled.hits)
    city_twins = search(searcher, 'acronym:"city twins"', limit=3).hits
    assert city_twins[0].id.startswith("keep:")
    interreg = search(searcher, "programme:interreg", limit=10).hits
    assert interreg and all("interreg" in (h.programme or "").lower() for h in interreg)


@pytest.mark.parametrize("name", ["source", "programme", "period", "country", "status", "start_year", "org_type"])
def test_each_facet_count_equals_the_total_with_that_filter(searcher: Searcher, name: str) -> None:
    for query in ("", "energy"):
        result = search(searcher, query, limit=0, facets=(name,), facet_size=8)
        values = result.facets[name]
        assert values, name
        for value in values[:6]:
            filtered = search(searcher, query, limit=0, filters={name: [value.value]}, facets=())
            assert filtered.total == value.count, (query, name, value.value)


def test_facet_values_of_one_facet_combine_with_or_and_keep_their_counts(searcher: Searcher) -> None:
    countries = search(searcher, "", limit=0, facets=("country",)).facets["country"]
    first, second = countries[0], countries[1]
    both = search(searcher, "", limit=0, filters={"country": [first.value, second.value]}, facets=("country", "source"))
    assert max(first.count, second.count) <= both.total <= first.count + second.count
    counted = {v.value: v for v in both.facets["country"]}
    assert counted[first.value].count == first.count and counted[first.value].selected
    assert counted[countries[2].value].count == countries[2].count  # the facet ignores its own selection
    assert sum(v.count for v in both.facets["source"]) == both.total


def test_every_filter_narrows(searcher: Searcher, store: Store) -> None:
    everything = search(searcher, "", limit=0).total
    cases = {
        "source": ["erc"],
        "programme": ["European Research Council (ERC)"],
        "period": ["2014-2020"],
        "fund": ["ERDF"],
        "country": ["EE"],
        "lead_country": ["FI"],
        "nuts": ["EL"],
        "org_type": ["HES"],
        "status": ["finished"],
        "start_year": ["2014..2016"],
        "end_year": ["..2010"],
        "eu_contribution": ["1000000..2000000"],
        "budget": ["10000000.."],
        "has_website": ["true"],
        "has_partners": ["false"],
        "org": [_some_organisation(store)],
    }
    assert set(cases) | {"id", "withdrawn"} == set(FIELDS)
    # a corpus read once has no withdrawn projects (tests/fetch/test_changes.py withdraws one)
    assert search(searcher, "", limit=0, filters={"withdrawn": ["false"]}).total == everything
    assert search(searcher, "", limit=0, filters={"withdrawn": ["true"]}).total == 0
    for name, values in cases.items():
        result = search(searcher, "", limit=50, filters={name: values}, facets=())
        assert 0 < result.total < everything, name
        projects = [store.project(h.id) for h in result.hits]
        for project in projects:
            assert project is not None and HOLDS[name](project, values[0]), (name, project.id)


def _some_organisation(store: Store) -> str:
    return next(
        p.lead.organisation.id for p in store.iter_projects() if p.lead and p.lead.organisation.id.startswith("pic:")
    )


HOLDS: dict[str, Callable[[Project, str], bool]] = {
    "source": lambda p, v: p.source == v,
    "programme": lambda p, v: p.programme == v,
    "period": lambda p, v: p.period == v,
    "fund": lambda p, v: p.fund == v,
    "country": lambda p, v: v in p.countries,
    "lead_country": lambda p, v: p.lead is not None and p.lead.organisation.country == v,
    "nuts": lambda p, v: any(
        c.startswith(v) for c in [*p.nuts, *(x.organisation.nuts or "" for x in p.participations)]
    ),
    "org_type": lambda p, v: any(x.organisation.type == v for x in p.participations),
    "status": lambda p, v: (p.effective_status() or "").__str__() == v,
    "start_year": lambda p, v: p.start_date is not None and 2014 <= p.start_date.year <= 2016,
    "end_year": lambda p, v: p.end_date is not None and p.end_date.year <= 2010,
    "eu_contribution": lambda p, v: 1_000_000 <= (to_eur(p.eu_contribution) or -1) <= 2_000_000,
    "budget": lambda p, v: (to_eur(p.total_cost) or -1) >= 10_000_000,
    "has_website": lambda p, v: bool(p.website),
    "has_partners": lambda p, v: not p.participations,
    "org": lambda p, v: any(x.organisation.id == v for x in p.participations),
}


def test_filters_in_the_query_text(searcher: Searcher) -> None:
    text = search(searcher, "energy country:Estonia start:2015..2018", limit=0).total
    given = search(searcher, "energy", limit=0, filters={"country": ["EE"], "start_year": ["2015..2018"]}).total
    assert text == given > 0
    assert search(searcher, "energy -country:EE", limit=0).total == (
        search(searcher, "energy", limit=0).total - search(searcher, "energy country:EE", limit=0).total
    )


@pytest.mark.parametrize(
    ("query", "filters", "message"),
    [
        ("start:abc", {}, "start_year: 'abc' is not a year"),
        ("", {"country": ["Atlantis"]}, "country: 'Atlantis' is not a country"),
        ("", {"status": ["maybe"]}, "status: 'maybe' is not one of"),
        ("", {"colour": ["red"]}, "unknown filter 'colour'"),
        ("", {"eu_contribution": ["lots"]}, "eu_contribution: 'lots' is not an amount"),
        ("", {"start_year": ["2020..2010"]}, "starts after it ends"),
        ("", {"has_website": ["perhaps"]}, "is not true or false"),
    ],
)
def test_invalid_values_give_a_clear_message(
    searcher: Searcher, query: str, filters: dict[str, list[str]], message: str
) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        search(searcher, query, filters=filters)


def test_limits_are_errors_not_slow_answers(searcher: Searcher) -> None:
    with pytest.raises(QueryError, match="limit"):
        search(searcher, "energy", limit=5000)
    with pytest.raises(QueryError, match="cursor"):
        search(searcher, "energy", limit=100, page=500)
    with pytest.raises(QueryError, match="sort"):
        search(searcher, "energy", sort="colour")
    with pytest.raises(QueryError, match="cursor"):
        search(searcher, "energy", cursor="not-a-cursor")


SORT_VALUES = {
    "start_date": lambda h: h.start_date,
    "end_date": lambda h: h.end_date,
    "eu_contribution": lambda h: h.eu_contribution_eur,
    "title": lambda h: fold(h.title or h.acronym or ""),
}


@pytest.mark.parametrize(
    "sort", ["start_date", "-start_date", "eu_contribution", "-eu_contribution", "title", "-title"]
)
def test_sorting_orders_hits_with_missing_values_last(searcher: Searcher, sort: str) -> None:
    result = search(searcher, "energy", sort=sort, limit=200)
    key = SORT_VALUES[sort.lstrip("-")]
    values = [key(h) for h in result.hits]
    present = [v for v in values if v not in (None, "")]
    assert present == sorted(present, reverse=sort.startswith("-"))
    assert values[: len(present)] == present  # missing values come after all present ones


def _query_with_hits(searcher: Searcher, low: int, high: int) -> str:
    for word in ("desalination", "groundwater", "irrigation", "wastewater", "aquifer", "drought"):
        if low < search(searcher, word, limit=0, facets=()).total <= high:
            return word
    raise AssertionError("no query with a suitable number of hits")


@pytest.mark.parametrize("sort", ["relevance", "start_date", "-eu_contribution", "title", "-end_date"])
def test_cursor_and_page_walks_match_one_big_page_exactly(searcher: Searcher, sort: str) -> None:
    query = _query_with_hits(searcher, 20, 200)
    whole = search(searcher, query, sort=sort, limit=200, facets=())
    expected = [h.id for h in whole.hits]
    walked, cursor = [], None
    while True:
        page = search(searcher, query, sort=sort, limit=7, cursor=cursor, facets=())
        walked += [h.id for h in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert walked == expected
    pages = (search(searcher, query, sort=sort, limit=7, page=n, facets=()) for n in range(1, 40))
    paged = [h.id for page in pages for h in page.hits]
    assert paged == expected


def test_snippets_highlight_the_query_and_are_html_safe(searcher: Searcher) -> None:
    result = search(searcher, "hydrogen", limit=20)
    for hit in result.hits:
        if hit.snippet is None:
            continue
        assert "<b>" in hit.snippet or "hydrogen" in (hit.title or "").lower()
        stripped = hit.snippet.replace("<b>", "").replace("</b>", "")
        assert "<" not in stripped and ">" not in stripped


@sqlite_only  # counts the statements through SQLite's trace callback
def test_a_page_of_hits_is_hydrated_in_one_query(searcher: Searcher, store: Store) -> None:
    db = store.db
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    result = search(searcher, "energy storage", limit=20)
    db.set_trace_callback(None)
    assert len(result.hits) == 20
    assert len(statements) == 1 and statements[0].startswith("SELECT id, data")


def test_similar_projects(searcher: Searcher) -> None:
    first = search(searcher, "spintronics", limit=1).hits[0]
    similar = searcher.more_like_this(first.id, limit=5)
    assert similar and first.id not in {h.id for h in similar}
    assert any("spin" in ((h.title or "") + (h.snippet or "")).lower() for h in similar)


def test_counts_with_two_selected_facets_ignore_only_their_own_selection(searcher: Searcher) -> None:
    filters = {"country": ["FI"], "period": ["2014-2020"]}
    facets = ("country", "period", "source", "status")
    result = search(searcher, "energy", limit=0, filters=filters, facets=facets, facet_size=5)
    for name in facets:
        for value in result.facets[name][:4]:
            alone = {**filters, name: [value.value]}
            expected = search(searcher, "energy", limit=0, filters=alone, facets=()).total
            assert value.count == expected, (name, value.value)


def test_a_grant_number_an_id_or_an_rcn_finds_its_project_first(searcher: Searcher, store: Store) -> None:
    projects = [p for p in store.iter_projects() if p.source == "cordis" and p.source_id.isdigit() and p.title]
    rcns = store.aliases_of([p.id for p in projects[:400]])
    checked = 0
    for project in random.Random(3).sample(projects, 20):
        for typed in (project.source_id, project.id, *rcns.get(project.id, [])):
            assert search(searcher, typed, limit=3).hits[0].id == project.id, typed
            checked += 1
    assert checked > 20


def test_a_pic_finds_the_projects_of_its_organisation(searcher: Searcher, store: Store) -> None:
    project = next(
        p for p in store.iter_projects() if sum("pic" in x.organisation.identifiers for x in p.participations) > 3
    )
    pic = next(p.organisation.identifiers["pic"] for p in project.participations if "pic" in p.organisation.identifiers)
    found = search(searcher, pic, limit=200)
    assert found.total >= 1 and project.id in {h.id for h in found.hits}
    assert found.total == search(searcher, filters={"org": [f"pic:{pic}"]}, limit=0).total
