"""The manual merges and splits of organisations: a TOML file in ``$EUPROJECTS_HOME`` that every
resolution applies and that always wins over the matcher (docs/organisations.md)::

    [[merge]]   # these mentions are one organisation
    ids = ["pic:999973971", "name:CH:ecole polytechnique de lausanne"]

    [[split]]   # these mentions are never one organisation with each other
    ids = ["pic:999973971", "name:CH:poly technique de lausanne"]
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import msgspec

FILE_NAME = "organisations.toml"


class OverridesError(ValueError):
    """The overrides file cannot be used; the message names the file and the entry."""


class Overrides(msgspec.Struct, frozen=True):
    merges: list[list[str]] = []
    splits: list[list[str]] = []
    digest: str = ""  # of the file's bytes: a changed file asks for a rebuild

    def apart(self) -> dict[str, list[tuple[str, str]]]:
        """Each split mention's marks: (split, side), one side per listed id."""
        marks: dict[str, list[tuple[str, str]]] = {}
        for n, ids in enumerate(self.splits):
            for mention in ids:
                marks.setdefault(mention, []).append((f"split:{n}", mention))
        return marks


def load(home: Path) -> Overrides:
    path = home / FILE_NAME
    if not path.is_file():
        return Overrides()
    raw = path.read_bytes()
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise OverridesError(f"{path}: {err}") from None
    unknown = set(document) - {"merge", "split"}
    if unknown:
        raise OverridesError(f"{path}: unknown table {sorted(unknown)[0]!r} (use [[merge]] or [[split]])")
    return Overrides(
        merges=_entries(path, document, "merge"),
        splits=_entries(path, document, "split"),
        digest=hashlib.sha256(raw).hexdigest(),
    )


def _entries(path: Path, document: dict[str, object], table: str) -> list[list[str]]:
    entries = document.get(table, [])
    if not isinstance(entries, list):
        raise OverridesError(f"{path}: {table} must be an array of tables ([[{table}]])")
    found = []
    for n, entry in enumerate(entries, 1):
        ids = entry.get("ids") if isinstance(entry, dict) else None
        if not isinstance(ids, list) or len(ids) < 2 or not all(isinstance(i, str) and i for i in ids):
            raise OverridesError(f"{path}: [[{table}]] number {n} needs ids = [two or more organisation ids]")
        found.append(list(ids))
    return found
