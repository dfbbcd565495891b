"""Polish and Croatian words reduced to their lemma, in Python, for the index and for queries.

Tantivy has no stemmer for either language, so a document's Polish or Croatian text is
lemmatised here before it is indexed (``zdrowia`` → ``zdrowie``, ``školama`` → ``škola``), and
a query's words are lemmatised the same way before its term queries are built: both sides meet
on the lemma. simplemma was chosen by ``bench/languages.py``: for query words of the real
national lists it finds 92 % (Polish) and 91 % (Croatian) of the rows holding some form of the
word, against 23 % and 38 % for the word as written, with almost no false matches; it is MIT
licensed and has no dependencies. Its ``low_memory`` dictionaries cost some 57 MB instead of
410 MB in every process that indexes or searches.
"""

from __future__ import annotations

import functools
import re
import threading

from simplemma import Lemmatizer
from simplemma.strategies import DefaultStrategy

# ISO 639-1 code → simplemma's dictionary (Croatian is in its Serbo-Croatian one)
LEMMATISED = {"pl": "pl", "hr": "hbs"}
MAX_WORD = 40  # longer tokens are dropped by the index's analyzers: not worth a look-up
# The words as Tantivy's simple tokenizer splits them: runs of letters and digits.
_WORD = re.compile(r"[^\W_]+")
_LOADING = threading.Lock()


@functools.cache
def _shared() -> Lemmatizer:
    return Lemmatizer(lemmatization_strategy=DefaultStrategy(low_memory=True))


@functools.cache
def _loaded(language: str) -> Lemmatizer:
    # simplemma reads a language's dictionary at its first word (Polish: about 1.5 s of CPU in
    # each process that meets a Polish text): read it here, once, so that a search never waits
    # on a half-read dictionary. simplemma keeps a cache of the words it has seen, which titles
    # and descriptions repeat.
    lemmatizer = _shared()
    lemmatizer.lemmatize("a", lang=LEMMATISED[language])
    return lemmatizer


def _lemmatizer(language: str) -> Lemmatizer:
    with _LOADING:
        return _loaded(language)


def lemma(word: str, language: str) -> str:
    """The lemma of one lower-cased word; a word the dictionary does not know stays as it is."""
    if len(word) > MAX_WORD or word.isdigit():
        return word
    return _lemmatizer(language).lemmatize(word, lang=LEMMATISED[language]).lower()


def lemmatise(text: str, language: str) -> str:
    """Each word of ``text`` replaced by its lemma, one space between them: the index then
    folds case and accents as for any other text, and positions (phrases) are kept."""
    return " ".join(lemma(word, language) for word in _WORD.findall(text.lower()))


def warm_in_background() -> threading.Thread:
    """Read the dictionaries now, beside other work, rather than in the first search: every
    query's words are looked up in the Polish and Croatian fields too."""
    thread = threading.Thread(target=_warm, name="lemma-dictionaries", daemon=True)
    thread.start()
    return thread


def _warm() -> None:
    for language in LEMMATISED:
        _lemmatizer(language)
