"""The matcher: which mentions of organisations name one body, step by step, strongest first.

1. **Identifiers**: mentions that share a PIC, an OIB or a Norwegian organisation number are
   one (a VAT number only when the names agree too: CNRS's and the Max Planck Society's
   institutes are registered apart under their parent's VAT number).
2. **Manual merges** from the overrides file (``overrides.py``), before any name is compared.
3. **Exact name key** (``names.name_key``) within one country. When the key is shared by two
   bodies that are registered apart (two PICs), mentions without an identifier join neither.
4. **Near names** within one country: candidates are blocked by the two rarest words of the key,
   scored with rapidfuzz, the city weighed when both give one; the best candidate must be clearly
   better than the next body. Generic names (schools, hospitals, faculties: ``evidence``) link
   only with agreeing cities, here and in step 3; a word only one name has may not be a place,
   a number or the part of a body.
5. **Acronyms** (``EPFL``) within one country, when exactly one body has that short name.
6. **No country** (ERC host institutions, FP1–FP3 rows): the exact key, when one body in the
   data has it, or one body has ten times the participations of any other that has it; never a
   generic name (``evidence``).

Steps compare only ``query`` mentions (new or changed ones, or all of them on a rebuild) against
all others, so an ingest that adds a few mentions resolves only those.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache

import msgspec
from rapidfuzz import fuzz

from euprojects.normalise.places import fold
from euprojects.orgs.clusters import Clusters
from euprojects.orgs.evidence import cities_agree, distinguishing, is_generic, place_words
from euprojects.orgs.names import name_key

NEAR = 90.0  # lowest score (0–100) of a near-name link
TYPO = 88.0  # lowest rapidfuzz ratio of two words taken as one word misspelt
MARGIN = 3.0  # how much better than the next body the best candidate must be
BLOCK_WORDS = 2  # rarest words of a key that block candidates
COMMON = 400  # a word in more names of one country than this blocks nothing
DOMINANT = 10  # how many times the participations of the next body a name's body must have


class Mention(msgspec.Struct, frozen=True):
    """One organisation as the sources name it, with what the matcher compares."""

    id: str
    name: str | None = None
    short_name: str | None = None
    country: str | None = None
    city: str | None = None
    identifiers: dict[str, str] = {}
    weight: int = 0  # participations: the best-known id names the organisation
    key: str = ""  # names.name_key of the name

    def __post_init__(self) -> None:
        if self.name and not self.key:
            msgspec.structs.force_setattr(self, "key", name_key(self.name, self.country))


def identifiers_step(clusters: Clusters, mentions: Sequence[Mention], query: set[str]) -> None:
    by_value: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        for kind, value in m.identifiers.items():
            by_value[(kind, value)].append(m)
    for (kind, _), group in by_value.items():
        if len(group) < 2 or not any(m.id in query for m in group):
            continue
        first = group[0]
        for other in group[1:]:
            if kind != "vat":
                clusters.union(other.id, first.id, f"identifier:{kind}", 1.0)
            elif score_names(first.key, other.key) >= NEAR:
                clusters.union(other.id, first.id, "identifier:vat+name", 0.99)


def places_by_country(mentions: Sequence[Mention]) -> dict[str, frozenset[str]]:
    """The words of each country's cities (``evidence.place_words``)."""
    cities: dict[str, list[str | None]] = defaultdict(list)
    for m in mentions:
        if m.country:
            cities[m.country].append(m.city)
    return {country: place_words(names) for country, names in cities.items()}


def exact_step(clusters: Clusters, mentions: Sequence[Mention], query: set[str]) -> None:
    places = places_by_country(mentions)
    groups: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.country and m.key:
            groups[(m.country, m.key)].append(m)
    for (country, key), group in groups.items():
        if len(group) < 2 or not any(m.id in query for m in group):
            continue
        for part in _by_city(group) if is_generic(key, places[country]) else [group]:
            if len(part) > 1:
                _join_group(clusters, part, "name:exact", 0.97)


def _by_city(group: list[Mention]) -> list[list[Mention]]:
    """A generic name's mentions in groups of agreeing cities; those without a city join none."""
    parts: list[list[Mention]] = []
    for m in sorted((m for m in group if m.city), key=lambda m: m.id):
        part = next((p for p in parts if cities_agree(p[0].city, m.city)), None)
        if part is None:
            parts.append([m])
        else:
            part.append(m)
    return parts


