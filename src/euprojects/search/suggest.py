"""Did you mean: a corrected query from the index's own words, asked only when a search finds
few projects, so ordinary searches pay nothing for it.

A replacement is a word of the query's own language (search/language.py): one that occurs in
that language's projects, so a Danish query is not offered a Norwegian partner's name, nor a
Polish one an English word. When no word of the query tells its language, any word may serve.
"""

from __future__ import annotations

from collections.abc import Callable

import tantivy

from euprojects.normalise.places import fold
from euprojects.search.compile import Compiler
from euprojects.search.language import documents, query_language

FIELD = "plain"
RARE = 2  # a word in at most this many projects may be a misspelling
BETTER = 10  # a replacement must be this many times more common
MAX_CANDIDATES = 20000


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def correction(searcher: tantivy.Searcher, word: str, accept: Callable[[str], bool] | None = None) -> str | None:
    """The word most likely meant by a rare one, among the index's words that ``accept`` allows."""
    folded = fold(word)
    if len(folded) < 4 or not folded.isalpha():
        return None
    known = searcher.doc_freq(FIELD, folded)
    if known > RARE:
        return None
    limit = 1 if len(folded) <= 5 else 2
    # Most misspellings keep the first two letters; look wider only when that finds nothing.
    for prefix in (folded[:2], folded[:1]):
        best = _closest(searcher, folded, prefix, known, limit, accept)
        if best:
            return best
    return None


def _closest(
    searcher: tantivy.Searcher,
    folded: str,
    prefix: str,
    known: int,
    limit: int,
    accept: Callable[[str], bool] | None,
) -> str | None:
    near: list[tuple[int, int, str]] = []
    for term, freq in searcher.terms_with_prefix(FIELD, prefix, limit=MAX_CANDIDATES):
        if freq < max(1, known) * BETTER or term == folded:
            continue
        d = distance(folded, term, limit)
        if d <= limit:
            near.append((d, -freq, term))
    # closest first, then the most common; only these few words are checked for their language
    return next((term for _, _, term in sorted(near) if accept is None or accept(term)), None)


def in_language(searcher: tantivy.Searcher, schema: tantivy.Schema, language: str) -> Callable[[str], bool]:
    """Whether a word of the index occurs in a project of ``language``."""
    projects = documents(schema, language)

    def occurs(term: str) -> bool:
        word = tantivy.Query.term_query(schema, FIELD, term)
        both = tantivy.Query.boolean_query([(tantivy.Occur.Must, word), (tantivy.Occur.Must, projects)])
        return bool(searcher.search(both, limit=1, count=True).count)  # type: ignore[attr-defined]

    return occurs


def suggest(searcher: tantivy.Searcher, compiler: Compiler, words: list[str], query: str) -> str | None:
    """The query with each likely misspelt word replaced by a word of the query's language, or
    None when nothing would change."""
    language = query_language(searcher, compiler, words)
    accept = in_language(searcher, compiler.schema, language) if language else None
    corrected = query
    changed = False
    for word in words:
        replacement = correction(searcher, word, accept)
        if replacement:
            corrected = corrected.replace(word, replacement, 1)
            changed = True
    return corrected if changed else None
