"""From a parsed query to a Tantivy query.

Each word is analysed with the analyzer of every field it is looked for in, so stemming and
accent folding are exactly those of the index; for the Polish and Croatian fields the word is
first lemmatised as the indexed text was (index/lemmas.py). A word's matches in different fields combine
as a disjunction-max with field boosts (title and acronym above summary). Prefixes match the
unstemmed ``plain`` field, where "cooperation" is still "cooperation".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import tantivy

from euprojects.index.lemmas import LEMMATISED, lemmatise
from euprojects.index.schema import LANGUAGE_ANALYZER, analyzers
from euprojects.normalise.places import fold
from euprojects.search.query import Clause, ParsedQuery, Term

BOOSTS = {"title": 4.0, "acronym": 4.0, "orgs": 2.0, "themes": 1.5, "summary": 1.0, "results": 0.6}
LANGUAGE_BOOST = 0.9
PLAIN_BOOST = 0.3
PREFIX_BOOST = 0.5
TIE_BREAKER = 0.2
FIELD_ANALYZER = {name: "en_stem" for name in (*BOOSTS, "programme_text")} | {
    f"text_{code}": analyzer for code, analyzer in LANGUAGE_ANALYZER.items()
}
FIELD_ANALYZER["plain"] = "folded"
LEMMATISED_FIELDS = {f"text_{code}": code for code in LEMMATISED}
MAX_PREFIX_TERMS = 64
ID_BOOST = 50.0  # an id match outranks any text match
_CODE = re.compile(r"\d")


class Compiler:
    """Builds index queries for one schema; analyzers are created once and reused."""

    def __init__(self, schema: tantivy.Schema) -> None:
        self.schema = schema
        self.analyzers = analyzers()
        self._searcher: tantivy.Searcher | None = None

    def tokens(self, field: str, text: str) -> list[str]:
        language = LEMMATISED_FIELDS.get(field)
        if language:
            text = lemmatise(text, language)
        return list(self.analyzers[FIELD_ANALYZER[field]].analyze(text))

    def text_query(
        self, parsed: ParsedQuery, searcher: tantivy.Searcher | None = None, relaxed: bool = False
    ) -> tantivy.Query | None:
        """The query for the text part; None when the query has no text (match everything).

        With a searcher, prefixes are expanded into the index's own words so they rank by BM25.
        """
        self._searcher = searcher
        positive = [q for q in (self.clause(c) for c in parsed.positive) if q is not None]
        negative = [q for q in (self.clause(c) for c in parsed.clauses if c.negated) if q is not None]
        if not positive and not negative:
            return None
        occur = tantivy.Occur.Should if relaxed else tantivy.Occur.Must
        parts = [(occur, q) for q in positive] or [(tantivy.Occur.Must, tantivy.Query.all_query())]
        parts += [(tantivy.Occur.MustNot, q) for q in negative]
        return tantivy.Query.boolean_query(parts)

    def clause(self, clause: Clause) -> tantivy.Query | None:
        queries = [q for q in (self.term(t) for t in clause.terms) if q is not None]
        if not queries:
            return None
        if len(queries) == 1:
            return queries[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])

    def term(self, term: Term) -> tantivy.Query | None:
        if term.identifier:
            return self._id(term.text)
        if term.prefix:
            return self._prefix(term)
        fields = self._fields(term.scope)
        queries = []
        for field, boost in fields:
            query = self._phrase(field, term.text) if term.phrase else self._word(field, term.text)
            if query is not None:
                queries.append(tantivy.Query.boost_query(query, boost) if boost != 1.0 else query)
        if term.scope is None and not term.phrase and _CODE.search(term.text):
            # a grant number, a record number or a PIC typed alone finds what it names first
            queries.append(
                tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, "ids", term.text.lower()), ID_BOOST)
            )
        if not queries:
            return None
        return tantivy.Query.disjunction_max_query(queries, tie_breaker=TIE_BREAKER)

    def _id(self, text: str) -> tantivy.Query:
        return tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, "ids", text), ID_BOOST)

    def _fields(self, scope: str | None) -> list[tuple[str, float]]:
        if scope == "programme":
            return [("programme_text", 1.0)]
        if scope:
            return [(scope, BOOSTS.get(scope, 1.0))]
        fields = list(BOOSTS.items())
        fields += [(f"text_{code}", LANGUAGE_BOOST) for code in LANGUAGE_ANALYZER]
        fields.append(("plain", PLAIN_BOOST))
        return fields

    def _word(self, field: str, word: str) -> tantivy.Query | None:
        tokens = self.tokens(field, word)
        if not tokens or (field == "plain" and len(tokens) > 1):
            return None  # plain keeps no positions, so it cannot match a split word as a phrase
        if len(tokens) == 1:
            return tantivy.Query.term_query(self.schema, field, tokens[0])
        return self._token_phrase(field, tokens)

    def _phrase(self, field: str, text: str) -> tantivy.Query | None:
        tokens = [t for word in text.split() for t in self.tokens(field, word)]
        if not tokens or (field == "plain" and len(tokens) > 1):
            return None
        if len(tokens) == 1:
            return tantivy.Query.term_query(self.schema, field, tokens[0])
        return self._token_phrase(field, tokens)

    def _token_phrase(self, field: str, tokens: Sequence[str]) -> tantivy.Query:
        return tantivy.Query.phrase_query(self.schema, field, list(tokens))

    def _prefix(self, term: Term) -> tantivy.Query | None:
        folded = fold(term.text).replace(" ", "")
        if len(folded) < 2:
            return None
        field = "plain" if term.scope is None else ("programme_text" if term.scope == "programme" else term.scope)
        pattern = re.escape(folded) + ".*"
        query = tantivy.Query.boost_query(tantivy.Query.regex_query(self.schema, field, pattern), PREFIX_BOOST)
        if self._searcher is None:
            return query
        words = self._searcher.terms_with_prefix(field, folded, limit=MAX_PREFIX_TERMS)
        ranked = [tantivy.Query.term_query(self.schema, field, word) for word, _ in words]
        if len(words) < MAX_PREFIX_TERMS:
            # every word with the prefix is listed: the regex would only match them again
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in ranked]) if ranked else None
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in (query, *ranked)])
