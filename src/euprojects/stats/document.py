"""What each project's index document carries for statistics, beyond its filters and facets.

Tantivy's aggregations count documents, and a value repeated in one document counts once. A
project's participations are counted through ordinals instead: a project with three partners in
Germany carries ``c␟DE␟1``, ``c␟DE␟2`` and ``c␟DE␟3``, so the documents in the buckets of
``c␟DE␟*`` add up to its participations there. Distinct organisations are buckets of
``<partition>␟c␟DE␟<organisation id>`` (in all and by country only); pairs of partner
countries (who works with whom) are one value per pair, partners' places one value per place.
All of it is computed from the project as the store holds it, so a rebuilt index gives the same
figures.
"""

from __future__ import annotations

import zlib
from collections import Counter
from itertools import combinations

from euprojects.model import Participation, Project

SEPARATOR = "\x1f"
# index field → what its values are
PARTICIPATIONS = "stats_participations"
ORGANISATIONS = "stats_organisations"
PAIRS = "stats_pairs"
PLACES = "stats_places"
FIELDS = (PARTICIPATIONS, ORGANISATIONS, PAIRS, PLACES)
# Participation dimensions, by the letter that starts their values.
DIMENSIONS = {"c": "country", "t": "org_type", "r": "role", "n": "nuts"}
NUTS_LEVELS = (3, 4, 5)  # NUTS 1, 2 and 3 codes have 3, 4 and 5 characters
# Organisations' values start with one of this many partitions (by a stable hash of the
# organisation id), so that their buckets can be counted a few partitions at a time: Tantivy
# refuses an aggregation of more than 65,000 buckets.
PARTITIONS = 16


def key(letter: str, value: str, rest: str) -> str:
    return f"{letter}{SEPARATOR}{value}{SEPARATOR}{rest}"


def partition(org_id: str) -> int:
    """The organisation's partition: the same in every process and every run."""
    return zlib.crc32(org_id.encode()) % PARTITIONS


def participation_values(project: Project) -> list[tuple[str, str, str]]:
    """(dimension letter, value, organisation id) of each participation, for every dimension
    it has a value in."""
    found: list[tuple[str, str, str]] = []
    for participation in project.participations:
        org = participation.organisation
        found.append(("r", participation.role.value, org.id))
        if org.country:
            found.append(("c", org.country, org.id))
        if org.type:
            found.append(("t", org.type, org.id))
        if org.nuts:
            found += [("n", org.nuts[:n], org.id) for n in NUTS_LEVELS if len(org.nuts) >= n]
    return found


def _organisation(project: Project, participation: Participation) -> str:
    """An organisation's value: its partition, its country (``o`` without one) and its id.
    Distinct organisations are counted in all and by country only: each of them is a bucket, and
    buckets are what aggregations spend their time on."""
    org = participation.organisation
    letter, value = ("c", org.country) if org.country else ("o", "")
    return f"{partition(org.id):x}{SEPARATOR}{key(letter, value, org.id)}"


def places(project: Project) -> list[str]:
    """Where the project's partners are, to a tenth of a degree (about 10 km): ``lat␟lon``."""
    return sorted(
        {
            f"{org.latitude:.1f}{SEPARATOR}{org.longitude:.1f}"
            for p in project.participations
            if (org := p.organisation).latitude is not None and org.longitude is not None
        }
    )


def stats_fields(project: Project) -> dict[str, list[str]]:
    """The statistics fields of a project's index document."""
    values = participation_values(project)
    seen: Counter[tuple[str, str]] = Counter()
    ordinals = []
    for letter, value, _ in values:
        seen[letter, value] += 1
        ordinals.append(key(letter, value, str(seen[letter, value])))
    organisations = sorted({_organisation(project, participation) for participation in project.participations})
    pairs = [f"{a}{SEPARATOR}{b}" for a, b in combinations(sorted(project.countries), 2)]
    found = {PARTICIPATIONS: ordinals, ORGANISATIONS: organisations, PAIRS: pairs, PLACES: places(project)}
    return {name: value for name, value in found.items() if value}
