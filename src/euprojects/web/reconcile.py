"""``/reconcile``: the W3C Reconciliation Service API (version 0.2, what OpenRefine speaks) over
the resolved organisations, for people who hold their own lists of beneficiaries.

``GET /reconcile`` without queries answers the service manifest. Batch queries come as
``queries={"q0": {"query": "...", "limit": 3, "properties": [{"pid": "country", "v": "CH"}]}}``,
form-encoded in a POST (as OpenRefine sends them) or in the query string of a GET; each answers
``{"q0": {"result": [{"id", "name", "score", "match", "type"}]}}``. ``match`` is true only when
the service is confident enough to link without a person (``orgs.candidates``).
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qs

import msgspec
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from euprojects.orgs.candidates import (
    RETRY_SECONDS,
    Candidate,
    Candidates,
    NotReady,
    candidates_for,
    refresh_in_background,
)
from euprojects.orgs.vocabulary import TYPES
from euprojects.views import organisation_url
from euprojects.web.portal import REQUEST_SECONDS, Portal, PortalDep

router = APIRouter()
MAX_QUERIES = 100  # queries of one batch (OpenRefine sends 10 at a time by default)
MAX_LIMIT = 25
ORGANISATION = {"id": "organisation", "name": "Organisation"}


class BadQuery(ValueError):
    """A batch the service cannot read; answered with a 400 that names the parameter."""


def manifest(base: str) -> dict[str, Any]:
    return {
        "versions": ["0.2"],
        "name": "euprojects organisations",
        "identifierSpace": f"{base}/organisations/",
        "schemaSpace": f"{base}/reconcile/schema/",
        "defaultTypes": [ORGANISATION],
        "view": {"url": f"{base}/organisations/{{{{id}}}}"},
        "preview": {"url": f"{base}/reconcile/preview?id={{{{id}}}}", "width": 430, "height": 120},
        "extend": {"property_settings": []},
        "suggest": {},
        "properties": [{"id": "country", "name": "Country (ISO code or name)"}],
    }


def warm_in_background(portal: Portal) -> None:
    """Build the name index as the portal starts (about ten seconds over a full ingest), rather
    than in the first reconciliation request."""
    store = portal.store
    try:
        refresh_in_background(store, store.url, store.seq())
    except Exception:  # a store that cannot be read yet: the first request builds
        return


@router.get("/reconcile", include_in_schema=False)
async def reconcile_get(request: Request, portal: PortalDep) -> Response:
    queries = request.query_params.get("queries")
    if queries is None:
        return JSONResponse(manifest(_base(request)))
    return await _answer(portal, queries)


@router.post("/reconcile", include_in_schema=False)
async def reconcile_post(request: Request, portal: PortalDep) -> Response:
    body = (await request.body()).decode("utf-8", "replace")
    queries = parse_qs(body).get("queries", [None])[0] or request.query_params.get("queries")
    if queries is None:
        return _problem("queries: missing (send queries={...} form-encoded)")
    return await _answer(portal, queries)


@router.get("/reconcile/preview", include_in_schema=False)
async def preview(request: Request, portal: PortalDep, id: str = "") -> Response:
    """A small card OpenRefine shows beside a candidate: name, country, city, type, identifiers."""
    organisation = await portal.run(portal.store.organisation, id)
    if organisation is None:
        return HTMLResponse(f"<p>There is no organisation {html.escape(id)}.</p>", status_code=404)
    kind = TYPES.get(organisation.type or "", organisation.type or "")
    place = ", ".join(p for p in (organisation.city, organisation.country) if p)
    body = (
        "<!doctype html><meta charset=utf-8><div style='font:13px sans-serif'>"
        f"<a href='{html.escape(organisation_url(organisation.id))}' target=_blank>"
        f"<b>{html.escape(organisation.name or organisation.id)}</b></a><br>"
        f"{html.escape(place)}<br>{html.escape(kind)}<br><code>{html.escape(organisation.id)}</code></div>"
    )
    return HTMLResponse(body)


async def _answer(portal: PortalDep, queries: str) -> Response:
    try:
        batch = _parse(queries)
    except BadQuery as err:
        return _problem(str(err))
    store = portal.store
    seq = await portal.run(store.seq)
    try:  # built as the portal starts; a request waits for it no longer than the API's time limit
        index = await portal.run(candidates_for, store, store.url, seq, REQUEST_SECONDS)
    except NotReady as err:
        headers = {"Retry-After": str(RETRY_SECONDS)}
        return JSONResponse({"ok": False, "error": str(err)}, status_code=503, headers=headers)
    answers = await portal.run(_match_all, index, batch)
    return JSONResponse(answers)


def _parse(text: str) -> dict[str, dict[str, Any]]:
    try:
        batch = msgspec.json.decode(text)
    except msgspec.DecodeError:
        raise BadQuery("queries: not JSON") from None
    if not isinstance(batch, dict) or not all(isinstance(q, dict) for q in batch.values()):
        raise BadQuery('queries: expected {"q0": {"query": "..."}, ...}')
    if len(batch) > MAX_QUERIES:
        raise BadQuery(f"queries: at most {MAX_QUERIES} queries a batch")
    for key, query in batch.items():
        if not isinstance(query.get("query"), str):
            raise BadQuery(f"queries.{key}.query: expected a string")
    return batch


def _match_all(index: Candidates, batch: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {key: {"result": [_result(c) for c in _match(index, query)]} for key, query in batch.items()}


def _match(index: Candidates, query: dict[str, Any]) -> list[Candidate]:
    limit = query.get("limit")
    limit = min(limit, MAX_LIMIT) if isinstance(limit, int) and limit > 0 else 5
    return index.match(query["query"], _country(query.get("properties")), limit)


def _country(properties: object) -> str | None:
    """The ``country`` property's value; OpenRefine sends ``v`` as a string (or an object with an id)."""
    if not isinstance(properties, list):
        return None
    for prop in properties:
        if isinstance(prop, dict) and prop.get("pid") in ("country", "Country"):
            value = prop.get("v")
            if isinstance(value, dict):
                value = value.get("id") or value.get("name")
            if isinstance(value, list):
                value = value[0] if value else None
            return str(value).strip() or None if value is not None else None
    return None


def _result(candidate: Candidate) -> dict[str, Any]:
    return {
        "id": candidate.id,
        "name": candidate.name,
        "score": candidate.score,
        "match": candidate.match,
        "type": [ORGANISATION],
        "description": ", ".join(p for p in (candidate.city, candidate.country) if p),
    }


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _problem(detail: str) -> Response:
    return JSONResponse({"ok": False, "error": detail}, status_code=400)
