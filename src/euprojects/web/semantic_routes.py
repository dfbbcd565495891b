"""Routes of semantic search: similar projects by id, and "find partners for my idea" as a page
and in the API. The search modes themselves go through the ordinary search routes (``mode=``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from euprojects.errors import QueryError
from euprojects.search import IndexMissing
from euprojects.semantic.encoder import NOT_INSTALLED
from euprojects.semantic.partners import IDEA_CHARS, find_partners
from euprojects.semantic.search import SemanticSearcher
from euprojects.web.api import answers, json_response
from euprojects.web.errors import ApiProblem
from euprojects.web.portal import Portal, PortalDep
from euprojects.web.schemas import IdeaEnvelope, SimilarEnvelope

api_router = APIRouter(prefix="/api/v1", tags=["api"])
page_router = APIRouter(include_in_schema=False)
RECORD_CACHE = "public, max-age=300"


def _searcher(portal: Portal) -> SemanticSearcher:
    searcher = portal.searcher
    if not isinstance(searcher, SemanticSearcher):
        raise QueryError(NOT_INSTALLED)
    return searcher


@api_router.get(
    "/projects/{project_id:path}/similar",
    summary="Projects similar in meaning to one",
    operation_id="getProjectSimilar",
    response_class=Response,
    responses=answers(SimilarEnvelope, 304, 404),
)
async def similar(
    request: Request,
    portal: PortalDep,
    project_id: str,
    limit: Annotated[int, Query(ge=1, le=50, description="How many")] = 10,
) -> Response:
    """The projects closest in meaning to this one (by their embeddings; by shared words while
    semantic search is not installed or not ready)."""
    canonical = await portal.run(portal.store.resolve, project_id)
    if canonical is None:
        raise ApiProblem(404, f"project_id: no project {project_id!r}", "project_id")
    hits = await portal.run(portal.searcher.more_like_this, canonical, limit)
    return json_response(SimilarEnvelope(ok=True, data=hits), request, RECORD_CACHE)


Idea = Annotated[str, Query(max_length=IDEA_CHARS, description="The planned project, described in a paragraph")]
Countries = Annotated[list[str], Query(description="Partners of these countries (ISO code or name)")]
Programmes = Annotated[list[str], Query(description="Projects of these programmes")]


@api_router.get(
    "/ideas",
    summary="Find partners for an idea",
    operation_id="findPartnersForIdea",
    response_class=Response,
    responses=answers(IdeaEnvelope),
)
async def partners(
    portal: PortalDep,
    idea: Idea,
    country: Countries = [],  # noqa: B006  (FastAPI copies defaults)
    programme: Programmes = [],  # noqa: B006
) -> Response:
    """The projects closest in meaning to a described idea, and the organisations whose projects
    are closest to it, optionally only partners of some countries and projects of some programmes."""
    result = await portal.run(find_partners, _searcher(portal), idea, country, programme)
    return json_response(IdeaEnvelope(ok=True, data=result))


@page_router.get("/ideas", response_class=HTMLResponse)
async def partners_page(request: Request, portal: PortalDep) -> Response:
    from euprojects.web.pages import render

    idea = request.query_params.get("idea", "")
    countries = [c for c in request.query_params.getlist("country") if c.strip()]
    programmes = [p for p in request.query_params.getlist("programme") if p.strip()]

    def page(status: int = 200, **shown: object) -> Response:
        context = {"idea": idea, "countries": countries, "programmes": programmes, "idea_chars": IDEA_CHARS}
        context |= {"result": None, "error": None, "unavailable": None} | shown
        return render(request, "ideas.html", status, **context)

    searcher = portal.searcher
    if not isinstance(searcher, SemanticSearcher) or not searcher.installed:
        return page(unavailable=NOT_INSTALLED)
    if not idea.strip():
        return page()
    try:
        result = await portal.run(find_partners, searcher, idea, countries, programmes)
    except (QueryError, IndexMissing) as err:
        return page(400, error=str(err))
    return page(result=result)
