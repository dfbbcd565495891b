"""The language a query is written in, told by the index itself.

A project's texts are in its source's language (index/schema.py SOURCE_LANGUAGE; English
otherwise). A word votes for the languages whose projects it matches — matched as the search
matches it, so ``opieka`` counts the Polish projects that say ``opieki`` — in proportion to the
share of each language's projects it is found in, so 107 Danish projects weigh as much as
100,000 English ones. A misspelt word matches nothing: it votes with the longest beginning it
shares with a word of the index (``vandforsyning`` → ``vandforbrugende``, Danish), since
misspellings mostly keep the start of a word. The query's language is the one with the most
votes; None when no word tells.

Why not the letters? Most queries are typed without any letter that only one language uses
(``vandforsyning``, ``opieka zdrowotna``), and a dictionary of every language to look words up
in would cost far more than a few look-ups in the index, which already knows each word's projects.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import tantivy

from euprojects.index.schema import SOURCE_LANGUAGE
from euprojects.normalise.places import fold
from euprojects.search.compile import Compiler
from euprojects.search.query import Term

ENGLISH = "en"
MIN_BEGINNING = 4  # a shorter shared beginning says little about a word's language
MAX_WORDS = 8
SOURCE_FIELD = "source"


def documents(schema: tantivy.Schema, language: str) -> tantivy.Query:
    """The projects whose texts are in ``language``."""
    own = [s for s, code in SOURCE_LANGUAGE.items() if code == language]
    if language != ENGLISH:
        return _any_source(schema, own)
    others = _any_source(schema, list(SOURCE_LANGUAGE))
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, others)]
    )


def _any_source(schema: tantivy.Schema, sources: Sequence[str]) -> tantivy.Query:
    terms = [tantivy.Query.term_query(schema, SOURCE_FIELD, source) for source in sources]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, term) for term in terms])


def query_language(searcher: tantivy.Searcher, compiler: Compiler, words: Sequence[str]) -> str | None:
    """The language most of the query's words are found in, or None when none is found."""
    sizes = _sizes(searcher, compiler.schema)
    votes: Counter[str] = Counter()
    for word in words[:MAX_WORDS]:
        shares = {code: count / sizes[code] for code, count in _found(searcher, compiler, word).items() if sizes[code]}
        total = sum(shares.values())
        votes.update({code: share / total for code, share in shares.items()})
    if not votes:
        return None
    return max(sorted(votes), key=lambda code: votes[code])


def _sizes(searcher: tantivy.Searcher, schema: tantivy.Schema) -> Counter[str]:
    """Live projects per language. Counted by a search, not from the term dictionary, whose
    frequencies still count the documents an update deleted until a merge purges them."""
    sizes = _counts(searcher, _any_source(schema, list(SOURCE_LANGUAGE)))
    sizes[ENGLISH] = searcher.num_docs - sum(sizes.values())
    return sizes


def _found(searcher: tantivy.Searcher, compiler: Compiler, word: str) -> Counter[str]:
    """Projects per language that match the word as the search matches it or, when none does,
    that hold a word beginning as it does for the longest stretch."""
    query = compiler.term(Term(word))
    found = _counts(searcher, query) if query is not None else Counter()
    if found:
        return found
    folded = fold(word).replace(" ", "")
    for end in range(len(folded), MIN_BEGINNING - 1, -1):
        if searcher.terms_with_prefix("plain", folded[:end], limit=1):
            beginning = re.escape(folded[:end]) + ".*"
            return _counts(searcher, tantivy.Query.regex_query(compiler.schema, "plain", beginning))
    return found


def _counts(searcher: tantivy.Searcher, query: tantivy.Query) -> Counter[str]:
    """Projects matching ``query``, per language."""
    found = searcher.aggregate(query, {"sources": {"terms": {"field": SOURCE_FIELD, "size": 1000}}})
    counts: Counter[str] = Counter()
    for bucket in found.get("sources", {}).get("buckets", []):
        counts[SOURCE_LANGUAGE.get(str(bucket["key"]), ENGLISH)] += int(bucket["doc_count"])
    return counts
