"""The web application, built explicitly from its parts so tests can give it their own store."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from euprojects import __version__
from euprojects import settings as settings_module
from euprojects.index import lemmas
from euprojects.search import IndexMissing, QueryError, Searcher
from euprojects.store import Store, open_store
from euprojects.web import api, feeds, pages, partners, reconcile, semantic_routes, stats
from euprojects.web.errors import ApiProblem, problem_response
from euprojects.web.openapi import custom_openapi
from euprojects.web.params import ParameterError, describe, no_nul_characters
from euprojects.web.portal import Portal, TooSlow
from euprojects.web.security import SecurityHeaders

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("euprojects.web")


class PortalApp(FastAPI):
    """FastAPI with the security headers outside everything else.

    Middleware added with ``add_middleware`` runs inside Starlette's outermost error handler, so
    the page of an unexpected failure would go out without the headers; wrapping the whole
    stack gives them to every response.
    """

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def create_app(
    settings: settings_module.Settings | None = None, store: Store | None = None, searcher: Searcher | None = None
) -> FastAPI:
    settings = settings or settings_module.load()
    store = store or open_store(settings.database_url, read_url=settings.database_read_url)
    app = PortalApp(
        title="euprojects API",
        version=__version__,
        description="Open data on European cooperation projects: search, projects, organisations, programmes.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served by pages.api_docs_page from the portal's own copy of Swagger UI
        redoc_url=None,
        dependencies=[Depends(no_nul_characters)],
    )
    app.state.portal = Portal(settings, store, searcher)
    lemmas.warm_in_background()
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"], allow_headers=["*"])
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(semantic_routes.api_router)  # before api.router: /projects/{id}/similar
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.include_router(reconcile.router)
    app.include_router(partners.api_router)
    app.include_router(partners.page_router)
    app.include_router(stats.router)
    reconcile.warm_in_background(app.state.portal)
    app.include_router(semantic_routes.page_router)
    _handle_errors(app)
    app.openapi = lambda: custom_openapi(app)  # type: ignore[method-assign]
    return app


def _handle_errors(app: FastAPI) -> None:
    """Errors are JSON under /api and pages elsewhere, always with a message, never a traceback."""

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> Response:
        return _problem(request, 400, str(exc))

    @app.exception_handler(ApiProblem)
    async def api_problem(request: Request, exc: ApiProblem) -> Response:
        return _problem(request, exc.status, exc.message, exc.parameter, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        error = describe(exc)
        return _problem(request, 400, str(error), error.parameter)

    @app.exception_handler(ParameterError)
    async def parameter_error(request: Request, exc: ParameterError) -> Response:
        return _problem(request, 400, str(exc), exc.parameter)

    @app.exception_handler(TooSlow)
    async def too_slow(request: Request, exc: TooSlow) -> Response:
        return _problem(request, 503, str(exc))

    @app.exception_handler(IndexMissing)
    async def index_missing(request: Request, exc: IndexMissing) -> Response:
        # a node whose index is not built yet (its sync builds it from the store): come back soon
        return _problem(request, 503, f"the search index is not ready: {exc}", headers={"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return _problem(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path, exc_info=exc)
        return _problem(request, 500, "an unexpected error occurred; it has been logged")


def _problem(
    request: Request, status: int, message: str, parameter: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    if request.url.path.startswith("/api/"):
        return problem_response(status, message, parameter, headers)
    return pages.error_page(request, status, message)
