"""`euprojects fetch` as one library call: download what changed, verify it, unpack it, ingest it.

Files live under ``$EUPROJECTS_HOME``: ``downloads/<source>/`` holds each file as the publisher
sent it with what is known of it (``.meta.json``: validators, size, when fetched and checked),
``data/<source>/`` what the ingest reads (a zip's tables unpacked). A table is rewritten there
only when its bytes changed, so the ingest's fingerprint of an unchanged table still matches and
it is not read again: a re-fetch of unchanged data takes seconds.

Nothing reaches the store until every requested file is down and verified; a fetch that fails
leaves the store as it was.
"""

from __future__ import annotations

import filecmp
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from euprojects import ingest
from euprojects.fetch.catalogue import SOURCES, Remote, Source, url_of
from euprojects.fetch.download import Downloader, FetchError, Outcome, Progress, read_meta
from euprojects.fetch.verify import checker
from euprojects.ingest.pipeline import IngestResult
from euprojects.settings import Settings
from euprojects.store import Store


@dataclass(slots=True)
class SourceReport:
    source: str
    files: list[Outcome] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(o.status == "fetched" for o in self.files)


@dataclass(slots=True)
class FetchResult:
    sources: list[SourceReport]
    ingest: IngestResult | None = None


def downloads_dir(settings: Settings) -> Path:
    return settings.home / "downloads"


def data_dir(settings: Settings) -> Path:
    return settings.home / "data"


def fetch(
    settings: Settings,
    store: Store,
    sources: Sequence[Source],
    *,
    progress: Progress | None = None,
    ingest_progress: Callable[[str, int], None] | None = None,
    index: bool = True,
    backoff: float = 1.0,
    reread: bool = False,
) -> FetchResult:
    """Fetch these sources and ingest them; raises FetchError (one line) when a file cannot be
    had, before anything is written to the store."""
    for source in sources:
        if any(r.needs_key for r in source.files) and not settings.keep_api_key:
            raise FetchError(f"{source.name} needs a key: set EUPROJECTS_KEEP_API_KEY (keep.eu gives one on request)")
    reports = []
    with Downloader(
        timeout=settings.fetch_timeout, attempts=settings.fetch_retries, backoff=backoff, progress=progress
    ) as downloader:
        for source in sources:
            reports.append(_download(settings, downloader, source))
    folders = [data_dir(settings) / source.name for source in sources]
    result = ingest.run(
        store,
        folders,
        batch_size=settings.batch_size,
        progress=ingest_progress,
        index_dir=settings.index_dir if index else None,
        reread=reread,
    )
    return FetchResult(reports, result)


def _download(settings: Settings, downloader: Downloader, source: Source) -> SourceReport:
    report = SourceReport(source.name)
    target_dir = downloads_dir(settings) / source.name
    data = data_dir(settings) / source.name
    for remote in source.files:
        params = dict(remote.query) | ({"key": settings.keep_api_key} if remote.needs_key else {})
        target = target_dir / remote.name
        outcome = downloader.fetch(url_of(settings, source, remote), remote, target, checker(remote), params or None)
        # an absent file (an optional one the publisher does not have) leaves nothing to read
        if outcome.status == "fetched" or (outcome.status == "unchanged" and not _placed(data, remote)):
            _place(target, data, remote.kind == "zip")
        report.files.append(outcome)
    return report


def _placed(data: Path, remote: Remote) -> bool:
    """Whether what the ingest reads of this file is in ``data`` (a zip's tables, or the file)."""
    return data.is_dir() if remote.kind == "zip" else (data / remote.name).exists()


def _place(download: Path, data: Path, unpack: bool) -> None:
    """Put what the ingest reads in ``data``, rewriting only files whose bytes changed."""
    data.mkdir(parents=True, exist_ok=True)
    if not unpack:
        _replace_if_changed(download, data / download.name)
        return
    with tempfile.TemporaryDirectory(dir=data.parent) as scratch, zipfile.ZipFile(download) as archive:
        for member in archive.infolist():
            name = Path(member.filename).name
            if member.is_dir() or not name or name.startswith("."):
                continue
            unpacked = Path(scratch) / name
            with archive.open(member) as src, unpacked.open("wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            _replace_if_changed(unpacked, data / name)


def _replace_if_changed(new: Path, old: Path) -> None:
    if old.exists() and filecmp.cmp(new, old, shallow=False):
        return
    tmp = old.with_name(old.name + ".new")
    shutil.copyfile(new, tmp)
    tmp.replace(old)


class Known(msgspec.Struct):
    """A source as `fetch --list` shows it: its files' cached sizes and when each was fetched."""

    name: str
    publisher: str
    description: str
    url: str
    size: int | None = None
    fetched: str | None = None
    checked: str | None = None


def known(settings: Settings) -> list[Known]:
    rows = []
    for source in SOURCES:
        sizes, fetched, checked = [], [], []
        for remote in source.files:
            meta = read_meta(downloads_dir(settings) / source.name / remote.name)
            if meta is not None:
                sizes.append(meta.size)
                fetched.append(meta.fetched)
                checked.append(meta.checked)
        rows.append(
            Known(
                name=source.name,
                publisher=source.publisher,
                description=source.description,
                url=url_of(settings, source, source.files[0]),
                size=sum(sizes) if sizes else None,
                fetched=max(fetched) if fetched else None,
                checked=max(checked) if checked else None,
            )
        )
    return rows


__all__ = ["FetchError", "FetchResult", "Known", "SourceReport", "fetch", "known"]
