"""What every request handler needs, typed: the settings, the store and the searcher, and one
time limit for the work a request starts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar, cast

import anyio
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from euprojects import settings as settings_module
from euprojects.search import Searcher
from euprojects.semantic.search import SemanticSearcher
from euprojects.store import Store
from euprojects.web.slots import Slots

REQUEST_SECONDS = 10.0
T = TypeVar("T")


class TooSlow(Exception):
    """A request's work took longer than REQUEST_SECONDS; it is answered with a 503."""


class Portal:
    """The portal's state, shared by every request of one process: settings, the store, the
    searcher and the export slots."""

    def __init__(self, settings: settings_module.Settings, store: Store, searcher: Searcher | None) -> None:
        self.settings = settings
        self.store = store
        self._searcher = searcher
        self.export_slots = Slots(settings.export_concurrency)

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            self._searcher = SemanticSearcher(self.settings.index_dir, self.store, self.settings.search_cache)
        return self._searcher

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Blocking work in a thread, given up after REQUEST_SECONDS (TooSlow)."""
        try:
            with anyio.fail_after(REQUEST_SECONDS):
                return await run_in_threadpool(function, *args)
        except TimeoutError:
            raise TooSlow(f"the request took longer than {REQUEST_SECONDS:.0f} s; narrow the search") from None


def current(request: Request) -> Portal:
    return cast(Portal, request.app.state.portal)


PortalDep = Annotated[Portal, Depends(current)]
