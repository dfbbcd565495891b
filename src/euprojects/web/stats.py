"""The statistics page (``/stats``) and its tables as CSV (``/stats/{table}.csv``).

Both take the search page's own query string, so a search's statistics are one link away from it
and back. Every chart on the page is drawn from the table under it (``static/stats.js``), and
every table can be downloaded as CSV, safe to open in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from euprojects.export import safe
from euprojects.fields import FIELDS, value_label
from euprojects.model import Project
from euprojects.search import IndexMissing, QueryError, Searcher
from euprojects.stats.compute import DIMENSIONS, STACKS, TIMELINE, Statistics, StatisticsEngine, stacked
from euprojects.store.base import OrganisationRole
from euprojects.web import format as formatting
from euprojects.web import maps
from euprojects.web.pages import error_page, render, templates
from euprojects.web.params import ParameterError, from_query, state, to_request
from euprojects.web.portal import Portal, PortalDep

router = APIRouter(include_in_schema=False)
_ENGINES: weakref.WeakKeyDictionary[Searcher, StatisticsEngine] = weakref.WeakKeyDictionary()
MEASURES = {
    "projects": "Projects",
    "participations": "Participations",
    "organisations": "Organisations",
    "eu_contribution_eur": "EU contribution (EUR)",
    "eu_per_project": "EU contribution per project (EUR)",
}
# The breakdowns the page charts, in order; the country and the years have their own sections.
CHARTED = (*(f.name for f in FIELDS.values() if f.statistics == "bars"), "role")
TABLES = (*DIMENSIONS, *(f"years-{stack}" for stack in STACKS), "links")


def engine(portal: Portal) -> StatisticsEngine:
    """The statistics engine of the portal's searcher (one per searcher, so one cache)."""
    searcher = portal.searcher
    found = _ENGINES.get(searcher)
    if found is None:
        found = _ENGINES[searcher] = StatisticsEngine(searcher)
        found.warm()
    return found


def statistics(portal: Portal, given: Mapping[str, Sequence[str]]) -> Statistics:
    """Statistics of the search the query string describes; QueryError or ParameterError if
    it describes none."""
    request = to_request(from_query(given), limit=0)
    return engine(portal).compute(request.query, request.filters)


def _given(request: Request) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if value.strip():
            found.setdefault(key, []).append(value)
    return found


@router.get("/stats", response_class=HTMLResponse)
async def stats_page(request: Request, portal: PortalDep) -> Response:
    given = _given(request)
    search_state = state(given)
    measure = (given.get("map") or ["projects"])[-1]
    if measure not in MEASURES:
        return error_page(request, 400, f"map: {measure!r} is not one of {', '.join(MEASURES)}")
    context: dict[str, Any] = {
        "query_string": urlencode(search_state),
        "active": [(k, v) for k, v in search_state if k in FIELDS],
        "q": (given.get("q") or [""])[-1],
    }
    try:
        found = await portal.run(statistics, portal, given)
    except (QueryError, ParameterError) as err:
        return render(request, "stats.html", status=400, error=str(err), stats=None, **context)
    except IndexMissing:
        return render(request, "stats.html", status=503, error="There is no search index yet.", stats=None, **context)
    return render(request, "stats.html", error=None, **context, **page_context(found, measure, search_state))


def page_context(found: Statistics, measure: str, search_state: list[tuple[str, str]]) -> dict[str, Any]:
    countries = found.by["country"]
    values = {row.value: _measure(row, measure) for row in countries}
    described = {
        row.value: f"{row.label}: {_shown(values[row.value], measure)} {MEASURES[measure].lower()}" for row in countries
    }
    areas, legend = maps.choropleth(values, described)
    on_map = maps.shapes()
    return {
        "stats": found,
        "measure": measure,
        "measures": MEASURES,
        "map_links": {name: urlencode([*search_state, ("map", name)]) for name in MEASURES},
        "areas": areas,
        "legend": [(colour, _shown(bound, measure)) for colour, bound in legend],
        "lines": maps.links((link.a, link.b, link.projects) for link in found.links),
        "places": maps.points(
            ((p.latitude, p.longitude, f"{p.projects:,} projects with a partner here") for p in found.places),
            cell=12.0,
            weights=(p.projects for p in found.places),
            unit="projects with a partner here (a project counts once per place)",
        ),
        "map_size": (maps.WIDTH, maps.height()),
        "off_map": [row for row in countries if row.value not in on_map],
        "regions": [row for row in found.by["nuts"] if len(row.value) == 4],
        "charted": [(name, DIMENSIONS[name].label, found.by[name]) for name in CHARTED],
        "years": {stack: stacked(found.over_time[stack], "projects") for stack in STACKS},
        "years_eu": {stack: stacked(found.over_time[stack], "eu_contribution_eur") for stack in STACKS},
        "stack_label": lambda stack, key: value_label(stack, key),
        "per_project": lambda row: _measure(row, "eu_per_project"),
        "euros": formatting.euros,
    }


