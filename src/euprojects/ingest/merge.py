"""How the fragments of one project become one record.

Fragments are ordered by their format's priority (official tables first, scraped pages last),
then by file and line, so the result never depends on the order files were ingested in.
Scalars take the first value present; lists are united; the partner list is the most complete
one (``partners``), and what the merged record implies is added last (``derive``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec

from euprojects.ingest import derive, partners
from euprojects.ingest.quality import quality_flags
from euprojects.model import Flag, Link, Project, Provenance, split_id
from euprojects.sources.roles import ROLES, FormatRole
from euprojects.store.base import Fragment

_SPECIAL = {"source", "source_id", "themes", "nuts", "links", "flags", "raw", "provenance", "participations"}
_SPECIAL |= {
    "label",
    "unlisted",
    "partners_partial",
    "partners_format",
}  # derived from the merged record, never taken from one
SCALARS = tuple(name for name in Project.__struct_fields__ if name not in _SPECIAL)


def merge(project_id: str, fragments: Sequence[Fragment], roles: Mapping[str, FormatRole] = ROLES) -> Project:
    if len(fragments) == 1:
        return _single(project_id, fragments[0], roles)
    return _general(project_id, fragments, roles)


def _general(project_id: str, fragments: Sequence[Fragment], roles: Mapping[str, FormatRole] = ROLES) -> Project:
    ordered = sorted(fragments, key=lambda f: (-_priority(roles, f.format), f.format, f.file, f.line or 0))
    projects = [f.project for f in ordered]
    source, source_id = split_id(project_id)
    values: dict[str, Any] = {name: _first(projects, name) for name in SCALARS}
    merged = Project(
        source=source,
        source_id=source_id,
        themes=_union_strings(p.themes for p in projects),
        nuts=_union_strings(p.nuts for p in projects),
        links=_union_links(projects),
        flags=_union_flags(projects),
        raw=_merge_raw(projects),
        provenance=_provenance(ordered),
        **values,
    )
    merged.participations, merged.partners_partial, merged.partners_format = partners.choose(ordered, roles)
    return _finish(merged, ordered, roles)


def _priority(roles: Mapping[str, FormatRole], name: str) -> int:
    role = roles.get(name)
    return role.priority if role else 0


def _finish(merged: Project, ordered: Sequence[Fragment], roles: Mapping[str, FormatRole]) -> Project:
    derive.finish(merged, ordered, roles)
    extra = [f for f in quality_flags(merged) if f not in merged.flags]
    if extra:
        merged.flags = [*merged.flags, *extra]
    return merged


def _single(project_id: str, fragment: Fragment, roles: Mapping[str, FormatRole] = ROLES) -> Project:
    """The common case, one record for a project: the same result as the general path, faster."""
    source, source_id = split_id(project_id)
    merged = msgspec.structs.replace(
        fragment.project,
        source=source,
        source_id=source_id,
        themes=_union_strings([fragment.project.themes]),
        nuts=_union_strings([fragment.project.nuts]),
        links=_union_links([fragment.project]),
        flags=_union_flags([fragment.project]),
        provenance=_provenance([fragment]),
    )
    merged.participations, merged.partners_partial, merged.partners_format = partners.choose([fragment], roles)
    return _finish(merged, [fragment], roles)


def combine(projects: Sequence[Project]) -> Project:
    """Adjacent rows of one file that describe the same project, as one record: a participation
    table lists a project's partners row by row. Scalars come from the first row that has them;
    every row's partners are kept in order."""
    if len(projects) == 1:
        return projects[0]
    values: dict[str, Any] = {name: _first(projects, name) for name in SCALARS}
    return Project(
        source=projects[0].source,
        source_id=projects[0].source_id,
        themes=_union_strings(p.themes for p in projects),
        nuts=_union_strings(p.nuts for p in projects),
        links=_union_links(projects),
        flags=_union_flags(projects),
        raw=_merge_raw(projects),
        participations=[x for p in projects for x in p.participations],
        **values,
    )


def _first(projects: Sequence[Project], name: str) -> object:
    for project in projects:
        value = getattr(project, name)
        if value is not None:
            return value
    return None


def _union_strings(lists: Iterable[list[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for values in lists:
        for value in values:
            seen.setdefault(value, None)
    return list(seen)


def _union_links(projects: Sequence[Project]) -> list[Link]:
    """Links by URL: CORDIS lists each deliverable in two tables, once with its title."""
    seen: dict[tuple[str | None, str | None], Link] = {}
    for project in projects:
        for link in project.links:
            key = (link.url, None) if link.url else (None, link.title)
            known = seen.get(key)
            if known is None:
                seen[key] = link
            elif not known.title and link.title:
                seen[key] = msgspec.structs.replace(link, kind=known.kind or link.kind)
    return list(seen.values())


def _union_flags(projects: Sequence[Project]) -> list[Flag]:
    seen: dict[str, Flag] = {}
    for project in projects:
        for flag in project.flags:
            seen.setdefault(flag.code, flag)
    return list(seen.values())


def _merge_raw(projects: Sequence[Project]) -> dict[str, str]:
    raw: dict[str, str] = {}
    for project in projects:
        for key, value in project.raw.items():
            raw.setdefault(key, value)
    return raw


def _provenance(ordered: Sequence[Fragment]) -> list[Provenance]:
    by_file: dict[tuple[str, str], Provenance] = {}
    for fragment in ordered:
        key = (fragment.format, fragment.file)
        entry = by_file.get(key)
        if entry is None:
            by_file[key] = Provenance(
                format=fragment.format,
                file=fragment.file,
                line=fragment.line,
                records=1,
                first_seen=fragment.first_seen,
                last_seen=fragment.last_seen,
            )
            continue
        entry.records += 1
        if fragment.line is not None and (entry.line is None or fragment.line < entry.line):
            entry.line = fragment.line
        if entry.first_seen is None or fragment.first_seen < entry.first_seen:
            entry.first_seen = fragment.first_seen
        if entry.last_seen is None or fragment.last_seen > entry.last_seen:
            entry.last_seen = fragment.last_seen
    return list(by_file.values())
