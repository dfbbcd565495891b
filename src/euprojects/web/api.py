"""The open API, version 1: JSON over GET, documented at /docs and /api/v1/openapi.json.

Parameters are typed (search parameters by :class:`~euprojects.web.params.SearchParams`, which
the search fields generate), so FastAPI validates them and writes them into the OpenAPI
document; each route declares its response envelope, whose schema msgspec generates.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from euprojects import limits
from euprojects.export import MEDIA_TYPES
from euprojects.fields import FACETS
from euprojects.index.build import status as index_status
from euprojects.model import Project
from euprojects.views import organisation_record, project_record, stats_record
from euprojects.web import exports
from euprojects.web.errors import ApiProblem
from euprojects.web.params import SearchParams, _Base, to_request
from euprojects.web.portal import Portal, PortalDep
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
from euprojects.web.stats import engine as stats_engine

router = APIRouter(prefix="/api/v1", tags=["api"])
RECORD_CACHE = "public, max-age=300"
REF = "#/components/schemas/{name}"
_encoder = msgspec.json.Encoder(decimal_format="string")
if TYPE_CHECKING:
    Search = _Base
else:  # FastAPI reads the generated model, with a query parameter per search field
    Search = Annotated[SearchParams, Query()]


# Which calls follow from an answer (OpenAPI links): a hit's project, a project's partner and its
# similar projects. Clients and schemathesis' stateful tests walk them.
LINKS: dict[str, dict[str, Any]] = {
    "SearchEnvelope": {
        "TheFirstHit": {"operationId": "getProject", "parameters": {"project_id": "$response.body#/data/hits/0/id"}},
        "LikeTheFirstHit": {
            "operationId": "getSimilar",
            "parameters": {"project_id": "$response.body#/data/hits/0/id"},
        },
    },
    "ProjectEnvelope": {
        "TheFirstPartner": {
            "operationId": "getOrganisation",
            "parameters": {"org_id": "$response.body#/data/participations/0/organisation/id"},
        },
        "SimilarProjects": {"operationId": "getSimilar", "parameters": {"project_id": "$response.body#/data/id"}},
    },
}


def answers(envelope: type | None, *statuses: int) -> dict[int | str, dict[str, Any]]:
    """The responses a route documents: its envelope (or a file download), its errors, and the
    calls that can follow it."""
    error = {"application/json": {"schema": {"$ref": REF.format(name="ErrorEnvelope")}}}
    if envelope is None:
        ok = {media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA_TYPES.values()}
    else:
        ok = {"application/json": {"schema": {"$ref": REF.format(name=envelope.__name__)}}}
    described = {
        301: "Moved: the organisation was merged into another; Location gives its address",
        304: "Not modified (the ETag matched)",
        400: "A parameter is invalid; the message says which and why",
        404: "Not found",
        429: "Too many exports at once; retry after the Retry-After header's seconds",
        503: "The request took too long",
    }
    found: dict[int | str, dict[str, Any]] = {200: {"description": "OK", "content": ok}}
    if envelope is not None and envelope.__name__ in LINKS:
        found[200]["links"] = LINKS[envelope.__name__]
    for status in (400, 503, *statuses):
        found[status] = {"description": described[status]}
        if status not in (301, 304):
            found[status]["content"] = error
    if 429 in found:
        retry = {"description": "Seconds to wait before asking again", "schema": {"type": "integer"}}
        found[429]["headers"] = {"Retry-After": retry}
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


@router.get(
    "/search",
    summary="Search projects",
    operation_id="searchProjects",
    response_class=Response,
    responses=answers(SearchEnvelope),
)
async def search(portal: PortalDep, params: Search) -> Response:
    """Ranked full-text search with filters, facets, sorting, pages or cursors and snippets."""
    result = await portal.run(portal.searcher.search, to_request(params))
    return json_response(SearchEnvelope(ok=True, data=result))


@router.get(
    "/projects/{project_id:path}",
    summary="One project",
    operation_id="getProject",
    response_class=Response,
    responses=answers(ProjectEnvelope, 304, 404),
)
async def project(request: Request, portal: PortalDep, project_id: str) -> Response:
    """Everything known about a project: partners, money, data-quality flags and sources. An id
    the project was also known by (a CORDIS record number, an ERC id joined to its grant) gives
    the project under its own id."""
    found = await portal.run(_project, portal, project_id)
    if found is None:
        raise ApiProblem(404, f"project_id: no project {project_id!r}", "project_id")
    return json_response(ProjectEnvelope(ok=True, data=project_record(found)), request, RECORD_CACHE)


def _project(portal: Portal, project_id: str) -> Project | None:
    """The project an id names, directly or as one of its aliases."""
    canonical = portal.store.resolve(project_id)
    return portal.store.project(canonical) if canonical else None


@router.get(
    "/similar/{project_id:path}",
    summary="Projects similar to one",
    operation_id="getSimilar",
    response_class=Response,
    responses=answers(SimilarEnvelope, 304, 404),
)
async def similar(request: Request, portal: PortalDep, project_id: str) -> Response:
    """Projects whose text most resembles this one's."""
    found = await portal.run(_project, portal, project_id)
    if found is None:
        raise ApiProblem(404, f"project_id: no project {project_id!r}", "project_id")
    hits = await portal.run(portal.searcher.more_like_this, found.id, 10)
    return json_response(SimilarEnvelope(ok=True, data=hits), request, RECORD_CACHE)


