"""Exports through a real HTTP server: clients that walk away, the concurrency limit, and the
workbook a spreadsheet user opens.

The server is uvicorn on a free loopback port, in a thread of this process, so the test can read
how many export slots are taken from the app's state. Its listening socket has a small send
buffer (accepted sockets inherit it), and the clients that abandon an export shrink their receive
buffer and do not read: an export of the corpus cannot then finish behind their back, so only
noticing the disconnect ends it.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from euprojects.export import FORMULA_START
from euprojects.search import Searcher
from euprojects.settings import load
from euprojects.store import Store
from euprojects.web import create_app
from euprojects.web.slots import Slots

LIMIT = 2
BOUND_SECONDS = 60.0  # how long an abandoned export may take to notice; a bound, not a speed


@dataclass
class Live:
    app: FastAPI
    port: int

    @property
    def slots(self) -> Slots:
        slots: Slots = self.app.state.portal.export_slots
        return slots

    def get(self, path: str) -> tuple[int, Message, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=120) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def live(corpus: tuple[Store, Path], corpus_searcher: Searcher) -> Iterator[Live]:
    store, index_dir = corpus
    environ = {"EUPROJECTS_HOME": str(index_dir.parent), "EUPROJECTS_EXPORT_CONCURRENCY": str(LIMIT)}
    app = create_app(load(environ), store, corpus_searcher)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    assert _eventually(lambda: server.started), "uvicorn did not start"
    try:
        yield Live(app, listener.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


def _eventually(condition: Callable[[], bool], seconds: float = BOUND_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _start_and_stall(port: int, path: str) -> socket.socket:
    """A client that asks for an export, reads its head and first bytes of data, and stops reading."""
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect(("127.0.0.1", port))
    client.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    received = b""
    while b"\r\n\r\n" not in received or received.endswith(b"\r\n\r\n"):
        received += client.recv(64)
    assert received.startswith(b"HTTP/1.1 200"), received
    return client


def _spools() -> int:
    """Deleted temporary files this process holds open: where an XLSX export keeps its
    Participations sheet until the end."""
    folder = tempfile.gettempdir()
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        count += target.startswith(folder) and target.endswith("(deleted)")
    return count


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_an_abandoned_export_stops_and_frees_its_slot(live: Live, fmt: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="euprojects.web.exports")
    spools = _spools()
    client = _start_and_stall(live.port, f"/api/v1/export?format={fmt}")
    try:
        assert live.slots.active == 1  # the export waits for its client, holding its slot
        if fmt == "xlsx":
            assert _spools() == spools + 1
    finally:
        client.close()
    assert _eventually(lambda: live.slots.active == 0), "the abandoned export still holds its slot"
    assert _spools() == spools  # its temporary file is gone with it
    [line] = [r.getMessage() for r in caplog.records if r.name == "euprojects.web.exports"]
    made, total = map(int, re.findall(r"after (\d+) of (\d+) projects", line)[0])
    assert "the client went away" in line and made < total  # it stopped, not ran on to the end
    status, headers, body = live.get(f"/api/v1/export?format={fmt}&q=spintronics")
    assert status == 200 and int(headers["X-Total-Count"]) > 3 and body
    assert _eventually(lambda: live.slots.active == 0)  # a finished export gives its slot back too


def test_an_export_beyond_the_limit_gets_429_with_retry_after(live: Live) -> None:
    stalled = [_start_and_stall(live.port, "/api/v1/export?format=csv") for _ in range(LIMIT)]
    try:
        assert live.slots.active == live.slots.limit == LIMIT
        status, headers, body = live.get("/api/v1/export?format=xlsx&q=energy")
        assert status == 429 and int(headers["Retry-After"]) > 0
        error = json.loads(body)
        assert error["ok"] is False and error["error"]["status"] == 429
        assert f"{LIMIT} export" in error["error"]["message"]
        assert live.get("/api/v1/search?q=energy&limit=1")[0] == 200  # only exports are limited
        spec = json.loads(live.get("/api/v1/openapi.json")[2])
        assert "Retry-After" in spec["paths"]["/api/v1/export"]["get"]["responses"]["429"]["headers"]
    finally:
        for client in stalled:
            client.close()
    assert _eventually(lambda: live.slots.active == 0)
    assert live.get("/api/v1/export?format=csv&q=energy")[0] == 200
    assert _eventually(lambda: live.slots.active == 0)


def test_a_failed_export_request_frees_its_slot(live: Live) -> None:
    assert _eventually(lambda: live.slots.active == 0)
    status, _, body = live.get("/api/v1/export?format=csv&start_year=abc")
    assert status == 400 and json.loads(body)["error"]["parameter"] == "start_year"
    assert live.slots.active == 0


def _formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def test_an_xlsx_export_has_every_row_of_the_search_in_formula_safe_cells(client: TestClient) -> None:
    search = "/api/v1/export?q=energy&source=os-hr&source=cordis&source=os-fi"
    projects = [json.loads(line) for line in client.get(f"{search}&format=jsonl").text.splitlines()[1:]]
    response = client.get(f"{search}&format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["Projects", "Participations", "About"]
    rows = list(book["Projects"].iter_rows(values_only=True))
    partners = list(book["Participations"].iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) - 1 == len(projects) == int(response.headers["x-total-count"]) > 100
    assert [row[0] for row in rows[1:]] == [p["id"] for p in projects]
    assert all(len(row) == len(header) for row in rows)
    assert len(partners) - 1 == sum(len(p.get("participations", ())) for p in projects)
    cells = [cell for row in rows[1:] + partners[1:] for cell in row]
    assert not [cell for cell in cells if _formula_like(cell)]
    # The search holds names that a spreadsheet would run; they arrive as text after an apostrophe.
    names = {p["organisation"]["name"] for project in projects for p in project.get("participations", ())}
    risky = {name for name in names if _formula_like(name)}
    assert risky and risky <= {cell[1:] for cell in cells if isinstance(cell, str) and cell.startswith("'")}
