"""Polish and Croatian words found in every form, and did-you-mean in the query's own language,
pinned on the real national lists of operations."""

from __future__ import annotations

import re

import pytest

from euprojects.model import Project
from euprojects.normalise.places import fold
from euprojects.search import Searcher, SearchRequest
from euprojects.search.language import query_language
from euprojects.search.query import parse
from euprojects.search.suggest import correction
from euprojects.store import Store

# A query word and every form of its lemma that the list's titles and descriptions hold (read
# from the files: bench/languages.py checks the same lists against them).
POLISH = {
    "zdrowie": "zdrowie zdrowia",
    "woda": "woda wody wód",
    "technologia": "technologia technologiach technologiami technologie technologii technologią technologię",
    "przedsiębiorstwo": "przedsiębiorstw przedsiębiorstwa przedsiębiorstwie przedsiębiorstwo",
    "samochód": "samochodu samochodów",
    "szkoła": "szkoły szkół",
    "budynek": "budynku budynków",
    "energia": "energii energią energię",
}
CROATIAN = {
    "škola": "škola školama škole školi školom školu",
    "bolnica": "bolnica bolnicama bolnice bolnici",
    "cesta": "cesta cestama ceste",
    "turizam": "turizam turizma turizmom turizmu",
    "otpad": "otpad otpada otpadom",
    "žena": "žena ženama žene ženi",
    "okoliš": "okoliš okoliša okolišu",
    "obrazovanje": "obrazovanja obrazovanje obrazovanjem obrazovanju",
}
CASES = [("os-pl", word, forms) for word, forms in POLISH.items()]
CASES += [("os-hr", word, forms) for word, forms in CROATIAN.items()]


def words(text: str | None) -> set[str]:
    return set(re.findall(r"[^\W_]+", (text or "").lower()))


def texts(project: Project) -> str:
    """What the project's own-language field is made of."""
    return "\n".join(filter(None, (project.title, project.summary, project.results)))


def everything(project: Project) -> str:
    """Every text the search looks in: its texts, acronym, themes and partners' names."""
    names = [p.organisation.name for p in project.participations]
    return "\n".join(filter(None, (texts(project), project.acronym, *project.themes, *names)))


def ids(searcher: Searcher, query: str) -> set[str]:
    """Every project a query finds (all its words matched, not the relaxed fallback)."""
    found: set[str] = set()
    for page in range(1, 50):
        result = searcher.search(SearchRequest(query=query, limit=200, page=page, facets=(), highlight=False))
        assert not result.relaxed
        found.update(hit.id for hit in result.hits)
        if len(found) >= result.total:
            return found
    raise AssertionError(f"{query} finds too many projects")


@pytest.mark.parametrize(("source", "word", "forms"), CASES, ids=[c[1] for c in CASES])
def test_each_form_of_a_word_finds_every_form_of_it(
    searcher: Searcher, store: Store, source: str, word: str, forms: str
) -> None:
    projects = {p.id: p for p in store.iter_projects() if p.source == source}
    holding = {i for i, p in projects.items() if words(texts(p)) & set(forms.split())}
    as_written = {i for i, p in projects.items() if word in words(texts(p))}
    assert holding - as_written, "the list holds other forms than the query's"
    for typed in {word, *forms.split()}:
        found = ids(searcher, f"{typed} source:{source}")
        assert holding <= found, typed
        # any other project found matches the word as it did before lemmas: in a partner's name,
        # or in English stemming ("energię" and "energy" both become "energi")
        english = set(searcher.compiler.tokens("title", typed))
        assert all(english <= set(searcher.compiler.tokens("title", everything(projects[i]))) for i in found - holding)


def test_a_phrase_matches_it_in_another_case(searcher: Searcher, store: Store) -> None:
    written = re.compile(r"\bsocijaln(?:a|e|oj|u) skrb(?:i)?\b")  # the forms in the list's texts
    holding = {p.id for p in store.iter_projects() if p.source == "os-hr" and written.search(texts(p).lower())}
    assert len(holding) >= 10
    assert holding <= ids(searcher, '"socijalna skrb" source:os-hr')


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("vandforsyning", "da"),
        ("kompetenceudviklnig", "da"),
        ("opieka zdrowotna", "pl"),
        ("školama", "hr"),
        ("ενεργεια", "el"),
        ("yrityksett", "fi"),
        ("photovoltiac cells", "en"),
        ("spintronicss", "en"),
    ],
)
def test_the_query_language_is_told_by_the_index(searcher: Searcher, query: str, language: str) -> None:
    assert query_language(searcher.index.searcher(), searcher.compiler, parse(query).words()) == language


def in_projects_of(store: Store, sources: set[str], word: str) -> bool:
    return any(fold(word) in fold(everything(p)).split() for p in store.iter_projects() if p.source in sources)


@pytest.mark.parametrize(
    ("query", "sources"),
    [("vandforsyning", {"os-dk"}), ("opieka zdrowotna", {"os-pl"})],
)
def test_did_you_mean_proposes_no_word_of_another_language(
    searcher: Searcher, store: Store, query: str, sources: set[str]
) -> None:
    # the whole index offers a word of another language: a Norwegian partner's name, a Croatian word
    foreign = correction(searcher.index.searcher(), query.split()[0])
    assert foreign and not in_projects_of(store, sources, foreign)
    suggestion = searcher.search(SearchRequest(query=query, limit=1)).suggestion
    assert suggestion is None or all(in_projects_of(store, sources, w) for w in suggestion.split())


@pytest.mark.parametrize(
    ("query", "sources", "meant"),
    [("kompetenceudviklnig", {"os-dk"}, "kompetenceudvikling"), ("tehnologja", {"os-hr"}, "tehnologija")],
)
def test_did_you_mean_still_corrects_within_a_language(
    searcher: Searcher, store: Store, query: str, sources: set[str], meant: str
) -> None:
    assert searcher.search(SearchRequest(query=query, limit=1)).suggestion == meant
    assert in_projects_of(store, sources, meant)
