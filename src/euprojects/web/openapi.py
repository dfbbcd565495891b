"""The OpenAPI document: FastAPI writes the paths and parameters from the routes' types; the
response envelopes' schemas come from msgspec (the same types that encode the JSON).

Two facts the generator cannot know are stated here: invalid parameters are answered with 400
and the API's error envelope (FastAPI documents its own 422), and the envelopes' components.
"""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from euprojects.web.schemas import ENVELOPES

REF = "#/components/schemas/{name}"


def custom_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    _, components = msgspec.json.schema_components(ENVELOPES, ref_template=REF)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(components)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            operation.get("responses", {}).pop("422", None)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    app.openapi_schema = document
    return document
