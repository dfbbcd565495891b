"""Snippets: an HTML-safe excerpt of where a query matched, with the matched words in <b>.

The text comes from the store (the index keeps no copies); Tantivy's snippet generator
escapes it, so a description containing markup shows as text.
"""

from __future__ import annotations

import html

import tantivy

SNIPPET_CHARS = 240


class Highlighter:
    def __init__(self, searcher: tantivy.Searcher, query: tantivy.Query | None, schema: tantivy.Schema) -> None:
        self.generators: dict[str, tantivy.SnippetGenerator] = {}
        if query is not None:
            for field in ("summary", "title", "results"):
                generator = tantivy.SnippetGenerator.create(searcher, query, schema, field)
                generator.set_max_num_chars(SNIPPET_CHARS)
                self.generators[field] = generator

    def snippet(self, texts: dict[str, str | None]) -> str | None:
        """The best excerpt among the fields, or the start of the summary when nothing matched."""
        for field, generator in self.generators.items():
            text = texts.get(field)
            if not text:
                continue
            snippet = generator.snippet_from_doc(tantivy.Document(**{field: text}))
            if snippet.highlighted():
                return str(snippet.to_html())
        return _opening(texts.get("summary"))


def _opening(text: str | None) -> str | None:
    if not text:
        return None
    if len(text) <= SNIPPET_CHARS:
        return html.escape(text)
    cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return html.escape(cut) + " …"
