"""A publisher on 127.0.0.1 for the fetch tests: serves files laid out as CORDIS, keep.eu and
Kohesio lay them out, answers conditional and ranged requests as a real server does, and
misbehaves on demand (a connection dropped mid-file, a 500, an answer slower than the timeout)."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LAST_MODIFIED = "Mon, 01 Dec 2025 08:00:00 GMT"


class Publisher:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.key: str | None = None
        self.slow_seconds = 2.0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Publisher:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def etag(self, path: str) -> str:
        return '"' + hashlib.sha1(self.files[path]).hexdigest()[:16] + '"'

    def served(self, path: str) -> list[dict[str, str]]:
        """The headers of each request for this path."""
        return [headers for _, p, headers in self.requests if p == path]


def _handler(publisher: Publisher) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self._answer()

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path.lstrip("/")
            named = "&".join(f"{k}={v[0]}" for k, v in parse_qs(parts.query).items() if k != "key")
            if named and f"{path}?{named}" in publisher.files:  # a file named by the query (Kohesio's ?id=)
                path = f"{path}?{named}"
            publisher.requests.append((self.command, path, {k.lower(): v for k, v in self.headers.items()}))
            fault = publisher.faults[path].pop(0) if publisher.faults[path] else None
            if fault == "slow":
                time.sleep(publisher.slow_seconds)
            if fault == "500":
                return self._status(500, b"internal error")
            if path not in publisher.files:
                return self._status(404, b"not found")
            if publisher.key is not None and parse_qs(parts.query).get("key") != [publisher.key]:
                return self._status(403, b"forbidden")
            body, etag = publisher.files[path], publisher.etag(path)
            if self.headers.get("If-None-Match") == etag:
                return self._status(304, b"", etag)
            start, status = self._range(etag, len(body))
            self.send_response(status)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(len(body) - start))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.end_headers()
            if fault == "drop":  # half the bytes, then the connection goes
                self.wfile.write(body[start : start + (len(body) - start) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.close()
                return
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body[start:])

        def _range(self, etag: str, size: int) -> tuple[int, int]:
            asked = self.headers.get("Range")
            if not asked or not asked.startswith("bytes=") or self.headers.get("If-Range", etag) != etag:
                return 0, 200
            start = int(asked.removeprefix("bytes=").split("-")[0])
            return (start, 206) if start < size else (0, 200)

        def _status(self, status: int, body: bytes, etag: str | None = None) -> None:
            try:
                self.send_response(status)
                if etag:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
