"""The query behind "similar projects": a project's most telling words, weighed against the index.

Tantivy's own more-like-this query cannot serve here. It weighs each word by an idf whose
document count leaves out deleted documents while the word's document frequency still counts
them, and asserts that the one is never below the other; once an update has replaced or
withdrawn projects (a delete and an add each), a word common to most projects breaks that
assertion and the query panics (``58 >= 60``) until a merge purges the deleted documents. The
words are therefore chosen here, with a document count that can never fall below a frequency,
and searched as ordinary term queries, whose BM25 statistics count deleted documents on both
sides.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from functools import cache

import tantivy

from euprojects.index.schema import analyzers

# The stemmed index fields a project's words are looked up in, with the analyzer of each.
FIELD_ANALYZER = {"title": "en_stem", "summary": "en_stem", "themes": "en_stem"}
MIN_DOC_FREQUENCY = 2  # a word no other project has finds nothing similar
MAX_QUERY_TERMS = 30


def idf(doc_freq: int, doc_count: int) -> float:
    """BM25's inverse document frequency, with the count raised to the frequency when deleted
    documents still counted in the frequency would put it above the count of live ones."""
    doc_count = max(doc_count, doc_freq)
    return math.log(1.0 + (doc_count - doc_freq + 0.5) / (doc_freq + 0.5))


def weighed_terms(searcher: tantivy.Searcher, texts: Mapping[str, str]) -> list[tuple[float, str, str]]:
    """(weight, field, word) of the text's words that other projects share, best first: the
    word's count in the text times its idf, at most ``MAX_QUERY_TERMS`` of them."""
    analyzer_of = _analyzers()
    counts: Counter[tuple[str, str]] = Counter()
    for field, text in texts.items():
        counts.update((field, word) for word in analyzer_of[FIELD_ANALYZER[field]].analyze(text))
    weighed = []
    for (field, word), count in counts.items():
        doc_freq = searcher.doc_freq(field, word)
        if doc_freq >= MIN_DOC_FREQUENCY:
            weighed.append((count * idf(doc_freq, searcher.num_docs), field, word))
    weighed.sort(key=lambda item: (-item[0], item[1], item[2]))
    return weighed[:MAX_QUERY_TERMS]


@cache
def _analyzers() -> dict[str, tantivy.TextAnalyzer]:
    return analyzers()


def similar_query(searcher: tantivy.Searcher, schema: tantivy.Schema, texts: Mapping[str, str]) -> tantivy.Query | None:
    """Any of the telling words, each boosted by its weight relative to the best; None when the
    text has no word another project shares."""
    terms = weighed_terms(searcher, texts)
    if not terms:
        return None
    top = terms[0][0] or 1.0
    words = [
        tantivy.Query.boost_query(tantivy.Query.term_query(schema, field, word, index_option="freq"), weight / top)
        for weight, field, word in terms
    ]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, word) for word in words])
