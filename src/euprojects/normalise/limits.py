"""How long a text may be when it enters the store, and how a longer one is cut.

One line of a source file can be hundreds of megabytes (a broken export, a hostile file).
Stored whole it would be a row of that size, held in memory on every read, indexed and
printed back by ``euprojects rejects``. The limits are far above what the real data holds
(measured over all of it: the longest summary is 19,503 characters, an Interreg North Sea
page text; the longest other text 3,989, a CORDIS deliverable description; the longest
rejected row 350), so no real value is cut.
"""

from __future__ import annotations

import re

LONG_TEXT_LIMIT = 100_000  # a project's summary and results
TEXT_LIMIT = 10_000  # every other text of a record: titles, names, streets, raw values, flags
REJECT_LIMIT = 2_000  # a rejected row's published text and the reason that quotes it
LINE_LIMIT = 10_000_000  # one line of a delimited file, and one field; longer ones are not read
LONG_TEXTS = frozenset({"summary", "results"})
_NOTE = re.compile(r"… \[cut at [\d,]+ of [\d,]+ characters\]\Z")


def limit_for(field: str) -> int:
    return LONG_TEXT_LIMIT if field in LONG_TEXTS else TEXT_LIMIT


def cut_note(limit: int, length: int) -> str:
    """What a cut text says of itself: ``… [cut at 2,000 of 209,715,200 characters]``."""
    return f"… [cut at {limit:,} of {length:,} characters]"


def shortened(text: str, limit: int, length: int | None = None) -> str:
    """The text, or its first ``limit`` characters and a note of the cut when it is longer.

    ``length`` is the length of the published text when ``text`` is already only its start.
    A text cut before (a line too long to be read whole) keeps its note and is not cut again.
    """
    length = len(text) if length is None else length
    if length <= limit or is_cut(text, limit):
        return text
    return text[:limit] + cut_note(limit, length)


def is_cut(text: str, limit: int) -> bool:
    """True for a text already cut at ``limit`` or less, its note at the end."""
    note = _NOTE.search(text, max(0, len(text) - 80))
    return note is not None and note.start() <= limit
