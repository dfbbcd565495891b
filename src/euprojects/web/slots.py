"""A fixed number of places for heavy work in one process.

A whole-store export keeps a core busy for many seconds; without a limit a handful of them
would take every core from searches. Places are taken and given back on the event loop only,
so a plain counter is enough.
"""

from __future__ import annotations


class Slots:
    """At most ``limit`` holders at once; ``active`` is how many there are now."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0

    def take(self) -> Slot | None:
        """A place, or None when all are taken."""
        if self.active >= self.limit:
            return None
        self.active += 1
        return Slot(self)


class Slot:
    """One place taken. Releasing it again does nothing, so every way the work can end (done,
    failed, abandoned by its client) may release it without counting it twice."""

    def __init__(self, slots: Slots) -> None:
        self._slots: Slots | None = slots

    def release(self) -> None:
        if self._slots is not None:
            self._slots.active -= 1
            self._slots = None
