"""Checks that a downloaded file is whole and what it claims to be, before it replaces the cached
copy: a zip (or workbook) whose every member reads back with the right CRC, JSON that parses, a
table that is text. A publisher's error page saved under a data file's name fails here too."""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from euprojects.fetch.catalogue import Kind, Remote
from euprojects.fetch.download import FetchError


def zip_whole(path: Path, name: str) -> None:
    """Every member of the archive decompresses to its recorded CRC."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
        raise FetchError(f"{name}: the download is not a readable zip ({err})") from None
    if bad is not None:
        raise FetchError(f"{name}: the download is damaged: {bad} inside it does not match its checksum")


def json_whole(path: Path, name: str) -> None:
    try:
        with path.open("rb") as handle:
            json.load(handle)
    except (ValueError, OSError) as err:
        raise FetchError(f"{name}: the download is not readable JSON ({err})") from None


def text_whole(path: Path, name: str) -> None:
    with path.open("rb") as handle:
        start = handle.read(4096)
    if not start.strip():
        raise FetchError(f"{name}: the download is empty")
    if b"\x00" in start or start.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        raise FetchError(f"{name}: the download is not a table (an HTML page or binary data)")


_CHECKS: dict[Kind, Callable[[Path, str], None]] = {
    "zip": zip_whole,
    "xlsx": zip_whole,
    "json": json_whole,
    "tsv": text_whole,
    "csv": text_whole,
}


def checker(remote: Remote) -> Callable[[Path], None]:
    check = _CHECKS[remote.kind]
    return lambda path: check(path, remote.name)