def _join_group(clusters: Clusters, group: list[Mention], method: str, confidence: float) -> None:
    """Join a group of mentions that share a key: registered bodies that do not conflict, then
    the others into the one registered body left (or, when two remain, only with each other)."""
    ordered = sorted(group, key=lambda m: (-m.weight, m.id))
    anchors = [m for m in ordered if clusters.identified(m.id)]
    for m in anchors[1:]:
        clusters.union(m.id, anchors[0].id, method, confidence)
    roots = {clusters.find(m.id) for m in anchors}
    others = [m for m in ordered if not clusters.identified(m.id)]
    target = next(iter(roots)) if len(roots) == 1 else (others[0].id if others else None)
    for m in others:
        if target is not None and m.id != target:
            clusters.union(m.id, target, method, confidence)


def near_step(clusters: Clusters, mentions: Sequence[Mention], query: set[str]) -> None:
    blocks, frequency = _blocks(mentions)
    places = places_by_country(mentions)
    for m in mentions:
        if m.id not in query or not m.country or not m.key or clusters.has(m.id, "pic"):
            continue
        best = _best_near(clusters, m, _candidates(m, blocks, frequency), places[m.country])
        if best is not None:
            clusters.union(m.id, best[0], "name:near", round(best[1] / 100, 3))


def _blocks(mentions: Sequence[Mention]) -> tuple[dict[tuple[str, str], list[Mention]], Counter[tuple[str, str]]]:
    frequency: Counter[tuple[str, str]] = Counter()
    for m in mentions:
        if m.country and m.key:
            frequency.update((m.country, word) for word in set(m.key.split()))
    blocks: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.country and m.key:
            for word in _rarest(m, frequency):
                blocks[(m.country, word)].append(m)
    return blocks, frequency


def _rarest(m: Mention, frequency: Counter[tuple[str, str]]) -> list[str]:
    words = sorted(set(m.key.split()), key=lambda w: (frequency[(m.country or "", w)], w))
    return [w for w in words[:BLOCK_WORDS] if frequency[(m.country or "", w)] <= COMMON]


def _candidates(
    m: Mention, blocks: dict[tuple[str, str], list[Mention]], frequency: Counter[tuple[str, str]]
) -> Iterable[Mention]:
    seen: set[str] = {m.id}
    for word in _rarest(m, frequency):
        for other in blocks.get((m.country or "", word), ()):
            if other.id not in seen:
                seen.add(other.id)
                yield other


