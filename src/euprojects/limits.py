"""How much one search may ask for: the numbers the engine enforces, the API documents and the
form shows, in one place."""

from __future__ import annotations

QUERY_CHARS = 1000  # a longer query is refused: nobody types more, and it would only cost time
PAGE_SIZE = 20  # hits per page when none is asked for
MAX_LIMIT = 200  # hits per page at most
MAX_DEPTH = 10_000  # results reachable by page numbers; deeper pages need a cursor
FACET_SIZE = 30  # values per facet when none is asked for
MAX_FACET_SIZE = 500  # values per facet at most
