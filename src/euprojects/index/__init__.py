"""The search index: a Tantivy index derived from the store, rebuildable at any time."""

from euprojects.index.build import IndexState, open_index, rebuild, update

__all__ = ["IndexState", "open_index", "rebuild", "update"]
