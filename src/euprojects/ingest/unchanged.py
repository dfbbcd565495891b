"""Files that have not changed since they were last read whole are not read again.

A file's fingerprint is its size, modification time and content checksum, with a stamp of the
code that reads files into records (loaders, normalisation, screening, the model): new code may
read the same bytes differently, so a new version reads every file again. Reading all of the
data folder takes half a minute; checking it this way, about a second.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import msgspec

from euprojects.ingest.reading import FileReport
from euprojects.sources import Planned
from euprojects.store import Store

UNCHANGED = "unchanged since it was last read"
# What turns a file's bytes into records: a change here changes what an unchanged file gives.
READING_CODE = ("sources", "normalise", "ingest/reading.py", "ingest/screening.py", "model.py")
_report_decoder = msgspec.json.Decoder(FileReport)


@cache
def code_stamp() -> str:
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=8)
    for part in READING_CODE:
        path = root / part
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(source.relative_to(root).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def fingerprint(path: Path) -> str:
    """Size, modification time, checksum and the reading code's stamp of a file."""
    status = path.stat()
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return f"{status.st_size}:{status.st_mtime_ns}:{digest.hexdigest()}:{code_stamp()}"


def unchanged(store: Store, item: Planned, key: str, seen: str) -> bool:
    """Whether the file was last read whole with this very fingerprint."""
    if item.format is None:
        return False
    last = store.last_report(item.format.name, key)
    if last is None:
        return False
    report = _report_decoder.decode(last)
    return report.fingerprint == seen and report.read_whole
