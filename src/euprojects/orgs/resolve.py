"""Entity resolution of organisations: one canonical organisation per real body, over all sources.

Run after every ingest (``ingest.run``) and on demand (``euprojects orgs resolve [--rebuild]``).
It reads every mention (a row of the store's organisations: one body as one source keys it),
resolves those that are new or changed since the last run, with every mention of the
organisations they were part of (all of them on a rebuild, or when the overrides file changed),
with the matcher (``matching``), and stores for each mention its canonical
organisation with the method and confidence of its link. A canonical organisation keeps its id
from run to run: the id of its best-known mention (a PIC first), or the id it had before.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import msgspec

from euprojects.model import Organisation
from euprojects.orgs import identifiers, matching, overrides
from euprojects.orgs.clusters import Clusters
from euprojects.orgs.details import Ranked, combine
from euprojects.orgs.matching import Mention
from euprojects.orgs.names import latin
from euprojects.orgs.vocabulary import tidy_city, type_code
from euprojects.store.codec import decode_ranked
from euprojects.store.resolution import CanonicalRow, LinkRow, MentionRow, OrganisationResolution

OVERRIDES_DIGEST = "orgs.overrides"
_encoder = msgspec.json.Encoder(order="deterministic")
_ID_RANK = {"pic": 0, "hr-oib": 1, "no-orgnr": 1, "name": 2, "unnamed": 3}


class Extra(msgspec.Struct, omit_defaults=True):
    """What a canonical organisation shows beyond its merged details."""

    identifiers: dict[str, list[str]] = {}
    names: list[str] = []
    type_labels: list[str] = []
    cities: list[str] = []


class ResolveReport(msgspec.Struct):
    mentions: int
    resolved: int  # mentions compared this run
    organisations: int  # canonical organisations after it
    merged: int  # mentions linked to another mention's organisation
    changed_projects: int
    rebuilt: bool
    seconds: float
    methods: dict[str, int] = {}


def resolve(store: OrganisationResolution, home: Path | None = None, *, rebuild: bool = False) -> ResolveReport:
    """Resolve new and changed mentions (all with ``rebuild``) and store the result."""
    started = time.perf_counter()
    manual = overrides.load(home) if home is not None else overrides.Overrides()
    rows = list(store.organisation_mentions())
    previous = {link.org_id: link for link in store.organisation_links()}
    rebuild = rebuild or store.meta_value(OVERRIDES_DIGEST) != manual.digest
    hashes = {row.id: hashlib.blake2b(row.data, digest_size=12).hexdigest() for row in rows}
    edited = {oid for oid, digest in hashes.items() if rebuild or _changed(previous.get(oid), digest, hashes)}
    gone = [oid for oid in previous if oid not in hashes]
    query = affected(edited, gone, previous, hashes)
    if not query and not gone:
        return _report(len(rows), 0, previous.values(), 0, False, started)
    mentions, ranked = _read(rows)
    clusters = cluster(mentions, query, manual, None if rebuild else previous)
    links, canonical = _outcome(clusters, mentions, hashes, previous)
    old_canonical = store.canonical_data()
    rows_out = _canonical_rows(canonical, ranked, mentions, old_canonical, query)
    changed_links = [link for link in links if previous.get(link.org_id) != link]
    touched = sorted(
        {link.org_id for link in changed_links} | {oid for row in rows_out for oid in canonical[row.id]} | set(gone)
    )
    stale = [cid for cid in old_canonical if cid not in canonical]
    meta = {OVERRIDES_DIGEST: manual.digest}
    changed = store.save_resolution(changed_links, gone, rows_out, stale, touched, meta)
    return _report(len(mentions), len(query), links, changed, rebuild, started)


def _read(rows: list[MentionRow]) -> tuple[list[Mention], dict[str, Ranked]]:
    mentions, ranked = [], {}
    for row in rows:
        org = decode_ranked(row.data, row.ranks)
        o = org.organisation
        ranked[row.id] = org
        mentions.append(
            Mention(
                id=row.id,
                name=o.name,
                short_name=o.short_name,
                country=o.country,
                city=o.city,
                identifiers=identifiers.keys(o),
                weight=row.weight,
            )
        )
    mentions.sort(key=lambda m: m.id)
    return mentions, ranked


def affected(changed: set[str], gone: Sequence[str], previous: dict[str, LinkRow], present: Iterable[str]) -> set[str]:
    """The mentions to resolve again: the changed ones and every mention of the organisations
    they (or the mentions that are gone) were part of. A link holds only while both its ends
    are as they were: a renamed record may no longer be the body its name-linked mentions are,
    so its whole organisation is taken apart and matched again."""
    members: dict[str, list[str]] = defaultdict(list)
    for link in previous.values():
        members[link.canonical].append(link.org_id)
    touched = {previous[oid].canonical for oid in (*changed, *gone) if oid in previous}
    known = set(present)
    return changed | {oid for cid in touched for oid in members[cid] if oid in known}


def _changed(link: LinkRow | None, digest: str, hashes: dict[str, str]) -> bool:
    """New, changed since it was resolved, or linked to a mention that is gone."""
    return link is None or link.hash != digest or link.canonical not in hashes


def cluster(
    mentions: Sequence[Mention],
    query: set[str],
    manual: overrides.Overrides,
    previous: dict[str, LinkRow] | None,
) -> Clusters:
    """The matcher's groups: the stored ones of unchanged mentions (unless rebuilding), the
    manual merges, then each step for the mentions in ``query``."""
    clusters = Clusters()
    apart = manual.apart()
    for m in mentions:
        clusters.add(m.id, m.identifiers, apart.get(m.id, ()))
    if previous is not None:
        _restore(clusters, mentions, query, previous)
    known = set(clusters.parent)
    for ids in manual.merges:
        present = [i for i in ids if i in known]
        for other in present[1:]:
            clusters.union(other, present[0], "manual", 1.0, forced=True)
    for step in (
        matching.identifiers_step,
        matching.exact_step,
        matching.acronym_step,
        matching.near_step,
        matching.no_country_step,
    ):
        step(clusters, mentions, query)
    return clusters


def _restore(clusters: Clusters, mentions: Sequence[Mention], query: set[str], previous: dict[str, LinkRow]) -> None:
    """The groups of unchanged mentions as the last run left them, with their links."""
    for m in mentions:
        link = previous.get(m.id)
        if m.id in query or link is None or link.canonical == m.id:
            continue
        if link.canonical in clusters.parent:
            clusters.union(m.id, link.canonical, link.method, link.confidence)
            clusters.links[m.id] = (link.method, link.confidence)


def _outcome(
    clusters: Clusters, mentions: Sequence[Mention], hashes: dict[str, str], previous: dict[str, LinkRow]
) -> tuple[list[LinkRow], dict[str, list[str]]]:
    """Each mention's link and each canonical organisation's mentions, with stable ids."""
    by_id = {m.id: m for m in mentions}
    links: list[LinkRow] = []
    canonical: dict[str, list[str]] = {}
    for members in clusters.groups().values():
        chosen = _canonical_id(members, by_id, previous)
        canonical[chosen] = sorted(members)
        for oid in members:
            method, confidence = ("self", 1.0) if oid == chosen else clusters.links.get(oid, ("self", 1.0))
            links.append(LinkRow(oid, chosen, method, confidence, hashes[oid]))
    return links, canonical


def _canonical_id(members: list[str], by_id: dict[str, Mention], previous: dict[str, LinkRow]) -> str:
    """The id a group keeps: one it had before (the best-known of those), else its best-known mention."""

    def rank(oid: str) -> tuple[int, int, str]:
        return (_ID_RANK.get(oid.partition(":")[0], 4), -by_id[oid].weight, oid)

    before = [oid for oid in members if (link := previous.get(oid)) is not None and link.canonical == oid]
    return min(before or members, key=rank)


def _canonical_rows(
    canonical: dict[str, list[str]],
    ranked: dict[str, Ranked],
    mentions: Sequence[Mention],
    old: dict[str, tuple[bytes, bytes]],
    query: set[str],
) -> list[CanonicalRow]:
    """Canonical records that differ from the stored ones."""
    rows = []
    for cid, members in canonical.items():
        org, extra = canonical_record(cid, [ranked[m] for m in members])
        data, extra_blob = _encoder.encode(org), _encoder.encode(extra)
        if old.get(cid) != (data, extra_blob):
            rows.append(CanonicalRow(cid, org.name, org.country, org.city, org.type, data, extra_blob))
    return rows


def canonical_record(cid: str, members: list[Ranked]) -> tuple[Organisation, Extra]:
    """One organisation from its mentions: each detail from the best-ranked mention that gives it
    (``details.combine``), the type as a CORDIS code, the city tidied."""
    merged = members[0]
    for other in members[1:]:
        merged = combine(merged, other)
    org = merged.organisation
    labels = sorted({o.organisation.type for o in members if o.organisation.type})
    code = type_code(org.type) or next((c for c in map(type_code, labels) if c), None)
    ids: dict[str, set[str]] = defaultdict(set)
    for member in members:
        for kind, value in identifiers.keys(member.organisation).items():
            ids[kind].add(value)
    names = sorted({o.organisation.name for o in members if o.organisation.name}, key=lambda n: (latin(n), n))
    cities = sorted({o.organisation.city for o in members if o.organisation.city})
    org = msgspec.structs.replace(org, id=cid, type=code or org.type, city=tidy_city(org.city))
    extra = Extra(
        identifiers={kind: sorted(values) for kind, values in sorted(ids.items())},
        names=names,
        type_labels=[label for label in labels if label != code],
        cities=cities,
    )
    return org, extra


def _report(mentions: int, resolved: int, links: object, changed: int, rebuilt: bool, started: float) -> ResolveReport:
    rows = list(links)  # type: ignore[call-overload]
    methods: dict[str, int] = defaultdict(int)
    for link in rows:
        methods[link.method] += 1
    return ResolveReport(
        mentions=mentions,
        resolved=resolved,
        organisations=sum(1 for link in rows if link.canonical == link.org_id),
        merged=sum(1 for link in rows if link.canonical != link.org_id),
        changed_projects=changed,
        rebuilt=rebuilt,
        seconds=round(time.perf_counter() - started, 2),
        methods=dict(sorted(methods.items())),
    )
