"""The ingest: files read into records (``reading``), stored as fragments by one writer
(``pipeline``), merged into projects (``merge``, ``materialise``) with their data-quality notes
(``quality``), and the search index brought in step — one library call, :func:`run`."""

from __future__ import annotations

from euprojects.ingest.materialise import materialise
from euprojects.ingest.pipeline import MAX_REMOVED_SHARE, IngestResult, catch_up, reindex, run
from euprojects.ingest.reading import FileReport, prepare
from euprojects.store.locking import StoreBusy

__all__ = [
    "MAX_REMOVED_SHARE",
    "FileReport",
    "IngestResult",
    "StoreBusy",
    "catch_up",
    "materialise",
    "prepare",
    "reindex",
    "run",
]
