"""Records that name one project under two ids, joined by what they say of it.

CORDIS' complete H2020 participation table knows projects only by record number (rcn), with
their dates, EU contribution and partners' amounts but no title; the grant tables know the grant
id and the title but no rcn; the ERC's lists know neither. No table here maps one to the other
for most projects, so records are compared:

- an ERC grant and a CORDIS record with the same acronym, start and budget, or, for records
  without an acronym, an rcn record of the ERC programme part with the same start, end and budget;
- a CORDIS grant with the same start, end and EU contribution as an rcn record (scraped pages,
  CleanTechTag's table);
- a Norwegian grant whose Norwegian partner received, to the cent, what a Norwegian partner of an
  rcn record with the same start and end received.

Only unique matches are joined: the rcn record matches exactly one grant of a kind and the grant
exactly one rcn record. Each link keeps its method. The grant id names the joined project (else
the ERC id); the rcn becomes its alias, as it is when a table gives both.

Links are found among the records not joined yet and kept from one ingest to the next (a joined
record is no longer a project of its own to compare); a link goes when one of its records does.

An ingest links in rounds (a join can bring the facts for another); :class:`Facts` reads what
is compared from the store once and then follows the projects saved between rounds, instead of
reading all of it again each round.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

import msgspec

from euprojects.normalise.places import fold
from euprojects.store import Store
from euprojects.store.base import LinkFacts
from euprojects.store.rows import PreparedBatch, ProjectLink, ProjectRow

RCN = "cordis:rcn-"
ERC_PROGRAMME = "European Research Council"
SAME_BUDGET = "same start, end and EU contribution"
SAME_NORWEGIAN_PARTNER = "same start and end, and a Norwegian partner with the same EU contribution"
SAME_ERC_GRANT = "ERC grant with the same start, end and budget"
SAME_ERC_ACRONYM = "ERC grant with the same acronym, start and budget"
Key = tuple[str | None, str | None, float]
SOURCES = ["cordis", "erc"]


class Facts:
    """The link facts of the store, read at the first round and then kept in step with the
    projects each later round saves (``saved``): a round re-reads only which projects have
    another id joined to them, which the links of the round before change."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.facts: dict[str, LinkFacts] | None = None
        self.changed: dict[str, LinkFacts | None] = {}

    def saved(self, batch: PreparedBatch) -> None:
        """A batch of projects the store has just saved (``materialise`` calls this)."""
        if self.facts is None:
            return  # the first round reads the store as it stands
        for row in batch.rows:
            self.changed[row.columns.id] = _from_row(row)
        for pid in batch.deleted:
            self.changed[pid] = None

    def current(self) -> list[LinkFacts]:
        if self.facts is None:
            self.facts = {f.id: f for f in self.store.link_facts(SOURCES)}
            return list(self.facts.values())
        for pid, facts in self.changed.items():
            if facts is None:
                self.facts.pop(pid, None)
            else:
                self.facts[pid] = facts
        self.changed = {}
        joined = self.store.aliases_of(list(self.facts))
        self.facts = {pid: msgspec.structs.replace(f, joined=pid in joined) for pid, f in self.facts.items()}
        return list(self.facts.values())


def _from_row(row: ProjectRow) -> LinkFacts | None:
    """A saved project's facts as ``Store.link_facts`` reads them: listed CORDIS and ERC
    projects, with their partners' EU amounts (in euro) by country, in the source's order."""
    columns = row.columns
    if not columns.listed or columns.source not in SOURCES:
        return None
    amounts = tuple(
        (p.country, p.eu_contribution_eur)
        for p in row.participations
        if p.country is not None and p.eu_contribution_eur is not None
    )
    return LinkFacts(
        columns.id,
        columns.acronym,
        columns.start_date,
        columns.end_date,
        columns.eu_contribution_eur,
        columns.programme,
        amounts,
        False,
    )


