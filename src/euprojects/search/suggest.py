"""Did you mean: a corrected query from the index's own words, asked only when a search finds
few projects, so ordinary searches pay nothing for it."""

from __future__ import annotations

import tantivy

from euprojects.normalise.places import fold

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


def correction(searcher: tantivy.Searcher, word: str) -> str | None:
    folded = fold(word)
    if len(folded) < 4 or not folded.isalpha():
        return None
    known = searcher.doc_freq(FIELD, folded)
    if known > RARE:
        return None
    limit = 1 if len(folded) <= 5 else 2
    # Most misspellings keep the first two letters; look wider only when that finds nothing.
    for prefix in (folded[:2], folded[:1]):
        best = _closest(searcher, folded, prefix, known, limit)
        if best:
            return best
    return None


def _closest(searcher: tantivy.Searcher, folded: str, prefix: str, known: int, limit: int) -> str | None:
    best: tuple[int, int, str] | None = None
    for term, freq in searcher.terms_with_prefix(FIELD, prefix, limit=MAX_CANDIDATES):
        if freq < max(1, known) * BETTER or term == folded:
            continue
        d = distance(folded, term, limit)
        if d <= limit and (best is None or (d, -freq) < (best[0], -best[1])):
            best = (d, freq, term)
    return best[2] if best else None


def suggest(searcher: tantivy.Searcher, words: list[str], query: str) -> str | None:
    """The query with each likely misspelt word replaced, or None when nothing would change."""
    corrected = query
    changed = False
    for word in words:
        replacement = correction(searcher, word)
        if replacement:
            corrected = corrected.replace(word, replacement, 1)
            changed = True
    return corrected if changed else None
