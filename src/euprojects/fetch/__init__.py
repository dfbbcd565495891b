"""Getting the data from its publishers: `euprojects fetch` (catalogue, download, verify, run).

The download machinery needs the `fetch` extra (httpx, tenacity); it is imported on first use, so
that the command line, which registers the `fetch` command, works without it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from euprojects.fetch.catalogue import SOURCES, Source, resolve

_LAZY = {"FetchError": "download", "FetchResult": "run", "fetch": "run", "known": "run"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"euprojects.fetch.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SOURCES", "FetchError", "FetchResult", "Source", "fetch", "known", "resolve"]
