"""Partner search and the collaboration network, as API routes and as pages.

Both read through the library (``orgs.partners``, ``orgs.network``); the page and the API take
the same typed parameters, so a page's address and its JSON differ only by the ``/api/v1``
prefix, and invalid input gets the same one-line message in both.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import msgspec
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from euprojects import limits
from euprojects.model import Project
from euprojects.normalise.places import country_code
from euprojects.orgs import network as networks
from euprojects.orgs.partners import MAX_LIMIT, PartnerQuery, PartnerResult, find_partners, require_topic, seed_query
from euprojects.search import IndexMissing, QueryError, SearchRequest
from euprojects.vocabulary import ORGANISATION_TYPES
from euprojects.web.api import answers, json_response
from euprojects.web.errors import ApiProblem
from euprojects.web.pages import render, templates
from euprojects.web.portal import Portal, PortalDep
from euprojects.web.schemas import NetworkEnvelope, PartnersEnvelope

api_router = APIRouter(prefix="/api/v1", tags=["api"])
page_router = APIRouter(include_in_schema=False)

Query_ = Annotated[str, Query(max_length=limits.QUERY_CHARS, description='Topic: words, "phrases", OR, -word')]
Countries = Annotated[list[str], Query(description="Organisation's country: ISO code or name; repeatable")]
Regions = Annotated[
    list[Annotated[str, Query(pattern=r"^[A-Za-z]{2}[0-9A-Za-z]{0,3}$")]],
    Query(description="Organisation's NUTS region or a parent of it, e.g. EL or EL30; repeatable"),
]
Types = Annotated[list[str], Query(description="Organisation type as the data gives it, e.g. HES, REC; repeatable")]
Programmes = Annotated[list[str], Query(description="Took part in a project of this programme; repeatable")]
Periods = Annotated[list[str], Query(description="Took part in a project of this period, e.g. 2014-2020; repeatable")]
HasLed = Annotated[bool, Query(description="Led or coordinated at least one project")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Organisations to return")]
Level = Annotated[Literal["organisations", "countries"] | None, Query(description="What the nodes are")]
NodeLimit = Annotated[int, Query(ge=2, le=networks.MAX_LIMIT, description="Nodes at most (those with most projects)")]
MAX_VALUES = 20


def network_json(network: networks.Network) -> Markup:
    """A network as JSON to sit in a ``<script type="application/json">`` block: ``<``, ``>`` and
    ``&`` escaped, so no name in the data can close the block or open markup."""
    text = msgspec.json.encode({"nodes": network.nodes, "edges": network.edges}).decode()
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def partner_search_url(project: Project) -> str | None:
    """Partner search seeded with a project: its themes or title words, and its programme."""
    words = seed_query(project.title, project.acronym, project.themes)
    if not words:
        return None
    params = [("q", words)] + ([("programme", project.programme)] if project.programme else [])
    return "/partners?" + urlencode(params)


templates.env.filters["network_json"] = network_json
templates.env.globals["partner_search_url"] = partner_search_url


def partner_query(
    q: str,
    country: list[str],
    nuts: list[str],
    org_type: list[str],
    has_led: bool,
    programme: list[str],
    period: list[str],
    limit: int,
) -> PartnerQuery:
    """The library's query, every value checked; raises ApiProblem naming the parameter."""
    try:
        require_topic(q)
    except QueryError as err:
        raise ApiProblem(400, str(err), "q") from None
    for name, values in (("country", country), ("nuts", nuts), ("org_type", org_type)):
        _check_count(name, values)
    for name, values in (("programme", programme), ("period", period)):
        _check_count(name, values)
        if any(len(v) > 500 for v in values):
            raise ApiProblem(400, f"{name}: at most 500 characters", name)
    return PartnerQuery(
        query=q,
        country=tuple(_country(c) for c in country if c.strip()),
        nuts=tuple(code.upper() for code in nuts if code.strip()),
        org_type=tuple(t.strip() for t in org_type if t.strip()),
        has_led=has_led,
        programme=tuple(p for p in programme if p.strip()),
        period=tuple(p for p in period if p.strip()),
        limit=limit,
    )


def _check_count(name: str, values: list[str]) -> None:
    if len(values) > MAX_VALUES:
        raise ApiProblem(400, f"{name}: at most {MAX_VALUES} values", name)
    if any(len(v) > 200 for v in values) and name != "programme":
        raise ApiProblem(400, f"{name}: at most 200 characters", name)


def _country(value: str) -> str:
    code = country_code(value)
    if code is None:
        raise ApiProblem(400, f"country: {value!r} is not a country code or name (e.g. FI, Finland)", "country")
    return code


async def _partners(portal: Portal, query: PartnerQuery) -> PartnerResult:
    try:
        return await portal.run(_find, portal, query)
    except IndexMissing as err:
        raise ApiProblem(503, str(err)) from None
    except QueryError as err:
        raise ApiProblem(400, str(err), "q") from None


def _find(portal: Portal, query: PartnerQuery) -> PartnerResult:
    return find_partners(portal.searcher, portal.store, query)