def _measure(row: Any, measure: str) -> float:
    if measure == "eu_per_project":
        return (row.eu_contribution_eur or 0.0) / row.projects if row.projects else 0.0
    return float(getattr(row, measure) or 0)


def _shown(value: float, measure: str) -> str:
    if measure.startswith("eu"):
        return formatting.euros(value)
    return formatting.number(round(value))


@router.get("/stats/shapes.svg")
async def shapes() -> Response:
    """The country outlines every map on the portal places (see web/maps.py)."""
    return Response(maps.shapes_svg(), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/stats/{table}.csv")
async def stats_csv(request: Request, portal: PortalDep, table: str) -> Response:
    """One table of the statistics page as CSV, for the same search."""
    if table not in TABLES:
        return error_page(request, 404, f"There is no statistics table {table!r}; tables: {', '.join(TABLES)}.")
    found = await portal.run(statistics, portal, _given(request))
    body = "".join(_csv_lines(table_rows(found, table)))
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="euprojects-stats-{table}.csv"'},
    )


def table_rows(found: Statistics, table: str) -> list[list[Any]]:
    """A table of the statistics as rows, its header first."""
    if table == "links":
        return [["country_a", "country_b", "shared_projects"]] + [[x.a, x.b, x.projects] for x in found.links]
    if table.startswith("years-"):
        stack = table.removeprefix("years-")
        keys, _ = stacked(found.over_time[stack], "projects")
        header: list[Any] = [
            TIMELINE.name,
            *(f"projects_{k}" for k in keys),
            *(f"eu_contribution_eur_{k}" for k in keys),
        ]
        rows: list[list[Any]] = [
            [y.year, *(y.projects.get(k, 0) for k in keys), *(y.eu_contribution_eur.get(k, 0.0) for k in keys)]
            for y in found.over_time[stack]
        ]
        return [header, *rows]
    named: list[Any] = [table, "label", "projects", "eu_contribution_eur", "participations", "organisations"]
    return [named] + [
        [r.value, r.label, r.projects, r.eu_contribution_eur, r.participations, r.organisations]
        for r in found.by[table]
    ]


def _csv_lines(rows: list[list[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else safe(cell) for cell in row])
    yield buffer.getvalue()


def partner_map(project: Project) -> dict[str, Any]:
    """A small map of a project's partners: their countries shaded, and a point per partner
    whose coordinates the data gives (clustered where they crowd)."""
    countries = Counter(p.organisation.country for p in project.participations if p.organisation.country)
    described = {code: f"{formatting.country(code)}: {n} partner(s)" for code, n in countries.items()}
    areas, _ = maps.choropleth({code: 1.0 for code in countries}, described)
    located = [
        (p.organisation.latitude, p.organisation.longitude, p.organisation.name or p.organisation.id)
        for p in project.participations
        if p.organisation.latitude is not None and p.organisation.longitude is not None
    ]
    return {
        "areas": areas,
        "points": maps.points(located, cell=10.0),
        "size": (maps.WIDTH, maps.height()),
        "countries": countries.most_common(),
        "located": len(located),
    }


def organisation_years(projects: Sequence[OrganisationRole]) -> list[tuple[str, int, float]]:
    """An organisation's projects and the EU contribution it received, by start year (projects
    without a start date under "unknown")."""
    counts: Counter[str] = Counter()
    money: defaultdict[str, float] = defaultdict(float)
    for role in projects:
        year = role.start_date[:4] if role.start_date else "unknown"
        counts[year] += 1
        money[year] += role.eu_contribution_eur or 0.0
    return [(year, counts[year], round(money[year], 2)) for year in sorted(counts)]


templates.env.globals.update(partner_map=partner_map, organisation_years=organisation_years)
