"""Downloading one file from a publisher: streamed to disk, resumed, retried, asked for only if changed.

A download goes to ``<name>.part`` beside its cached copy, and replaces that copy only once it
is whole and verified, so a broken transfer never costs the copy that was there. A transfer that
breaks off is retried with growing pauses (tenacity) and, where the publisher allows it, goes on
from the bytes already on disk (``Range``, guarded by ``If-Range``). A file fetched before is
asked for with its ``ETag`` / ``Last-Modified``: a ``304 Not Modified`` costs no transfer.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import filecmp
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
import msgspec
from tenacity import RetryError, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from euprojects.fetch.catalogue import Remote

Progress = Callable[[str, int, int | None], None]  # file name, bytes so far, bytes in all (if known)


class FetchError(Exception):
    """A file could not be fetched; the message is one line that names the file and the cause."""


class CachedFile(msgspec.Struct, omit_defaults=True):
    """What is known of the cached copy of a file: the validators the publisher sent with it, its
    size and when it was fetched and last checked."""

    url: str
    size: int
    fetched: str
    checked: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(slots=True)
class Outcome:
    """How one file's fetch ended: ``fetched`` (new bytes), ``unchanged`` (the publisher said 304,
    or sent the same bytes), ``absent`` (an optional file the publisher does not have), with how
    many bytes came over the wire and whether a download resumed."""

    status: Literal["fetched", "unchanged", "absent"]
    path: Path
    received: int = 0
    resumed: bool = False
    attempts: int = 1


class _Retryable(Exception):
    """A failure worth another attempt: a broken or slow transfer, a 5xx or 429 answer."""


def meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def read_meta(path: Path) -> CachedFile | None:
    try:
        return msgspec.json.decode(meta_path(path).read_bytes(), type=CachedFile)
    except (OSError, msgspec.DecodeError):
        return None


def write_meta(path: Path, meta: CachedFile) -> None:
    meta_path(path).write_bytes(msgspec.json.encode(meta))


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class Downloader:
    """One HTTP client for a whole fetch (connections are reused), with its timeout and retries."""

    def __init__(
        self,
        *,
        timeout: float = 60,
        attempts: int = 4,
        backoff: float = 1.0,
        progress: Progress | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            headers={"User-Agent": "euprojects-fetch (+https://github.com/)", "Accept-Encoding": "identity"},
            transport=transport,
        )
        self.attempts, self.backoff, self.progress = attempts, backoff, progress

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Downloader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        remote: Remote,
        target: Path,
        verify: Callable[[Path], None],
        params: dict[str, str] | None = None,
    ) -> Outcome:
        """Bring ``target`` up to date with ``url``; ``verify`` checks a complete download (and
        raises FetchError) before it replaces the cached copy."""
        target.parent.mkdir(parents=True, exist_ok=True)
        cached = read_meta(target) if target.exists() else None
        attempts = 0
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff, max=30),
            retry=retry_if_exception(lambda err: isinstance(err, _Retryable)),
            reraise=False,
        )
        try:
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    outcome = self._attempt(url, remote, target, cached, params)
        except RetryError as err:
            cause = err.last_attempt.exception()
            raise FetchError(f"{remote.name}: {cause} (gave up after {attempts} attempts)") from None
        outcome.attempts = attempts
        if outcome.status == "absent":
            return outcome
        if outcome.status == "unchanged":
            if cached is not None:
                write_meta(target, msgspec.structs.replace(cached, checked=_now()))
            return outcome
        part = _part(target)
        try:
            verify(part)
        except FetchError:
            part.unlink(missing_ok=True)
            raise
        if target.exists() and filecmp.cmp(part, target, shallow=False):
            part.unlink()
            outcome.status = "unchanged"
        else:
            part.replace(target)
        write_meta(target, self._meta)
        return outcome

    def _attempt(
        self, url: str, remote: Remote, target: Path, cached: CachedFile | None, params: dict[str, str] | None
    ) -> Outcome:
        part = _part(target)
        have = part.stat().st_size if part.exists() and remote.resumable else 0
        headers = self._conditions(cached, have, remote)
        body: Any = remote.body
        try:
            with self.client.stream(
                remote.method, url, headers=headers, params=params, content=json.dumps(body) if body else None
            ) as response:
                return self._receive(response, url, remote, target, have)
        except httpx.ConnectError as err:
            raise _Retryable(f"cannot reach {urlsplit(url).netloc}: {_reason(err)}") from None
        except httpx.TimeoutException:
            raise _Retryable(f"{urlsplit(url).netloc} sent nothing for longer than the timeout") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as err:
            raise _Retryable(f"the connection broke off: {_reason(err)}") from None

    def _conditions(self, cached: CachedFile | None, have: int, remote: Remote) -> dict[str, str]:
        headers: dict[str, str] = {}
        if remote.body is not None:
            headers["Content-Type"] = "application/json"
        if have:
            headers["Range"] = f"bytes={have}-"
            validator = self._partial_validator
            if validator:
                headers["If-Range"] = validator
        elif cached is not None and remote.method == "GET":
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        return headers

    _partial_validator: str | None = None
    _meta: CachedFile

    def _receive(self, response: httpx.Response, url: str, remote: Remote, target: Path, have: int) -> Outcome:
        status = response.status_code
        if status == 304:
            return Outcome("unchanged", target)
        if status >= 500 or status == 429:
            raise _Retryable(f"{urlsplit(url).netloc} answered {status} {response.reason_phrase}")
        if status == 404 and remote.optional:
            return Outcome("absent", target)
        if status == 416 and have:
            _part(target).unlink(missing_ok=True)  # what was kept is no prefix of the file any more
            raise _Retryable("the partial download no longer fits the file; starting again")
        if status >= 400:
            raise FetchError(f"{remote.name}: {urlsplit(url).netloc} answered {status} {response.reason_phrase}")
        resumed = status == 206 and have > 0
        total = _total(response, have if resumed else 0)
        part = _part(target)
        self._partial_validator = response.headers.get("ETag") or response.headers.get("Last-Modified")
        received = 0
        with part.open("ab" if resumed else "wb") as out:
            done = have if resumed else 0
            for block in response.iter_bytes():
                out.write(block)
                received += len(block)
                done += len(block)
                if self.progress:
                    self.progress(remote.name, done, total)
        size = part.stat().st_size
        if total is not None and size != total:
            raise _Retryable(f"got {size:,} of {total:,} bytes")
        self._partial_validator = None
        now = _now()
        self._meta = CachedFile(
            url=url,
            size=size,
            fetched=now,
            checked=now,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )
        return Outcome("fetched", target, received=received, resumed=resumed)


def _part(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def _total(response: httpx.Response, offset: int) -> int | None:
    """The whole file's size: from ``Content-Range`` of a partial answer, else ``Content-Length``."""
    content_range = response.headers.get("Content-Range")
    if content_range and "/" in content_range:
        whole = content_range.rsplit("/", 1)[1]
        return int(whole) if whole.isdigit() else None
    length = response.headers.get("Content-Length")
    return offset + int(length) if length and length.isdigit() else None


def _reason(err: Exception) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]


def http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(dt.UTC), usegmt=True)