@api_router.get(
    "/partners",
    summary="Partner search",
    operation_id="searchPartners",
    response_class=Response,
    responses=answers(PartnersEnvelope),
)
async def partners_api(
    portal: PortalDep,
    q: Query_,
    country: Countries = [],  # noqa: B006 - FastAPI copies defaults
    nuts: Regions = [],  # noqa: B006
    org_type: Types = [],  # noqa: B006
    has_led: HasLed = False,
    programme: Programmes = [],  # noqa: B006
    period: Periods = [],  # noqa: B006
    limit: Limit = 20,
) -> Response:
    """Organisations ranked by how relevant their projects are to a topic, weighted by how recent
    the projects are and the organisation's role in them; each with the projects that earned its
    rank."""
    query = partner_query(q, country, nuts, org_type, has_led, programme, period, limit)
    return json_response(PartnersEnvelope(ok=True, data=await _partners(portal, query)))


@page_router.get("/partners", response_class=HTMLResponse)
async def partners_page(
    request: Request,
    portal: PortalDep,
    q: Query_ = "",
    country: Countries = [],  # noqa: B006
    nuts: Regions = [],  # noqa: B006
    org_type: Types = [],  # noqa: B006
    has_led: HasLed = False,
    programme: Programmes = [],  # noqa: B006
    period: Periods = [],  # noqa: B006
    limit: Limit = 20,
) -> Response:
    form = {
        "q": q,
        "country": ", ".join(country),
        "nuts": ", ".join(nuts),
        "org_type": org_type,
        "has_led": has_led,
        "programme": programme,
        "period": period,
    }
    programmes = await portal.run(portal.store.programmes, None)
    periods = sorted({p.period for p in programmes if p.period})
    context: dict[str, Any] = {"form": form, "periods": periods, "result": None, "error": None}
    context["organisation_types"] = ORGANISATION_TYPES
    context["programme_names"] = sorted({p.name for p in programmes})
    if not q.strip():
        return render(request, "partners.html", **context)
    split = [c.strip() for value in country for c in value.split(",") if c.strip()]
    regions = [c.strip() for value in nuts for c in value.split(",") if c.strip()]
    try:
        query = partner_query(q, split, regions, org_type, has_led, programme, period, limit)
        context["result"] = await _partners(portal, query)
    except ApiProblem as problem:
        return render(request, "partners.html", status=problem.status, **(context | {"error": problem.message}))
    context["network_url"] = "/network?" + urlencode({"q": q})
    return render(request, "partners.html", **context)


# --- the collaboration network --------------------------------------------------------------
async def _network(
    portal: Portal, org: str | None, country: str | None, q: str | None, level: str | None, limit: int
) -> networks.Network:
    given = [name for name, value in (("org", org), ("country", country), ("q", q)) if value]
    if len(given) != 1:
        raise ApiProblem(400, "org: give exactly one of org, country or q", "org")
    try:
        if org:
            if await portal.run(portal.store.organisation, org) is None:
                raise ApiProblem(404, f"org: no organisation {org!r}", "org")
            return await portal.run(networks.organisation_network, portal.store, org, level or "organisations", limit)
        if country:
            code = _country(country)
            return await portal.run(networks.country_network, portal.store, code, level or "countries", limit)
        request = SearchRequest(query=q or "")
        return await portal.run(_search_network, portal, request, level or "organisations", limit)
    except IndexMissing as err:
        raise ApiProblem(503, str(err)) from None
    except QueryError as err:
        raise ApiProblem(400, str(err), "q") from None


def _search_network(portal: Portal, request: SearchRequest, level: networks.Level, limit: int) -> networks.Network:
    return networks.search_network(portal.searcher, portal.store, request, level, limit)


Org = Annotated[str | None, Query(max_length=300, description="The network of an organisation's projects (its id)")]
Country = Annotated[str | None, Query(max_length=60, description="The network of a country's projects (code or name)")]
TOPIC_HELP = f"The network of a search's top {networks.SEARCH_PROJECTS} projects"
Topic = Annotated[str | None, Query(max_length=limits.QUERY_CHARS, description=TOPIC_HELP)]


@api_router.get(
    "/network",
    summary="Collaboration network",
    operation_id="getNetwork",
    response_class=Response,
    responses=answers(NetworkEnvelope, 404),
)
async def network_api(
    portal: PortalDep,
    org: Org = None,
    country: Country = None,
    q: Topic = None,
    level: Level = None,
    limit: NodeLimit = networks.DEFAULT_LIMIT,
) -> Response:
    """Who works with whom over an organisation's, a country's or a search's projects: nodes
    (organisations or countries) with their projects, edges weighted by shared projects, capped
    to the nodes with most projects."""
    found = await _network(portal, org, country, q, level, limit)
    return json_response(NetworkEnvelope(ok=True, data=found))


@page_router.get("/network", response_class=HTMLResponse)
async def network_page(
    request: Request,
    portal: PortalDep,
    org: Org = None,
    country: Country = None,
    q: Topic = None,
    level: Level = None,
    limit: NodeLimit = networks.DEFAULT_LIMIT,
) -> Response:
    chosen = {"org": org, "country": country, "q": q, "level": level, "limit": limit}
    if not (org or country or q):
        return render(request, "network.html", network=None, chosen=chosen, error=None)
    try:
        found = await _network(portal, org, country, q, level, limit)
    except ApiProblem as problem:
        error = problem.message
        return render(request, "network.html", status=problem.status, network=None, chosen=chosen, error=error)
    api = "/api/v1/network?" + urlencode({k: v for k, v in chosen.items() if v})
    labels = {node.id: node.label for node in found.nodes}
    return render(request, "network.html", network=found, chosen=chosen, error=None, api_url=api, labels=labels)
