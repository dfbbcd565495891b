"""Getting the data from its publishers: `euprojects fetch` (catalogue, download, verify, run)."""

from __future__ import annotations

from euprojects.fetch.catalogue import SOURCES, Source, resolve
from euprojects.fetch.download import FetchError
from euprojects.fetch.run import FetchResult, fetch, known

__all__ = ["SOURCES", "FetchError", "FetchResult", "Source", "fetch", "known", "resolve"]
