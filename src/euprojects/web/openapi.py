"""The OpenAPI document: FastAPI's paths, with response schemas generated from the msgspec
envelopes (one source of truth for the JSON and its schema) and the search parameters."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from euprojects.search.facets import FACET_FIELDS
from euprojects.search.filters import SPECS
from euprojects.search.sorting import SORTS
from euprojects.web.exports import FORMATS
from euprojects.web.schemas import ENVELOPES

REF = "#/components/schemas/{name}"


def _parameter(name: str, description: str, schema: dict[str, Any], many: bool = False) -> dict[str, Any]:
    if many:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def search_parameters() -> list[dict[str, Any]]:
    text = {"type": "string"}
    return [
        _parameter("q", "Words, \"phrases\", OR, -word, prefix*, title:, org:, country:, start:2014..2020", {
            "type": "string", "maxLength": 1000}),
        _parameter("sort", "Order of hits; -NAME descends", {"type": "string", "enum": list(SORTS)}),
        _parameter("limit", "Hits per page", {"type": "integer", "minimum": 0, "maximum": 200, "default": 20}),
        _parameter("page", "Page number (limit × page ≤ 10,000; use cursor beyond)", {"type": "integer", "minimum": 1}),
        _parameter("cursor", "next_cursor of the previous page", text),
        _parameter("facet", "Facets to count", {"type": "string", "enum": list(FACET_FIELDS)}, many=True),
        _parameter("facet_size", "Values per facet", {"type": "integer", "minimum": 1, "maximum": 500}),
        *(_parameter(spec.name, spec.help, text, many=True) for spec in SPECS.values()),
    ]  # fmt: skip


def _responses(envelope: str) -> dict[str, Any]:
    error = {"application/json": {"schema": {"$ref": REF.format(name="ErrorEnvelope")}}}
    if envelope == "export":
        ok = {media: {"schema": {"type": "string", "format": "binary"}} for media in _media_types()}
    else:
        ok = {"application/json": {"schema": {"$ref": REF.format(name=envelope)}}}
    responses = {
        "200": {"description": "OK", "content": ok},
        "304": {"description": "Not modified (the ETag matched)"},
        "400": {"description": "A parameter is invalid; the message says which and why", "content": error},
        "404": {"description": "Not found", "content": error},
        "503": {"description": "The request took too long", "content": error},
    }
    if envelope == "export":
        retry = {"description": "Seconds to wait before asking again", "schema": {"type": "integer"}}
        responses["429"] = {
            "description": "This server already runs as many exports as it allows",
            "headers": {"Retry-After": retry},
            "content": error,
        }
    return responses


def _media_types() -> list[str]:
    from euprojects.export import MEDIA_TYPES

    return [MEDIA_TYPES[f] for f in FORMATS]


def custom_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    _, components = msgspec.json.schema_components(ENVELOPES, ref_template=REF)
    document.setdefault("components", {}).setdefault("schemas", {}).update(components)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            envelope = operation.pop("x-envelope", None)
            wants_search = operation.pop("x-search-parameters", False)
            if envelope is None:
                continue
            operation["responses"] = _responses(envelope)
            if wants_search:
                declared = [p for p in operation.get("parameters", []) if p["in"] == "path" or p["name"] == "format"]
                operation["parameters"] = declared + search_parameters()
    _drop_unused_validation_schemas(document)
    app.openapi_schema = document
    return document


def _drop_unused_validation_schemas(document: dict[str, Any]) -> None:
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
