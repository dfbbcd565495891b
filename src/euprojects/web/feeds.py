"""What changed: `/api/v1/changes?since=…` (JSON), `/changes.atom`, and a saved search's own feed,
`/search.atom?<the search's parameters>`, of the new, changed and withdrawn projects it matches.

All three read the store's change log: each project's latest change and its time. A project is
*new* when it was first seen after ``since``, *withdrawn* when its sources no longer list it,
*removed* when its id is gone (merged into another project), else *changed*.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Annotated
from urllib.parse import urlencode

import msgspec
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from euprojects.model import Project
from euprojects.search import IndexMissing
from euprojects.store.base import ChangedProject
from euprojects.views import project_url
from euprojects.web.api import answers
from euprojects.web.errors import ApiProblem
from euprojects.web.params import from_query, to_request
from euprojects.web.portal import Portal, PortalDep
from euprojects.web.schemas import Change, ChangesEnvelope, ChangesPage, Kind

router = APIRouter()
FEED_DAYS = 30  # a feed without `since` covers this many days
FEED_ENTRIES = 100
CHANGES_LIMIT = 1000
ATOM = "http://www.w3.org/2005/Atom"


def parse_since(value: str | None) -> dt.datetime:
    """An ISO date or date-time (UTC unless it says otherwise); default: FEED_DAYS ago."""
    if value is None or not value.strip():
        return dt.datetime.now(dt.UTC) - dt.timedelta(days=FEED_DAYS)
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ApiProblem(
            400, f"since: {value!r} is not an ISO date or date-time (e.g. 2026-12-01 or 2026-12-01T08:00:00Z)", "since"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def changes(portal: Portal, since: dt.datetime, limit: int) -> list[Change]:
    logged = portal.store.changed_since(since, limit)
    projects = {p.id: p for p in portal.store.projects([c.project_id for c in logged if not c.deleted])}
    return [_change(entry, projects.get(entry.project_id), since) for entry in logged]


def _change(entry: ChangedProject, project: Project | None, since: dt.datetime) -> Change:
    if project is None:
        return Change(id=entry.project_id, change="removed", changed=entry.changed)
    kind: Kind = "changed"
    if project.withdrawn is not None:
        kind = "withdrawn"
    elif entry.first_seen is not None and entry.first_seen > since:
        kind = "new"
    return Change(
        id=entry.project_id,
        change=kind,
        changed=entry.changed,
        url=project_url(entry.project_id),
        title=project.title or project.label,
        acronym=project.acronym,
        source=project.source,
        first_seen=entry.first_seen,
        withdrawn=project.withdrawn,
    )


@router.get(
    "/api/v1/changes",
    summary="What changed since a time",
    operation_id="listChanges",
    response_class=Response,
    responses=answers(ChangesEnvelope),
)
async def changes_api(
    portal: PortalDep,
    since: Annotated[str | None, Query(description="ISO date or date-time; default 30 days ago")] = None,
    limit: Annotated[int, Query(ge=1, le=CHANGES_LIMIT)] = CHANGES_LIMIT,
) -> Response:
    """Projects whose record changed after ``since``, latest first: new, changed, withdrawn (no longer
    listed by their source: kept, but out of search) or removed (merged into another project)."""
    moment = parse_since(since)
    found = await portal.run(changes, portal, moment, limit)
    body = msgspec.json.encode(
        ChangesEnvelope(ok=True, data=ChangesPage(since=moment, count=len(found), changes=found))
    )
    return Response(body, media_type="application/json")


@router.get("/changes.atom", include_in_schema=False)
async def changes_feed(request: Request, portal: PortalDep, since: str | None = None) -> Response:
    moment = parse_since(since)
    found = await portal.run(changes, portal, moment, FEED_ENTRIES)
    return _atom(request, "euprojects: what changed", found)


@router.get("/search.atom", include_in_schema=False)
async def search_feed(request: Request, portal: PortalDep) -> Response:
    """The feed of a saved search: the same parameters as the search page's address."""
    given: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if key != "since" and value.strip():
            given.setdefault(key, []).append(value)
    search = to_request(from_query(given), limit=0)
    moment = parse_since(request.query_params.get("since"))
    found = await portal.run(_matching_changes, portal, search, moment)
    query = given.get("q", [""])[-1]
    what = "new, changed and withdrawn projects"
    title = f"euprojects: {what} for “{query}”" if query else f"euprojects: {what}"
    return _atom(request, title, found, "/?" + urlencode([(k, v) for k, vs in given.items() for v in vs]))


def _matching_changes(portal: Portal, search: object, since: dt.datetime) -> list[Change]:
    """The changes of the projects the search matches, the withdrawn ones among them: a project
    withdrawn since is still indexed with its last content, so the search tells whether it was one
    of its own."""
    found = [c for c in changes(portal, since, CHANGES_LIMIT * 10) if c.change in ("new", "changed", "withdrawn")]
    try:
        matching = portal.searcher.among(search, [c.id for c in found], withdrawn_too=True)  # type: ignore[arg-type]
    except IndexMissing:
        return []
    return [c for c in found if c.id in matching][:FEED_ENTRIES]


def _atom(request: Request, title: str, entries: Sequence[Change], alternate: str = "/") -> Response:
    base = str(request.base_url).rstrip("/")
    feed = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(feed, "title").text = title
    ET.SubElement(feed, "id").text = str(request.url)
    ET.SubElement(feed, "link", rel="self", href=str(request.url))
    ET.SubElement(feed, "link", rel="alternate", href=base + alternate)
    updated = max((e.changed for e in entries), default=dt.datetime.now(dt.UTC))
    ET.SubElement(feed, "updated").text = updated.isoformat()
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = "euprojects"
    for change in entries:
        entry = ET.SubElement(feed, "entry")
        name = " — ".join(x for x in (change.acronym, change.title) if x) or change.id
        ET.SubElement(entry, "title").text = f"{change.change}: {name}"
        ET.SubElement(entry, "id").text = f"{base}/projects/{change.id}#{change.changed.isoformat()}"
        ET.SubElement(entry, "updated").text = change.changed.isoformat()
        if change.url:
            ET.SubElement(entry, "link", href=base + change.url)
        ET.SubElement(entry, "category", term=change.change)
        ET.SubElement(entry, "summary").text = _summary(change)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")
    return Response(body, media_type="application/atom+xml")


def _summary(change: Change) -> str:
    if change.change == "withdrawn" and change.withdrawn:
        return f"{change.id} is no longer listed by its source (since {change.withdrawn.date().isoformat()})."
    if change.change == "removed":
        return f"{change.id} was merged into another project or removed."
    return f"{change.id} ({change.source}) is {change.change}."
