"""Serving the portal: one process, or several worker processes sharing one socket."""

from __future__ import annotations

import socket

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from euprojects import settings as settings_module
from euprojects.index.sync import Syncer
from euprojects.settings import Settings
from euprojects.web.app import create_app


def served_app() -> FastAPI:
    """The app of one server process, which also keeps this node's index in step with the store
    every EUPROJECTS_SYNC_SECONDS (the change log of a store other nodes write too)."""
    settings = settings_module.load()
    app = create_app(settings)
    if settings.sync_seconds > 0:  # a daemon thread of this process: it ends with the process
        app.state.syncer = Syncer(app.state.portal.store, settings.index_dir, settings.sync_seconds).start()
    return app


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Serve until interrupted. Several workers each open the store and the index themselves.

    The listening socket is made with IPPROTO_TCP so that accepted connections get TCP_NODELAY:
    uvicorn's own ``--workers`` binds with protocol 0, and every keep-alive response after the
    first then waits for the client's delayed ACK (about 40 ms on Linux).
    """
    config = uvicorn.Config(
        "euprojects.web.server:served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()
