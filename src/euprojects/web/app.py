"""The web application, built explicitly from its parts so tests can give it their own store."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from euprojects import __version__
from euprojects import settings as settings_module
from euprojects.search import QueryError, Searcher
from euprojects.store import Store, open_store
from euprojects.web import api, pages
from euprojects.web.errors import ApiProblem, problem_response
from euprojects.web.openapi import custom_openapi
from euprojects.web.slots import Slots

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("euprojects.web")


class Portal:
    """What every request handler needs: settings, the store, the searcher and the export slots."""

    def __init__(self, settings: settings_module.Settings, store: Store, searcher: Searcher | None) -> None:
        self.settings = settings
        self.store = store
        self._searcher = searcher
        self.export_slots = Slots(settings.export_concurrency)

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            self._searcher = Searcher(self.settings.index_dir, self.store, self.settings.search_cache)
        return self._searcher


def create_app(
    settings: settings_module.Settings | None = None, store: Store | None = None, searcher: Searcher | None = None
) -> FastAPI:
    settings = settings or settings_module.load()
    store = store or open_store(settings.database_url)
    app = FastAPI(
        title="euprojects API",
        version=__version__,
        description="Open data on European cooperation projects: search, projects, organisations, programmes.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.portal = Portal(settings, store, searcher)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"], allow_headers=["*"])
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
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
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        return _problem(request, 400, f"{where or 'request'}: {first.get('msg', 'invalid value')}", where)

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
