"""The open API, version 1: JSON over GET, documented at /docs and /api/v1/openapi.json."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import anyio
import msgspec
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from euprojects.index.build import status as index_status
from euprojects.search.facets import FACET_FIELDS, MAX_SIZE
from euprojects.web import exports
from euprojects.web.errors import ApiProblem
from euprojects.web.params import request_from
from euprojects.web.records import organisation_record, project_record, stats_record
from euprojects.web.schemas import (
    FacetEnvelope,
    FacetValues,
    OrganisationEnvelope,
    ProgrammesEnvelope,
    ProjectEnvelope,
    SearchEnvelope,
    SimilarEnvelope,
    StatsEnvelope,
)

router = APIRouter(prefix="/api/v1", tags=["api"])
REQUEST_SECONDS = 10.0
RECORD_CACHE = "public, max-age=300"
T = TypeVar("T")
_encoder = msgspec.json.Encoder(decimal_format="string")


def envelope(name: str, search_parameters: bool = False) -> dict[str, Any]:
    """OpenAPI hints read by web.openapi: the response envelope and the search parameters."""
    return {"x-envelope": name, "x-search-parameters": search_parameters}


async def bounded(function: Callable[..., T], *args: Any) -> T:
    """Run blocking work in a thread, giving up after REQUEST_SECONDS with a 503."""
    try:
        with anyio.fail_after(REQUEST_SECONDS):
            return await run_in_threadpool(function, *args)
    except TimeoutError:
        raise ApiProblem(503, f"the request took longer than {REQUEST_SECONDS:.0f} s; narrow the search") from None


def params(request: Request) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        found.setdefault(key, []).append(value)
    return found


def json_response(value: object, request: Request | None = None, cache: str | None = None) -> Response:
    body = _encoder.encode(value)
    headers = {}
    if cache and request is not None:
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        headers = {"ETag": etag, "Cache-Control": cache}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/search", summary="Search projects", openapi_extra=envelope("SearchEnvelope", True))
async def search(request: Request) -> Response:
    """Ranked full-text search with filters, facets, sorting, pages or cursors and snippets."""
    portal = request.app.state.portal
    search_request = request_from(params(request))
    result = await bounded(portal.searcher.search, search_request)
    return json_response(SearchEnvelope(ok=True, data=result))


@router.get("/projects/{project_id:path}", summary="One project", openapi_extra=envelope("ProjectEnvelope"))
async def project(request: Request, project_id: str) -> Response:
    """Everything known about a project: partners, money, data-quality flags and sources."""
    portal = request.app.state.portal
    found = await bounded(portal.store.project, project_id)
    if found is None:
        raise ApiProblem(404, f"project_id: no project {project_id!r}", "project_id")
    return json_response(ProjectEnvelope(ok=True, data=project_record(found)), request, RECORD_CACHE)


@router.get("/similar/{project_id:path}", summary="Projects similar to one", openapi_extra=envelope("SimilarEnvelope"))
async def similar(request: Request, project_id: str) -> Response:
    """Projects whose text most resembles this one's."""
    portal = request.app.state.portal
    if await bounded(portal.store.project, project_id) is None:
        raise ApiProblem(404, f"project_id: no project {project_id!r}", "project_id")
    hits = await bounded(portal.searcher.more_like_this, project_id, 10)
    return json_response(SimilarEnvelope(ok=True, data=hits), request, RECORD_CACHE)


@router.get("/organisations/{org_id:path}", summary="One organisation", openapi_extra=envelope("OrganisationEnvelope"))
async def organisation(request: Request, org_id: str) -> Response:
    """An organisation with its projects, roles, EU contribution and frequent partners."""
    portal = request.app.state.portal
    record = await bounded(organisation_record, portal.store, org_id)
    if record is None:
        raise ApiProblem(404, f"org_id: no organisation {org_id!r}", "org_id")
    return json_response(OrganisationEnvelope(ok=True, data=record), request, RECORD_CACHE)


@router.get("/programmes", summary="Programmes with totals by period", openapi_extra=envelope("ProgrammesEnvelope"))
async def programmes(request: Request, name: str | None = None) -> Response:
    """Every programme (or the one named) by period, with its number of projects and EU total."""
    portal = request.app.state.portal
    found = await bounded(portal.store.programmes, name)
    if name and not found:
        raise ApiProblem(404, f"name: no programme {name!r}", "name")
    return json_response(ProgrammesEnvelope(ok=True, data=found), request, RECORD_CACHE)


@router.get("/facets/{name}", summary="All values of a facet", openapi_extra=envelope("FacetEnvelope", True))
async def facet(request: Request, name: str) -> Response:
    """Values of one facet with their counts for a search (up to 500), to widen a facet list."""
    portal = request.app.state.portal
    if name not in FACET_FIELDS:
        raise ApiProblem(404, f"name: {name!r} is not a facet; facets: {', '.join(FACET_FIELDS)}", "name")
    given = params(request)
    given["facet"] = [name]
    given.setdefault("facet_size", [str(MAX_SIZE)])
    result = await bounded(portal.searcher.search, request_from(given, limit=0))
    return json_response(FacetEnvelope(ok=True, data=FacetValues(name=name, values=result.facets[name])))


@router.get("/stats", summary="What the portal holds", openapi_extra=envelope("StatsEnvelope"))
async def stats(request: Request) -> Response:
    """Counts of projects, participations, organisations and rejected rows, by source and fund, and
    whether the search index is in step with the store."""
    portal = request.app.state.portal
    numbers = await bounded(portal.store.stats)
    record = stats_record(numbers, await bounded(index_status, portal.store, portal.settings.index_dir))
    return json_response(StatsEnvelope(ok=True, data=record), request, "public, max-age=60")


@router.get("/export", summary="Export a whole result set", openapi_extra=envelope("export", True))
async def export(request: Request, format: Literal["csv", "xlsx", "jsonl"] = "csv") -> Response:
    """Every project a search matches, streamed as CSV, XLSX or JSON Lines; no cap."""
    portal = request.app.state.portal
    return await exports.response(portal, params(request), format)
