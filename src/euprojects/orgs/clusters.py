"""Organisations as groups of mentions, joined one link at a time, never across two registrations.

A union-find whose groups remember the exclusive identifiers of their members (PIC, VAT, OIB,
Norwegian organisation number, and the marks a manual split leaves): two groups that hold different
values of one such kind are two bodies, so no name, however alike, joins them. Each mention keeps
how it was joined (method and confidence).
"""

from __future__ import annotations

from collections.abc import Iterable

from euprojects.orgs.identifiers import EXCLUSIVE

_KINDS = frozenset(EXCLUSIVE)


class Clusters:
    """Groups of mention ids with their exclusive identifiers and the links that made them."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.marks: dict[str, dict[str, frozenset[str]]] = {}
        self.links: dict[str, tuple[str, float]] = {}

    def add(self, mention_id: str, identifiers: dict[str, str], apart: Iterable[tuple[str, str]] = ()) -> None:
        """A mention with its identifiers; ``apart`` holds (split, side) marks of a manual split:
        mentions on different sides of one split never meet."""
        self.parent.setdefault(mention_id, mention_id)
        marks = {kind: frozenset({value}) for kind, value in identifiers.items() if kind in _KINDS}
        marks.update((split, frozenset({side})) for split, side in apart)
        self.marks[mention_id] = marks

    def find(self, mention_id: str) -> str:
        parent = self.parent
        root = mention_id
        while parent[root] != root:
            root = parent[root]
        while parent[mention_id] != root:  # path compression
            parent[mention_id], mention_id = root, parent[mention_id]
        return root

    def identified(self, mention_id: str) -> bool:
        marks = self.marks[self.find(mention_id)]
        return any(kind in marks for kind in EXCLUSIVE)

    def has(self, mention_id: str, kind: str) -> bool:
        return kind in self.marks[self.find(mention_id)]

    def conflict(self, a: str, b: str) -> bool:
        """Whether the groups of a and b hold different values of one exclusive kind."""
        ma, mb = self.marks[self.find(a)], self.marks[self.find(b)]
        if len(mb) < len(ma):
            ma, mb = mb, ma
        return any(kind in mb and mb[kind] != values for kind, values in ma.items())

    def union(self, a: str, b: str, method: str, confidence: float, forced: bool = False) -> bool:
        """Join the groups of a and b unless they conflict (a manual merge is ``forced``); the
        link is kept on each mention that had none."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not forced and self.conflict(ra, rb):
            return False
        merged = dict(self.marks[ra])
        for kind, values in self.marks[rb].items():
            merged[kind] = merged.get(kind, frozenset()) | values
        self.parent[rb] = ra
        self.marks[ra] = merged
        del self.marks[rb]
        for mention in (a, b):
            self.links.setdefault(mention, (method, confidence))
        return True

    def groups(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for mention in self.parent:
            found.setdefault(self.find(mention), []).append(mention)
        return found
