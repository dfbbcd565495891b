"""Server-rendered pages: they work with JavaScript off and every search state is in the URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from euprojects import fields as search_fields
from euprojects import limits
from euprojects.fields import FACETS, FIELDS, SORTS
from euprojects.search import IndexMissing, QueryError, SearchRequest
from euprojects.views import (
    address_of,
    organisation_name,
    organisation_record,
    organisation_url,
    programme_url,
    project_url,
)
from euprojects.web import format as formatting
from euprojects.web.links import safe_href
from euprojects.web.params import ParameterError, from_query, state, to_request, toggle, url
from euprojects.web.portal import PortalDep, TooSlow
from euprojects.web.semantic_state import semantic_state

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.filters.update(formatting.FILTERS, safe_href=safe_href)
templates.env.globals.update(
    project_url=project_url,
    organisation_url=organisation_url,
    organisation_name=organisation_name,
    programme_url=programme_url,
    facet_label=search_fields.label,
    value_label=search_fields.value_label,
    amount=formatting.amount,
    query_chars=limits.QUERY_CHARS,
    untitled=formatting.untitled,
)
# The search form's "More filters": every declared field that asks for it, as a range or a flag.
FORM_FIELDS = [f for f in FIELDS.values() if f.form]


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
async def search_page(request: Request, portal: PortalDep) -> Response:
    given = _params(request)
    pairs = request.query_params.multi_items()
    if any(not value.strip() for _, value in pairs):
        # the form sends its empty fields; the address of a search names only what was chosen
        kept = [(key, value) for key, value in pairs if value.strip()]
        return RedirectResponse("/?" + urlencode(kept) if kept else "/", status_code=303)
    if set(given) == {"q"}:  # an id typed alone goes straight to its page
        target = await portal.run(address_of, portal.store, given["q"][-1])
        if target is not None:
            return RedirectResponse(target, status_code=302)
    current = state(given)
    query = (given.get("q") or [""])[-1]
    context: dict[str, Any] = {
        "q": query,
        # what the query searches for, as the heading and the tab's title say it: "+++" is nothing
        "shown_query": query if any(c.isalnum() for c in query) else "",
        "state": current,
        "url": url,
        "toggle": toggle,
        "sorts": [(s.name, s.label) for s in SORTS.values()],
        "form_fields": [(f, (given.get(f.name) or [""])[-1]) for f in FORM_FIELDS],
        "active": [(k, v) for k, v in current if k in FIELDS],
        "export_query": urlencode(current),
        "mode": (given.get("mode") or [""])[-1],
        "semantic": semantic_state(portal.searcher),
    }
    try:
        result = await portal.run(portal.searcher.search, to_request(from_query(given)))
    except (QueryError, ParameterError) as err:
        return render(request, "search.html", status=400, error=str(err), result=None, **context)
    except IndexMissing:
        return render(request, "search.html", status=503, error=None, missing=True, result=None, **context)
    context["sort"] = result.sort
    context["facet_names"] = [n for n in FACETS if n in result.facets]
    return render(request, "search.html", result=result, error=None, **context)


@router.get("/projects/{project_id:path}", response_class=HTMLResponse)
async def project_page(request: Request, portal: PortalDep, project_id: str) -> Response:
    canonical = await portal.run(portal.store.resolve, project_id)
    if canonical is None:
        return error_page(request, 404, f"There is no project {project_id}.")
    if canonical != project_id:  # an id the project was also known by: its own address, for good
        return RedirectResponse(project_url(canonical), status_code=301)
    project = await portal.run(portal.store.project, project_id)
    if project is None:
        return error_page(request, 404, f"There is no project {project_id}.")
    try:
        similar = await portal.run(portal.searcher.more_like_this, project_id, 5)
    except (IndexMissing, TooSlow):
        similar = []
    return render(request, "project.html", project=project, similar=similar, project_status=project.effective_status())


@router.get("/organisations/{org_id:path}", response_class=HTMLResponse)
async def organisation_page(request: Request, portal: PortalDep, org_id: str) -> Response:
    record = await portal.run(organisation_record, portal.store, org_id)
    if record is None:
        return error_page(request, 404, f"There is no organisation {org_id}.")
    if record.organisation.id != org_id:  # an id merged into another organisation: its address, for good
        return RedirectResponse(record.url, status_code=301)
    countries = sorted({p.country for p in record.partners if p.country})
    return render(request, "organisation.html", record=record, org=record.organisation, partner_countries=countries)


@router.get("/programmes", response_class=HTMLResponse)
async def programmes_page(request: Request, portal: PortalDep) -> Response:
    found = await portal.run(portal.store.programmes, None)
    return render(request, "programmes.html", programmes=found)


@router.get("/programmes/{name:path}", response_class=HTMLResponse)
async def programme_page(request: Request, portal: PortalDep, name: str) -> Response:
    periods = await portal.run(portal.store.programmes, name)
    if not periods:
        return error_page(request, 404, f"There is no programme {name}.")
    search_request = SearchRequest(filters={"programme": [name]}, sort="-start_date", facets=("country", "status"))
    try:
        result = await portal.run(portal.searcher.search, search_request)
    except (IndexMissing, TooSlow):
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
async def about_page(request: Request, portal: PortalDep) -> Response:
    stats = await portal.run(portal.store.stats)
    return render(request, "about.html", stats=stats)


@router.get("/docs", response_class=HTMLResponse)
async def api_docs_page(request: Request) -> Response:
    """Swagger UI from the portal's own static files, so the API docs work offline and under a
    policy that allows no inline script and no other origin."""
    return render(request, "api_docs.html", openapi_url=request.app.openapi_url)
