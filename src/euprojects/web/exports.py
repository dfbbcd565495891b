"""Exports over HTTP: whole result sets streamed a batch of projects at a time, a few at once.

Each chunk is made in a worker thread only when the previous one has been sent, so a slow client
holds back the work rather than letting it pile up in memory, and a client that goes away stops
it: Starlette cancels the sending when the connection drops, and the export is then closed
(its temporary files with it) and its slot given back.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import AsyncGenerator, Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field

import anyio
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from euprojects.export import MEDIA_TYPES, ExportInfo, csv_chunks, jsonl_chunks, xlsx_chunks
from euprojects.model import Project
from euprojects.search import SearchRequest
from euprojects.web.errors import ApiProblem
from euprojects.web.portal import Portal
from euprojects.web.slots import Slot

FORMATS = tuple(MEDIA_TYPES)
BATCH = 500
RETRY_SECONDS = 10
log = logging.getLogger("euprojects.web.exports")
Chunks = Generator[bytes, None, None]
WRITERS: dict[str, Callable[[Iterable[list[Project]], ExportInfo], Chunks]] = {
    "csv": csv_chunks,
    "jsonl": jsonl_chunks,
    "xlsx": xlsx_chunks,
}


@dataclass
class Progress:
    """How far an export got, for the line it logs when it ends."""

    fmt: str
    total: int
    projects: int = 0
    finished: bool = False
    started: float = field(default_factory=time.monotonic)

    def report(self, error: BaseException | None) -> None:
        seconds = time.monotonic() - self.started
        if self.finished:
            log.info("export %s: %d projects sent in %.1f s", self.fmt, self.projects, seconds)
        elif error is None:
            log.info(
                "export %s stopped after %d of %d projects (%.1f s): the client went away",
                self.fmt, self.projects, self.total, seconds,
            )  # fmt: skip
        else:
            log.warning("export %s failed after %d of %d projects: %r", self.fmt, self.projects, self.total, error)


def _batches(portal: Portal, ids: Iterator[list[str]], progress: Progress) -> Iterator[list[Project]]:
    for batch in ids:
        found = {p.id: p for p in portal.store.projects(batch)}
        progress.projects += len(found)
        yield [found[pid] for pid in batch if pid in found]


def _filename(extension: str) -> str:
    return f"euprojects-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.{extension}"


def _busy(limit: int) -> ApiProblem:
    return ApiProblem(
        429,
        f"this server already runs {limit} export(s) at once, its limit; retry in {RETRY_SECONDS} s",
        headers={"Retry-After": str(RETRY_SECONDS)},
    )


async def response(portal: Portal, request: SearchRequest, fmt: str) -> Response:
    """The export of a search, or a 429 when every export slot of this process is taken."""
    slot = portal.export_slots.take()
    if slot is None:
        raise _busy(portal.export_slots.limit)
    try:
        total, sort, ids = await run_in_threadpool(portal.searcher.matching_ids, request, BATCH)
    except BaseException:
        slot.release()
        raise
    info = ExportInfo(query=request.query, filters=request.filters, sort=sort, total=total)
    headers = {
        "Content-Disposition": f'attachment; filename="{_filename(fmt)}"',
        "X-Total-Count": str(total),
    }
    progress = Progress(fmt, total)
    chunks = WRITERS[fmt](_batches(portal, ids, progress), info)
    return ExportResponse(chunks, slot, progress, media_type=MEDIA_TYPES[fmt], headers=headers)


class ExportResponse(StreamingResponse):
    """Streams chunks made one at a time in a worker thread, and however the sending ends
    (finished, failed, client gone) closes the producer, releases the export's slot and logs
    how far it got."""

    def __init__(
        self, chunks: Chunks, slot: Slot, progress: Progress, media_type: str, headers: dict[str, str]
    ) -> None:
        self.chunks, self.slot, self.progress = chunks, slot, progress
        self.stream = self._pull()
        super().__init__(self.stream, media_type=media_type, headers=headers)

    async def _pull(self) -> AsyncGenerator[bytes, None]:
        while (chunk := await anyio.to_thread.run_sync(next, self.chunks, None)) is not None:
            if chunk:
                yield chunk
        self.progress.finished = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        error: BaseException | None = None
        try:
            await super().__call__(scope, receive, send)
        except BaseException as raised:
            error = None if isinstance(raised, ClientDisconnect) else raised
            raise
        finally:
            with anyio.CancelScope(shield=True):
                await self.stream.aclose()
                await anyio.to_thread.run_sync(self.chunks.close)
            self.slot.release()
            self.progress.report(error)
