"""Server-rendered pages: they work with JavaScript off and every search state is in the URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from euprojects.search import IndexMissing, QueryError
from euprojects.search.facets import FACET_FIELDS
from euprojects.search.filters import SPECS
from euprojects.search.sorting import SORTS
from euprojects.web import format as formatting
from euprojects.web import labels
from euprojects.web.links import safe_href
from euprojects.web.params import request_from, state, toggle, url
from euprojects.web.records import organisation_record, organisation_url, programme_url, project_url

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters.update(formatting.FILTERS, safe_href=safe_href)
templates.env.globals.update(
    project_url=project_url,
    organisation_url=organisation_url,
    programme_url=programme_url,
    facet_label=labels.facet_label,
    value_label=labels.value_label,
    amount=formatting.amount,
    untitled=formatting.untitled,
)
SORT_LABELS = {
    "relevance": "Relevance",
    "-start_date": "Newest start",
    "start_date": "Oldest start",
    "-end_date": "Latest end",
    "end_date": "Earliest end",
    "-eu_contribution": "Largest EU contribution",
    "eu_contribution": "Smallest EU contribution",
    "-budget": "Largest budget",
    "budget": "Smallest budget",
    "title": "Title A–Z",
    "-title": "Title Z–A",
}
RANGE_FILTERS = ("start_year", "end_year", "eu_contribution", "budget")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context, status_code=status)


def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", status=status, status_code=status, message=message)


def _params(request: Request) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        found.setdefault(key, []).append(value)
    return found


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request) -> Response:
    portal = request.app.state.portal
    given = _params(request)
    current = state(given)
    context: dict[str, Any] = {
        "q": (given.get("q") or [""])[-1],
        "state": current,
        "url": url,
        "toggle": toggle,
        "sorts": [(name, SORT_LABELS[name]) for name in SORTS],
        "ranges": {name: (given.get(name) or [""])[-1] for name in RANGE_FILTERS},
        "flags": {name: (given.get(name) or [""])[-1] for name in ("has_website", "has_partners")},
        "active": [(k, v) for k, v in current if k in SPECS and k not in RANGE_FILTERS],
        "export_query": urlencode(current),
    }
    try:
        search_request = request_from(given)
        result = await run_in_threadpool(portal.searcher.search, search_request)
    except QueryError as err:
        return render(request, "search.html", status=400, error=str(err), result=None, **context)
    except IndexMissing:
        return render(request, "search.html", status=503, error=None, missing=True, result=None, **context)
    context["sort"] = result.sort
    context["facet_names"] = [n for n in FACET_FIELDS if n in result.facets]
    return render(request, "search.html", result=result, error=None, **context)


@router.get("/projects/{project_id:path}", response_class=HTMLResponse)
async def project_page(request: Request, project_id: str) -> Response:
    portal = request.app.state.portal
    project = await run_in_threadpool(portal.store.project, project_id)
    if project is None:
        return error_page(request, 404, f"There is no project {project_id}.")
    try:
        similar = await run_in_threadpool(portal.searcher.more_like_this, project_id, 5)
    except IndexMissing:
        similar = []
    return render(request, "project.html", project=project, similar=similar, project_status=project.effective_status())


@router.get("/organisations/{org_id:path}", response_class=HTMLResponse)
async def organisation_page(request: Request, org_id: str) -> Response:
    portal = request.app.state.portal
    record = await run_in_threadpool(organisation_record, portal.store, org_id)
    if record is None:
        return error_page(request, 404, f"There is no organisation {org_id}.")
    countries = sorted({p.country for p in record.partners if p.country})
    return render(request, "organisation.html", record=record, org=record.organisation, partner_countries=countries)


@router.get("/programmes", response_class=HTMLResponse)
async def programmes_page(request: Request) -> Response:
    portal = request.app.state.portal
    found = await run_in_threadpool(portal.store.programmes, None)
    return render(request, "programmes.html", programmes=found)


@router.get("/programmes/{name:path}", response_class=HTMLResponse)
async def programme_page(request: Request, name: str) -> Response:
    portal = request.app.state.portal
    periods = await run_in_threadpool(portal.store.programmes, name)
    if not periods:
        return error_page(request, 404, f"There is no programme {name}.")
    search_request = request_from({"programme": [name], "sort": ["-start_date"], "facet": ["country", "status"]})
    try:
        result = await run_in_threadpool(portal.searcher.search, search_request)
    except IndexMissing:
        result = None
    totals = {
        "projects": sum(p.projects for p in periods),
        "eu": sum(p.eu_contribution_eur for p in periods),
    }
    return render(request, "programme.html", name=name, periods=periods, result=result, totals=totals)


@router.get("/favicon.ico")
async def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/about", response_class=HTMLResponse)
async def about_page(request: Request) -> Response:
    portal = request.app.state.portal
    stats = await run_in_threadpool(portal.store.stats)
    return render(request, "about.html", stats=stats)


@router.get("/docs", response_class=HTMLResponse)
async def api_docs_page(request: Request) -> Response:
    """Swagger UI from the portal's own static files, so the API docs work offline and under a
    policy that allows no inline script and no other origin."""
    return render(request, "api_docs.html", openapi_url=request.app.openapi_url)