@router.get(
    "/organisations/{org_id:path}",
    summary="One organisation",
    operation_id="getOrganisation",
    response_class=Response,
    responses=answers(OrganisationEnvelope, 301, 304, 404),
)
async def organisation(request: Request, portal: PortalDep, org_id: str) -> Response:
    """An organisation with its projects, roles, EU contribution, frequent partners and the
    beneficiary totals publishers give for it."""
    record = await portal.run(organisation_record, portal.store, org_id)
    if record is None:
        raise ApiProblem(404, f"org_id: no organisation {org_id!r}", "org_id")
    if record.organisation.id != org_id:  # merged into another organisation: its address, for good
        return RedirectResponse(f"/api/v1{record.url}", status_code=301)
    return json_response(OrganisationEnvelope(ok=True, data=record), request, RECORD_CACHE)


@router.get(
    "/programmes",
    summary="Programmes with totals by period",
    operation_id="listProgrammes",
    response_class=Response,
    responses=answers(ProgrammesEnvelope, 304, 404),
)
async def programmes(
    request: Request, portal: PortalDep, name: Annotated[str | None, Query(max_length=500)] = None
) -> Response:
    """Every programme (or the one named) by period, with its number of projects and EU total."""
    found = await portal.run(portal.store.programmes, name)
    if name and not found:
        raise ApiProblem(404, f"name: no programme {name!r}", "name")
    return json_response(ProgrammesEnvelope(ok=True, data=found), request, RECORD_CACHE)


@router.get(
    "/facets/{name}",
    summary="All values of a facet",
    operation_id="getFacet",
    response_class=Response,
    responses=answers(FacetEnvelope, 404),
)
async def facet(
    portal: PortalDep,
    name: Annotated[str, Path(description="A facet", json_schema_extra={"enum": list(FACETS)})],
    params: Search,
) -> Response:
    """Values of one facet with their counts for a search (up to 500), to widen a facet list."""
    if name not in FACETS:
        raise ApiProblem(404, f"name: {name!r} is not a facet; facets: {', '.join(FACETS)}", "name")
    size = params.facet_size if "facet_size" in params.model_fields_set else limits.MAX_FACET_SIZE
    request = to_request(params, limit=0, facets=(name,), facet_size=size)
    result = await portal.run(portal.searcher.search, request)
    return json_response(FacetEnvelope(ok=True, data=FacetValues(name=name, values=result.facets[name])))


@router.get(
    "/stats",
    summary="What the portal holds",
    operation_id="getStats",
    response_class=Response,
    responses=answers(StatsEnvelope, 304),
)
async def stats(
    request: Request,
    portal: PortalDep,
    params: Search,
    statistics: Annotated[
        bool, Query(description="Add `statistics` for all the data (a query or filter adds them for the search)")
    ] = False,
    organisations: Annotated[bool, Query(description="Count distinct organisations (the costliest figure)")] = True,
) -> Response:
    """Counts of projects, participations, organisations and rejected rows, by source and fund, and
    whether the search index is in step with the store; under ``statistics`` (with a query, a
    filter or ``statistics=true``), the projects, EU
    contribution, participations and distinct organisations of all the data or of a search (the
    same query and filters as /search) by country, NUTS region, programme, fund, period, start
    year, status, organisation type, role and source, by start year stacked by source and fund,
    and the pairs of countries that share projects."""
    numbers = await portal.run(portal.store.stats)
    record = stats_record(numbers, await portal.run(index_status, portal.store, portal.settings.index_dir))
    searched = to_request(params, limit=0)
    if statistics or searched.query or searched.filters:
        compute = stats_engine(portal).compute
        record.statistics = await portal.run(compute, searched.query, searched.filters, organisations)
    return json_response(StatsEnvelope(ok=True, data=record), request, "public, max-age=60")


@router.get(
    "/export",
    summary="Export a whole result set",
    operation_id="exportProjects",
    response_class=Response,
    responses=answers(None, 429),
)
async def export(portal: PortalDep, params: Search, format: Literal["csv", "xlsx", "jsonl"] = "csv") -> Response:
    """Every project a search matches, streamed as CSV, XLSX or JSON Lines; no cap."""
    return await exports.response(portal, to_request(params, limit=0), format)
