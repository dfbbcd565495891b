"""Labels for bench/orgs.py: which mentions of organisations are one body, proven without names.

Two kinds of evidence, neither of which looks at a name:

* **Identifiers** (``identifier``): a Norwegian register row (organisation number) and a CORDIS
  record whose VAT number is that number; a Croatian list row (OIB) and a CORDIS record with VAT
  ``HR`` + OIB. Every PIC is one registration.
* **One project in two sources** (``project``): when a project is in the PIC-keyed CORDIS
  participations and in a source that keys organisations otherwise (the 2019 H2020 layout, ERC
  grants, the Norwegian register of grants, CORDIS pages), the coordinators of the two lists are
  one body when the two lists are as long (an ERC grant that moved lists its old and its new
  host in CORDIS, the new one alone in the ERC's table), and so are the only participant of a
  country in each list. A mention so aligned with
  two different PICs (over its projects) is left unlabelled.

Known label noise: sources of different dates list different beneficiaries (an ERC grant that
moved with its researcher to another host, a beneficiary that left the consortium, a coordinator
that changed), so a few aligned pairs are two bodies; bench/README.md gives a sample's count.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from euprojects.model import Role
from euprojects.store import codec

PIC_SOURCE = "cordis-h2020-participations"
OTHER_SOURCES = {
    "cordis-h2020-projects-2019": "H2020 2019 layout",
    "erc-grants": "ERC hosts",
    "norway-h2020": "Norwegian register",
    "cordis-scraped-pages": "CORDIS pages",
}
Member = tuple[str, str | None, bool]  # mention id, country, coordinator


def project_alignments(db_path: Path) -> dict[str, dict[str, set[str]]]:
    """For each mention that another source keys otherwise: the PICs it was aligned with, by the
    source that gave the alignment."""
    lists = _participant_lists(db_path)
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for by_source in lists.values():
        reference = by_source.get(PIC_SOURCE)
        if not reference:
            continue
        for source, members in by_source.items():
            if source == PIC_SOURCE:
                continue
            for mention, pic in _aligned(reference, members):
                if not mention.startswith("pic:"):
                    found[mention][OTHER_SOURCES[source]].add(pic)
    return found


def _participant_lists(db_path: Path) -> dict[str, dict[str, list[Member]]]:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    alias = dict(db.execute("SELECT alias, MIN(project_id) FROM aliases GROUP BY alias"))
    formats = [PIC_SOURCE, *OTHER_SOURCES]
    rows = db.execute(
        f"SELECT format, project_id, payload FROM fragments WHERE format IN ({','.join('?' * len(formats))})", formats
    )
    lists: dict[str, dict[str, list[Member]]] = defaultdict(dict)
    for fmt, pid, payload in rows:
        project = codec.decode_project(payload)
        members = [(p.organisation.id, p.organisation.country, p.role is Role.LEAD) for p in project.participations]
        if members:
            lists[alias.get(pid, pid)][fmt] = members
    db.close()
    return {pid: by_source for pid, by_source in lists.items() if len(by_source) > 1}


def _aligned(reference: list[Member], members: list[Member]) -> Iterable[tuple[str, str]]:
    """(mention, PIC) pairs one project's two lists prove: the coordinators, and the only member
    of a country on each side."""
    leads_ref = [m for m in reference if m[2]]
    leads = [m for m in members if m[2]]
    if len(leads_ref) == 1 and len(leads) == 1 and len(reference) == len(members):
        yield leads[0][0], leads_ref[0][0].removeprefix("pic:")
    by_country_ref = _by_country(reference)
    for country, ids in _by_country(members).items():
        ref = by_country_ref.get(country, [])
        if len(ids) == 1 and len(ref) == 1:
            yield ids[0], ref[0].removeprefix("pic:")


def _by_country(members: list[Member]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for mention, country, _ in members:
        if country:
            found[country].append(mention)
    return found