def _best_near(
    clusters: Clusters, m: Mention, candidates: Iterable[Mention], places: frozenset[str] = frozenset()
) -> tuple[str, float] | None:
    """The body whose mention is nearest, when near enough and clearly nearer than any other."""
    own = clusters.find(m.id)
    by_root: dict[str, float] = {}
    for other in candidates:
        root = clusters.find(other.id)
        if root == own:
            continue
        score = near_score(m, other, places)
        if score > by_root.get(root, 0.0):
            by_root[root] = score
    ranked = sorted(by_root.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < NEAR:
        return None
    if len(ranked) > 1 and ranked[1][1] > ranked[0][1] - MARGIN and clusters.conflict(ranked[0][0], ranked[1][0]):
        return None
    return ranked[0]


def near_score(a: Mention, b: Mention, places: frozenset[str] = frozenset()) -> float:
    """How alike two mentions' names are (0–100), less when they name different cities; 0 for a
    generic name without agreeing cities, or when a word only one name has is a place that is
    not the other's city (``evidence``)."""
    if (_generic(a.key, places) or _generic(b.key, places)) and not cities_agree(a.city, b.city):
        return 0.0
    left, right = _unpaired(a.key.split(), b.key.split())
    # The country's places but the two cities' words: looked up word by word rather than copied,
    # since every pair of candidates would copy the whole country's set.
    if (left or right) and distinguishing([*left, *right], _Without(places, _city_words(a.city) | _city_words(b.city))):
        return 0.0
    score = _scored(a.key, b.key, left, right)
    if a.city and b.city and score >= NEAR - 10:
        ca, cb = _folded(a.city), _folded(b.city)
        if ca and cb and fuzz.partial_ratio(ca, cb) < 80:
            score -= 8
    return score


class _Without:
    """A set of words less some others, answering ``in`` without copying the set."""

    __slots__ = ("excluded", "places")

    def __init__(self, places: frozenset[str], excluded: frozenset[str]) -> None:
        self.places, self.excluded = places, excluded

    def __contains__(self, word: object) -> bool:
        return word in self.places and word not in self.excluded


@lru_cache(maxsize=65_536)
def _folded(city: str) -> str:
    """A city folded once: the same cities come up in pair after pair of candidates."""
    return fold(city)


@lru_cache(maxsize=65_536)
def _city_words(city: str | None) -> frozenset[str]:
    return frozenset(_folded(city).split()) if city else frozenset()


@lru_cache(maxsize=65_536)
def _generic(key: str, places: frozenset[str]) -> bool:
    """``evidence.is_generic``, once per name key and country: a mention is compared with many."""
    return is_generic(key, places)


def score_names(a: str, b: str) -> float:
    """Word order ignored; 0 unless the words the names do not share are typos of each other
    (``maritme``, ``foerderung``) or a few words on one side of a name of three words or more
    (``Medunarodna``), none a number or the part of a body. A different word on each side (``Općina Klis``,
    ``Općina Kali``; ``... Sisak``, ``... Osijek``) is a different body, however alike the rest."""
    if not a or not b:
        return 0.0
    left, right = _unpaired(a.split(), b.split())
    return _scored(a, b, left, right)


def _scored(a: str, b: str, left: list[str], right: list[str]) -> float:
    """``score_names`` of two keys whose unpaired words are known."""
    if not a or not b:
        return 0.0
    if (left and right) or distinguishing([*left, *right]):
        return 0.0
    if left or right:
        shorter = b if left else a
        if shorter.count(" ") < 2 or 2 * len(left or right) > shorter.count(" ") + 1:
            return 0.0
        return float(max(fuzz.token_sort_ratio(a, b), fuzz.token_set_ratio(a, b) - 2))
    return float(max(fuzz.token_sort_ratio(a, b), 96.0))


def _unpaired(a: list[str], b: list[str]) -> tuple[list[str], list[str]]:
    """The words of each name with no equal or near-equal word in the other."""
    left = [w for w in a if w not in b]
    right = [w for w in b if w not in a]
    for word in list(left):
        match = max(right, key=lambda other: fuzz.ratio(word, other), default=None)
        if match is not None and fuzz.ratio(word, match) >= TYPO:
            left.remove(word)
            right.remove(match)
    if left and right and fuzz.ratio("".join(left), "".join(right)) >= TYPO:  # "chemische technik"
        return [], []
    return left, right


def acronym_step(clusters: Clusters, mentions: Sequence[Mention], query: set[str]) -> None:
    short: dict[tuple[str, str], set[str]] = defaultdict(set)
    for m in mentions:
        if m.short_name and m.country and clusters.identified(m.id):
            short[(m.country, fold(m.short_name).replace(" ", ""))].add(clusters.find(m.id))
    for m in mentions:
        if m.id not in query or not m.country or not m.name or " " in m.key or clusters.identified(m.id):
            continue
        roots = {clusters.find(r) for r in short.get((m.country, m.key), ())}
        if len(roots) == 1:
            clusters.union(m.id, roots.pop(), "name:acronym", 0.9)


def no_country_step(clusters: Clusters, mentions: Sequence[Mention], query: set[str]) -> None:
    by_key: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.country and m.name:  # keys as a name with no country has them (Greek ones unreduced)
            by_key[name_key(m.name)].append(m)
    places = frozenset().union(*places_by_country(mentions).values())
    for m in mentions:
        if m.id not in query or m.country or not m.key or len(m.key) < 6 or is_generic(m.key, places):
            continue
        root = _dominant(clusters, by_key.get(m.key, ()))
        if root is not None:
            clusters.union(m.id, root, "name:exact-no-country", 0.9)


def _dominant(clusters: Clusters, named: Iterable[Mention]) -> str | None:
    """The one body that has a name, or the body that holds nearly all its participations (a
    stray mention under a wrong country, ``Technische Universität Berlin`` once in Ireland, does
    not make a name ambiguous)."""
    weights: Counter[str] = Counter()
    for other in named:
        weights[clusters.find(other.id)] += max(other.weight, 1)
    ranked = weights.most_common(2)
    if len(ranked) == 1 or (len(ranked) == 2 and ranked[0][1] >= DOMINANT * ranked[1][1]):
        return ranked[0][0]
    return None
