"""Checks shared by the loaders' tests of a real file with one byte that is not UTF-8."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from euprojects.model import Record, Reject
from euprojects.sources.base import Item


def insert_byte(source: bytes, target: Path, offset: int, byte: bytes) -> int:
    """Write ``source`` with ``byte`` inserted at ``offset``; the line the byte lands on."""
    target.write_bytes(source[:offset] + byte + source[offset:])
    return 1 + source.count(b"\n", 0, offset)


def assert_only_the_damaged_row_is_lost(
    read: Callable[[Path], Iterable[Item]], intact: Path, broken: Path, line: int
) -> None:
    """The row holding the bad byte is rejected by its line; every other row reads as before,
    without mojibake."""
    before, after = list(read(intact)), list(read(broken))
    rejects = [item for item in after if isinstance(item, Reject) and "is not UTF-8" in item.reason]
    assert len(rejects) == 1, [r.reason for r in rejects]
    assert 0 <= line - rejects[0].line < 20  # the line its record starts on (values may hold line breaks)
    other_rejects = [item for item in after if isinstance(item, Reject) and item is not rejects[0]]
    assert len(other_rejects) == sum(isinstance(item, Reject) for item in before)
    records = [item for item in after if isinstance(item, Record)]
    earlier = [item for item in before if isinstance(item, Record)]
    assert len(earlier) - 1 <= len(records) <= len(earlier)
    # Every other row reads as it did: the file was not decoded in a legacy code page.
    assert {r.project.title for r in records} <= {r.project.title for r in earlier}
