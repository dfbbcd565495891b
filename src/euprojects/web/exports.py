"""Streaming exports over HTTP: whole result sets, a batch of projects at a time."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from euprojects.export import MEDIA_TYPES, ExportInfo, csv_chunks, jsonl_chunks, write_xlsx
from euprojects.model import Project
from euprojects.search import SearchRequest
from euprojects.web.portal import Portal

FORMATS = tuple(MEDIA_TYPES)
BATCH = 500


def _batches(portal: Portal, ids: Iterator[list[str]]) -> Iterator[list[Project]]:
    for batch in ids:
        found = {p.id: p for p in portal.store.projects(batch)}
        yield [found[pid] for pid in batch if pid in found]


def _filename(extension: str) -> str:
    return f"euprojects-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.{extension}"


async def response(portal: Portal, request: SearchRequest, fmt: str) -> Response:
    total, sort, ids = await run_in_threadpool(portal.searcher.matching_ids, request, BATCH)
    info = ExportInfo(query=request.query, filters=request.filters, sort=sort, total=total)
    headers = {
        "Content-Disposition": f'attachment; filename="{_filename(fmt)}"',
        "X-Total-Count": str(total),
    }
    batches = _batches(portal, ids)
    if fmt == "csv":
        return StreamingResponse(csv_chunks(batches, info), media_type=MEDIA_TYPES["csv"], headers=headers)
    if fmt == "jsonl":
        return StreamingResponse(jsonl_chunks(batches, info), media_type=MEDIA_TYPES["jsonl"], headers=headers)
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    await run_in_threadpool(write_xlsx, batches, info, path)
    return FileResponse(
        path, media_type=MEDIA_TYPES["xlsx"], headers=headers, background=BackgroundTask(path.unlink, missing_ok=True)
    )
