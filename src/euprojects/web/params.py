"""Search parameters from a URL, typed once for the search page, the API and exports.

:class:`SearchParams` is generated from the search fields' declarations (``search/fields.py``):
each filter becomes a query parameter with its type, pattern, allowed values and help. FastAPI
reads it for the API (and writes the OpenAPI document from it); the search page validates the
same model. The whole state of a search is in the query string, so any search can be bookmarked:
``?q=health&country=EE&country=FI&start_year=2014..2020&sort=-start_date&page=2``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Request
from pydantic import BaseModel, Field, StringConstraints, ValidationError, create_model, field_validator

from euprojects import limits
from euprojects.fields import DEFAULT_FACETS, FACETS, FIELDS, SORTS
from euprojects.fields import Field as SearchField
from euprojects.search import SearchRequest

STATE_KEYS = ("q", "mode", "sort", *FIELDS)
SCALARS = ("q", "mode", "sort", "limit", "page", "cursor", "facet_size")


class _Base(BaseModel):
    q: str = Field(
        "",
        max_length=limits.QUERY_CHARS,
        description='Words, "phrases", OR, -word, prefix*, title:, org:, country:FI, start:2014..2020',
    )
    mode: Literal["keyword", "semantic", "hybrid"] | None = Field(
        None, description="Match by words, by meaning, or both fused. Default: hybrid when semantic search is ready"
    )
    sort: Literal[tuple(SORTS)] | None = Field(  # type: ignore[valid-type]
        None, description="Order of hits; -NAME descends. Default: relevance for a query, newest start without"
    )
    limit: int = Field(limits.PAGE_SIZE, ge=0, le=limits.MAX_LIMIT, description="Hits per page")
    page: int = Field(1, ge=1, description=f"Page number (limit × page ≤ {limits.MAX_DEPTH:,}; use cursor beyond)")
    cursor: str | None = Field(None, max_length=200, description="next_cursor of the previous page")
    facet: list[Literal[tuple(FACETS)]] = Field(  # type: ignore[valid-type]
        default_factory=list, description=f"Facets to count (default: {', '.join(DEFAULT_FACETS)})"
    )
    facet_size: int = Field(limits.FACET_SIZE, ge=1, le=limits.MAX_FACET_SIZE, description="Values per facet")

    @field_validator("q", "cursor", mode="after")
    @classmethod
    def _decodable(cls, value: str | None) -> str | None:
        """A URL's bytes that are not UTF-8 arrive as U+FFFD (or lone surrogates): refuse them
        rather than search for nothing and answer with every project."""
        if value and ("\ufffd" in value or any("\ud800" <= c <= "\udfff" for c in value)):
            raise ValueError("is not valid UTF-8 text")
        return value


def _filter(field: SearchField) -> tuple[Any, Any]:
    """A filter as a query parameter: repeated values are alternatives, typed as the field's kind."""
    schema = field.kind.schema
    item: Any = str
    if "enum" in schema:
        item = Literal[tuple(schema["enum"])]
    elif "pattern" in schema:
        item = Annotated[str, StringConstraints(pattern=schema["pattern"])]
    return list[item], Field(default_factory=list, description=f"{field.help}. Example: {field.example}")


SearchParams: type[_Base] = create_model(  # type: ignore[call-overload]
    "SearchParams", __base__=_Base, **{name: _filter(field) for name, field in FIELDS.items()}
)


class ParameterError(ValueError):
    """A search parameter that does not fit its declaration; the message names it."""

    def __init__(self, parameter: str | None, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def no_nul_characters(request: Request) -> None:
    """Refuse a parameter that holds a NUL character, on every route: no text in the portal has
    one, and PostgreSQL cannot even compare with one (SQLite would just find nothing)."""
    for name, value in [*request.query_params.multi_items(), *request.path_params.items()]:
        if "\x00" in str(value):
            raise ParameterError(name, f"{name}: a NUL character (%00) is not allowed")


def describe(error: ValidationError | Any) -> ParameterError:
    """The first validation error as ``name: what is wrong``, the way every other error reads."""
    errors = error.errors()
    first = errors[0] if errors else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("query", "path", "body")]
    name = location[0] if location else None
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return ParameterError(name, f"{name}: {message}" if name else message)


def from_query(params: Mapping[str, Sequence[str]]) -> _Base:
    """SearchParams from a page's query string; empty values are no value (the search form
    sends its empty fields). Raises ParameterError."""
    given: dict[str, Any] = {}
    for name in (*SCALARS, "facet", *FIELDS):
        values = [v for v in params.get(name, ()) if v.strip()]
        if values:
            given[name] = values[-1] if name in SCALARS else values
    try:
        return SearchParams.model_validate(given)
    except ValidationError as err:
        raise describe(err) from None


def to_request(params: _Base, *, limit: int | None = None, **changes: Any) -> SearchRequest:
    """The engine's request for these parameters (``limit`` and other fields overridden)."""
    filters = {name: values for name in FIELDS if (values := [v for v in getattr(params, name) if v.strip()])}
    request = SearchRequest(
        query=params.q,
        filters=filters,
        facets=tuple(params.facet) or DEFAULT_FACETS,
        facet_size=params.facet_size,
        sort=params.sort,
        limit=params.limit if limit is None else limit,
        page=params.page,
        cursor=params.cursor,
        mode=params.mode,
    )
    for name, value in changes.items():
        setattr(request, name, value)
    return request


def state(params: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """The parameters that define a search (not its page), in a stable order."""
    return [(key, value) for key in STATE_KEYS for value in params.get(key, ()) if value != ""]


def url(params: list[tuple[str, str]], **changes: str | None) -> str:
    """A search URL with some parameters replaced (None removes them)."""
    kept = [(k, v) for k, v in params if k not in changes]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    return "/?" + urlencode(kept) if kept else "/"


def toggle(params: list[tuple[str, str]], name: str, value: str) -> str:
    """The search URL with one facet value selected or, if it was, deselected (back to page 1)."""
    pair = (name, value)
    kept = [p for p in params if p != pair] if pair in params else [*params, pair]
    return "/?" + urlencode(kept) if kept else "/"