def find_links(store: Store, known: Facts | None = None) -> list[ProjectLink]:
    """``(alias, target, method)`` for every twin found by comparing records (as ``known``
    holds them, when given: it follows the projects saved since it read the store)."""
    facts = known.current() if known is not None else store.link_facts(SOURCES)
    cordis = [f for f in facts if f.id.startswith("cordis:")]
    records = [f for f in cordis if f.id.startswith(RCN) and not f.joined and f.start_date]
    grants = [f for f in cordis if not f.id.startswith(RCN) and not f.joined and f.start_date]
    ercs = [f for f in facts if f.id.startswith("erc:") and f.start_date]
    by_budget = _index(records, lambda f: [_key(f, f.eu_contribution_eur)])
    erc_budget = _index(
        [f for f in records if f.programme and ERC_PROGRAMME in f.programme], lambda f: [_key(f, f.eu_contribution_eur)]
    )
    norwegian = _index(records, _norwegian_keys)
    matches: dict[str, dict[str, set[tuple[str, str]]]] = {k: defaultdict(set) for k in ("grant", "erc", "named")}
    for grant in grants:
        if found := _unique(by_budget, [_key(grant, grant.eu_contribution_eur)]):
            matches["grant"][found].add((grant.id, SAME_BUDGET))
        elif found := _unique(norwegian, _norwegian_keys(grant)):
            matches["grant"][found].add((grant.id, SAME_NORWEGIAN_PARTNER))
    by_acronym = _index([f for f in cordis if f.acronym], lambda f: [_named(f)])
    for erc in ercs:
        if found := _unique(by_acronym, [_named(erc)]):
            matches["named"][found].add((erc.id, SAME_ERC_ACRONYM))
        elif found := _unique(erc_budget, [_key(erc, erc.eu_contribution_eur)]):
            matches["erc"][found].add((erc.id, SAME_ERC_GRANT))
    return _links(matches)


def _key(facts: LinkFacts, amount: float | None) -> Key | None:
    return (facts.start_date, facts.end_date, round(amount, 2)) if amount else None


def _named(facts: LinkFacts) -> Key | None:
    """Acronym, start and budget: the end date is left out, since the ERC's lists and CORDIS give
    different end dates for some grants (extensions)."""
    if not facts.acronym or not facts.eu_contribution_eur:
        return None
    return (fold(facts.acronym), facts.start_date, round(facts.eu_contribution_eur, 2))


def _norwegian_keys(facts: LinkFacts) -> list[Key | None]:
    return [_key(facts, amount) for country, amount in facts.partner_amounts if country == "NO"]


def _index(records: Iterable[LinkFacts], keys: Callable[[LinkFacts], list[Key | None]]) -> dict[Key, set[str]]:
    found: dict[Key, set[str]] = defaultdict(set)
    for record in records:
        for key in keys(record):
            if key is not None:
                found[key].add(record.id)
    return found


def _unique(index: dict[Key, set[str]], keys: list[Key | None]) -> str | None:
    candidates: set[str] = set()
    for key in keys:
        if key is not None:
            candidates |= index.get(key, set())
    return next(iter(candidates)) if len(candidates) == 1 else None


def _links(matches: dict[str, dict[str, set[tuple[str, str]]]]) -> list[ProjectLink]:
    """One rcn record matched by one grant of a kind: the grant names the project, the rcn and
    (when both matched) the ERC id become its aliases."""
    links = []
    for record, named in sorted(matches["named"].items()):
        if len(named) == 1 and record not in matches["grant"] and record not in matches["erc"]:
            [(erc, method)] = named
            links.append(_toward_grant(erc, record, method))
    for record in sorted(set(matches["grant"]) | set(matches["erc"])):
        grants, ercs = matches["grant"].get(record, set()), matches["erc"].get(record, set())
        if len(grants) > 1 or len(ercs) > 1:
            continue
        if grants:
            [(grant, method)] = grants
            links.append(ProjectLink(record, grant, method))
            links.extend(ProjectLink(erc, grant, erc_method) for erc, erc_method in ercs)
        else:
            [(erc, method)] = ercs
            links.append(ProjectLink(record, erc, method))
    return links


def _toward_grant(erc: str, record: str, method: str) -> ProjectLink:
    """An ERC id and a CORDIS record of one grant: the grant id names the project; a record known
    only by its rcn becomes the ERC id's alias."""
    return ProjectLink(erc, record, method) if not record.startswith(RCN) else ProjectLink(record, erc, method)
