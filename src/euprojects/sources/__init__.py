"""The registry of source formats: every module of this package and of its publishers'
subpackages (``cordis/``, ``operations/``, ``keep/``, …) that defines ``FORMATS``.

Adding a format means adding a module and its row in ``roles.py``; nothing here needs editing.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from euprojects.sources import refusals
from euprojects.sources.base import Format, Head, SourceError
from euprojects.sources.roles import ROLES

__all__ = ["Format", "Planned", "SourceError", "by_name", "detect", "formats", "plan"]

# Files that sit beside data but are not data.
DOCUMENTATION = frozenset({"README.md", "README.txt", "README", "LICENSE", "LICENSE.md", ".DS_Store"})


@cache
def formats() -> tuple[Format, ...]:
    """Every loader's formats, with their role from the table in ``sources/roles.py``."""
    found: list[Format] = []
    for module in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        loaded = importlib.import_module(module.name)
        found.extend(getattr(loaded, "FORMATS", ()))
    missing = [f.name for f in found if f.name not in ROLES]
    if missing:
        raise RuntimeError(f"formats without a row in sources/roles.py: {', '.join(missing)}")
    return tuple(sorted((_with_role(f) for f in found), key=lambda f: f.name))


def _with_role(fmt: Format) -> Format:
    role = ROLES[fmt.name]
    return dataclasses.replace(fmt, priority=role.priority, establishes=role.establishes, partners=role.partners)


def by_name(name: str) -> Format:
    for fmt in formats():
        if fmt.name == name:
            return fmt
    known = ", ".join(f.name for f in formats())
    raise SourceError(f"unknown format {name!r}; known formats: {known}")


def detect(path: Path) -> Format:
    """The one format whose detector accepts the file; SourceError when none or several do, saying
    why each plausible format refused it."""
    try:
        head = Head(path)
    except OSError as err:
        raise SourceError(f"cannot read the file: {err.strerror or err}") from None
    if not head.bytes.strip():
        raise SourceError("the file is empty")
    matches, reasons = refusals.judge(head, formats())
    if not matches:
        raise SourceError(refusals.unrecognised(head, reasons, formats()))
    if len(matches) > 1:
        names = ", ".join(f.name for f in matches)
        raise SourceError(f"several formats recognise this file ({names}); choose one with --format")
    return matches[0]


@dataclass(frozen=True, slots=True)
class Planned:
    """A file found under an ingest path, with the format to read it or why it is skipped."""

    path: Path
    format: Format | None = None
    skipped: str | None = None
    error: str | None = None
    fingerprint: str | None = None


def _companions() -> dict[str, str]:
    return {name: fmt.name for fmt in formats() for name in fmt.companions}


def plan(paths: list[Path], format_name: str | None = None) -> list[Planned]:
    """Expand directories (recursively, in name order) and decide how to read each file."""
    forced = by_name(format_name) if format_name else None
    companions = _companions()
    planned: list[Planned] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            planned.extend(_plan_file(f, forced, companions, explicit=False) for f in files)
        else:
            planned.append(_plan_file(path, forced, companions, explicit=True))
    return planned


def _plan_file(path: Path, forced: Format | None, companions: dict[str, str], explicit: bool) -> Planned:
    if not path.exists():
        return Planned(path, error="no such file or directory")
    if forced:
        return Planned(path, format=forced)
    if not explicit and path.name in DOCUMENTATION:
        return Planned(path, skipped="documentation")
    if path.name in companions:
        return Planned(path, skipped=f"read together with the {companions[path.name]} files beside it")
    try:
        return Planned(path, format=detect(path))
    except SourceError as err:
        return Planned(path, error=str(err))
