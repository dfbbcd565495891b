"""The index schema and its text analyzers.

Text is indexed twice: stemmed (English for every document, plus the document's own language
where Tantivy has a stemmer, or lemmatised in Python where it has none: Polish, Croatian) for
ranking and phrases, and folded but unstemmed in ``plain`` for prefix queries — the Porter
stemmer turns "cooperation" into "cooper", so ``cooperat*`` can only match the raw word — and
for exact words.
"""

from __future__ import annotations

import tantivy

from euprojects.fields import FIELDS
from euprojects.index.lemmas import LEMMATISED
from euprojects.stats.document import FIELDS as STATS_FIELDS

SCHEMA_VERSION = 6  # 5: withdrawn projects indexed, with their flag; 6: statistics fields

# Languages of the data whose text gets its own stemmed field, by ISO 639-1 code.
STEMMERS = {"da": "danish", "el": "greek", "fi": "finnish", "de": "german"}
# Each language's own field (text_<code>) and the analyzer of its words: Tantivy's stemmer, or
# for the lemmatised languages (index/lemmas.py: the words arrive as lemmas) folding alone.
LANGUAGE_ANALYZER = {code: f"{code}_stem" for code in STEMMERS} | {code: "folded" for code in LEMMATISED}
# The language of each source's free text, where it is not English.
SOURCE_LANGUAGE = {"os-dk": "da", "os-el": "el", "os-fi": "fi", "os-at": "de", "os-hr": "hr", "os-pl": "pl"}

TEXT_FIELDS = ("title", "acronym", "summary", "results", "orgs", "themes", "programme_text")
# Beside the filters and facets that fields.FIELDS declares (each adds its own index field):
# ids: every id a project is known by (its own, its aliases, each without its source, its
# partners' PICs), lower-cased, so a typed grant number, rcn or PIC finds it; the statistics
# fields (stats/document.py).
KEYWORD_FIELDS = ("title_sort_a", "title_sort_d", "ids", *STATS_FIELDS)
INTEGER_FIELDS = ("start_date", "end_date", "partner_count")
# Sort keys: the value, then the project's stable number, so every key is unique and a page
# cursor can say exactly where the last page ended. Missing values sort last both ways.
SORT_KEYS = ("start_date", "end_date", "eu_contribution", "budget")
SORT_FIELDS = tuple(f"sort_{key}_{way}" for key in SORT_KEYS for way in ("a", "d"))
MAX_TOKEN = 40


def _analyzer(stemmer: str | None) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stemmer:
        builder = builder.filter(tantivy.Filter.stemmer(stemmer))
    return builder.build()


def analyzers() -> dict[str, tantivy.TextAnalyzer]:
    """Tokenizer name → analyzer; register them on every Index object opened."""
    found = {"en_stem": _analyzer("english"), "folded": _analyzer(None)}
    found.update({f"{code}_stem": _analyzer(name) for code, name in STEMMERS.items()})
    return found


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="en_stem")
    for code, analyzer in LANGUAGE_ANALYZER.items():
        builder.add_text_field(f"text_{code}", tokenizer_name=analyzer)
    builder.add_text_field("plain", tokenizer_name="folded", index_option="freq")
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    for name in INTEGER_FIELDS:
        builder.add_integer_field(name, indexed=True, fast=True)
    for name in SORT_FIELDS:
        builder.add_integer_field(name, indexed=True, fast=True)
    for name, stored_as in declared_fields().items():
        if stored_as == "keyword":
            builder.add_text_field(name, tokenizer_name="raw", fast=True)
        elif stored_as == "integer":
            builder.add_integer_field(name, indexed=True, fast=True)
        else:
            builder.add_float_field(name, indexed=True, fast=True)
    return builder.build()


def declared_fields() -> dict[str, str]:
    """Index fields of the declared filters and facets, by name, with their type; ``id`` is
    added apart (it is stored)."""
    return {f.index: f.kind.stored_as for f in FIELDS.values() if f.index != "id"}
