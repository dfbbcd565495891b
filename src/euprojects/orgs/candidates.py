"""Which organisations a name (and a country) may be: the matcher behind the reconciliation
service (``/reconcile``) and ``euprojects orgs match``.

Every resolved organisation is indexed under the words of all its name variants and its short
name; a query is compared with the organisations that share its rarest words, by the same name
keys and scores as the resolution (``matching``). ``match`` is true only when a link could be made
without a person looking: the name agrees word for word (typos aside), the country agrees, and no
other organisation comes close.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable

import msgspec
from rapidfuzz import fuzz

from euprojects.model import Organisation
from euprojects.normalise.places import country_code, fold
from euprojects.orgs.matching import score_names
from euprojects.orgs.names import name_key
from euprojects.orgs.resolve import Extra
from euprojects.store.resolution import OrganisationResolution

CONFIDENT = 95.0  # lowest score of a match made without a person
CLEAR = 5.0  # how far ahead of the next organisation a confident match must be
_PIC = re.compile(r"\d{9}")
_decode_org = msgspec.json.Decoder(Organisation)
_decode_extra = msgspec.json.Decoder(Extra)


class Candidate(msgspec.Struct):
    id: str
    name: str
    country: str | None
    identifiers: dict[str, list[str]]
    score: float
    match: bool
    type: str | None = None
    city: str | None = None


class _Entry(msgspec.Struct):
    organisation: Organisation
    extra: Extra
    keys: list[str]


class Candidates:
    """An in-memory index of the resolved organisations, built once per state of the store."""

    def __init__(self, rows: Iterable[tuple[bytes, bytes]]) -> None:
        self.entries: list[_Entry] = []
        self.words: dict[str, list[int]] = defaultdict(list)
        self.identifiers: dict[str, list[int]] = defaultdict(list)
        for data, extra in rows:
            self._add(_decode_org.decode(data), _decode_extra.decode(extra) if extra else Extra())
        self.frequency = Counter({word: len(found) for word, found in self.words.items()})

    def _add(self, org: Organisation, extra: Extra) -> None:
        names = extra.names or ([org.name] if org.name else [])
        keys = sorted({name_key(n, org.country) for n in names} | ({fold(org.short_name)} if org.short_name else set()))
        keys = [k for k in keys if k]
        n = len(self.entries)
        self.entries.append(_Entry(org, extra, keys))
        for word in {w for k in keys for w in k.split()}:
            self.words[word].append(n)
        values = {v for vs in extra.identifiers.values() for v in vs} | set(org.identifiers.values())
        for value in values:
            self.identifiers[value.upper()].append(n)

    def match(self, name: str, country: str | None = None, limit: int = 5) -> list[Candidate]:
        """The organisations a name may be, best first."""
        text = name.strip()
        code = country_code(country) if country else None
        found = self._by_identifier(text)
        key = name_key(text, code) if text else ""
        scored: dict[int, float] = {n: 100.0 for n in found}
        for n in self._blocked(key):
            entry = self.entries[n]
            score = max((score_names(key, k) for k in entry.keys), default=0.0)
            if score == 0.0:
                score = max(fuzz.token_sort_ratio(key, k) for k in entry.keys) * 0.8  # words disagree
            if code and entry.organisation.country and entry.organisation.country != code:
                score -= 30
            scored[n] = max(scored.get(n, 0.0), score)
        ranked = sorted(scored.items(), key=lambda item: (-item[1], self.entries[item[0]].organisation.id))[:limit]
        return [self._candidate(n, score, i, ranked, code) for i, (n, score) in enumerate(ranked) if score > 0]

    def _by_identifier(self, text: str) -> list[int]:
        compact = re.sub(r"[^0-9A-Za-z]", "", text).upper()
        return (
            list(self.identifiers.get(compact, []))
            if compact and (_PIC.fullmatch(compact) or len(compact) >= 8)
            else []
        )

    def _blocked(self, key: str) -> set[int]:
        words = sorted(set(key.split()), key=lambda w: (self.frequency.get(w, 0), w))
        found: set[int] = set()
        for word in [w for w in words if self.frequency.get(w, 0)][:2]:
            found.update(self.words[word][:5000])
        return found

    def _candidate(
        self, n: int, score: float, place: int, ranked: list[tuple[int, float]], code: str | None
    ) -> Candidate:
        entry = self.entries[n]
        org = entry.organisation
        next_score = ranked[1][1] if len(ranked) > 1 else 0.0
        confident = place == 0 and score >= CONFIDENT and score - next_score >= CLEAR
        agrees = code is None or org.country == code
        identifiers = entry.extra.identifiers or {k: [v] for k, v in org.identifiers.items()}
        return Candidate(
            id=org.id,
            name=org.name or org.id,
            country=org.country,
            identifiers=identifiers,
            score=round(max(score, 0.0), 1),
            match=confident and agrees,
            type=org.type,
            city=org.city,
        )


_cache: dict[str, tuple[int, Candidates]] = {}
_lock = threading.Lock()  # guards _cache and _builds
_builds: dict[str, threading.Lock] = {}  # one build of a store's index at a time
_ready: dict[str, threading.Event] = {}  # set once a store has an index
RETRY_SECONDS = 5


class NotReady(Exception):
    """The index is still being built after the time a request may wait."""


def candidates_for(store: OrganisationResolution, url: str, seq: int, wait: float | None = None) -> Candidates:
    """The index of a store. With none yet, it is built (in the background, waiting at most
    ``wait`` seconds for it: NotReady after that); when the store has changed since it was
    built, the old one answers while the new one is built in the background (an ingest into a
    running portal does not make the next reconciliation wait)."""
    with _lock:
        cached = _cache.get(url)
    if cached is None:
        if wait is None:
            return _build(store, url, seq)
        refresh_in_background(store, url, seq)
        with _lock:
            ready = _ready.setdefault(url, threading.Event())
        if not ready.wait(wait):
            raise NotReady(f"the name index is being built (about ten seconds); retry in {RETRY_SECONDS} s")
        with _lock:
            return _cache[url][1]
    if cached[0] != seq:
        refresh_in_background(store, url, seq)
    return cached[1]


def refresh_in_background(store: OrganisationResolution, url: str, seq: int) -> threading.Thread | None:
    """Build the index of the store's state ``seq`` in a thread of its own (none when a build of
    the store is under way); the portal starts one as it starts, so the first request finds it."""
    with _lock:
        building = _builds.setdefault(url, threading.Lock())
    if building.locked():
        return None
    thread = threading.Thread(target=_build_quietly, args=(store, url, seq), name="reconcile-index", daemon=True)
    thread.start()
    return thread


def _build(store: OrganisationResolution, url: str, seq: int) -> Candidates:
    with _lock:
        building = _builds.setdefault(url, threading.Lock())
    with building:
        with _lock:
            cached = _cache.get(url)
        if cached is not None and cached[0] >= seq:
            return cached[1]
        index = Candidates(store.canonical_organisations())
        with _lock:
            _cache[url] = (seq, index)
            _ready.setdefault(url, threading.Event()).set()
        return index


def _build_quietly(store: OrganisationResolution, url: str, seq: int) -> None:
    """A build in the background; a store closed meanwhile (a portal shut down) ends it quietly,
    and a request builds the index itself."""
    try:
        _build(store, url, seq)
    except Exception:  # nothing waits for this thread; the next request builds again
        return
