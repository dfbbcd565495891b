"""Entity resolution of organisations: pair precision, recall and F1 of the name matcher against
labels the data gives itself (``bench/orgs_labels.py``), and the time to resolve every mention of
a full ingest.

The matcher runs with the identifier step held out (national numbers and VAT numbers removed), on
names, countries and cities alone; a PIC stays what it is to the matcher, a registration no other
PIC joins. A pair of labelled mentions it puts in one organisation is right when the labels say
they are one body, wrong when they name two (two PICs, two national numbers). Labels are split in
two halves by a hash of the mention they label: the matcher's thresholds were set looking at the
first half only, and the figures that count are the second's (``held out``).

    python -m bench.orgs [STORE.db] [--errors N]   # default: $EUPROJECTS_HOME/euprojects.db
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import msgspec
from bench.orgs_labels import project_alignments

from euprojects.orgs import overrides
from euprojects.orgs.candidates import Candidates
from euprojects.orgs.clusters import Clusters
from euprojects.orgs.matching import Mention
from euprojects.orgs.resolve import _read, cluster, resolve
from euprojects.store import open_store

HALVES = ("tuning", "held out")
QUERIES = (  # as people's lists write them
    "Ecole Polytechnique Fédérale de Lausanne",
    "ΑΡΙΣΤΟΤΕΛΕΙΟ ΠΑΝΕΠΙΣΤΗΜΙΟ ΘΕΣΣΑΛΟΝΙΚΗΣ",
    "SINTEF AS",
    "Sveučilište u Zagrebu",
    "Fraunhofer-Gesellschaft zur Förderung der angewandten Forschung e.V.",
    "University of Leeds",
    "Tehnička škola Ruđera Boškovića",
    "Consiglio Nazionale delle Ricerche",
    "Aalto University",
    "Zzyzx Qwerty Holdings",
)
Pair = tuple[str, str]


class Labels(msgspec.Struct):
    identity: dict[str, frozenset[str]]  # mention -> what proves who it is (pic:…, no-orgnr:…)
    source: dict[str, str]  # mention -> the source its label came from


def main() -> None:
    args = sys.argv[1:]
    errors = int(args[args.index("--errors") + 1]) if "--errors" in args else 0
    paths = [a for a in args if a.endswith(".db")]
    home = Path(os.environ.get("EUPROJECTS_HOME", "~/.local/share/euprojects")).expanduser()
    path = Path(paths[0]) if paths else home / "euprojects.db"
    store = open_store(f"sqlite:///{path}")
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    report = resolve(store, None, rebuild=True)
    rebuild_s, rebuild_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    resolve(store, None)
    unchanged_s, unchanged_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    index = Candidates(store.canonical_organisations())
    index_s, index_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    for name in QUERIES:
        index.match(name, None, 3)
    query_ms = (time.perf_counter() - started) * 1000 / len(QUERIES)
    mentions, _ = _read(list(store.organisation_mentions()))
    labels = build_labels(mentions, path)
    blind = [
        msgspec.structs.replace(m, identifiers={k: v for k, v in m.identifiers.items() if k == "pic"}) for m in mentions
    ]
    clusters = cluster(blind, {m.id for m in blind}, overrides.Overrides(), None)
    judged = judge(clusters, labels)
    positives = positive_pairs(labels)
    print(f"machine: 2 vCPU, load average {load:.1f} at the start")
    _row("mentions (organisations as sources key them)", f"{report.mentions:,}")
    _row("organisations after resolution", f"{report.organisations:,}")
    _row("full resolution (--rebuild), s wall / CPU", f"{rebuild_s:.1f} / {rebuild_cpu:.1f}")
    _row("after an ingest that changed nothing, s wall / CPU", f"{unchanged_s:.1f} / {unchanged_cpu:.1f}")
    _row("reconciliation name index (built as the portal starts), s wall / CPU", f"{index_s:.1f} / {index_cpu:.1f}")
    _row("a reconciliation query on it, ms", f"{query_ms:.1f}")
    _row("labelled mentions (other than PICs)", f"{sum(1 for m in labels.source if not m.startswith('pic:')):,}")
    for half in HALVES:
        _scores(half, [j for j in judged if j[2] == half], [p for p in positives if half_of(p) == half])
    held = [j for j in judged if j[2] == HALVES[1]]
    held_positives = [p for p in positives if half_of(p) == HALVES[1]]
    _breakdown("source pair", held, held_positives, lambda p: source_pair(p, labels))
    _breakdown("method", held, held_positives, lambda p: method_of(p, clusters))
    if errors:
        _print_errors([j for j in judged if j[2] == HALVES[0] and not j[1]][:errors], mentions, clusters)


def build_labels(mentions: list[Mention], db_path: Path) -> Labels:
    """Each labelled mention's identity and the source of its label (see bench/orgs_labels.py):
    mentions with a name in the store, aligned with a PIC that has one."""
    identity: dict[str, set[str]] = {}
    source: dict[str, str] = {}
    names = {"no-orgnr": "Norwegian register", "hr-oib": "Croatian list", "name": "named, with a PIC"}
    named = {m.id for m in mentions if m.name}  # a mention with no name is no test of names
    for m in mentions:
        if m.id not in named:
            continue
        proven = {f"{k}:{m.identifiers[k]}" for k in ("pic", "no-orgnr", "hr-oib") if k in m.identifiers}
        if proven:
            identity[m.id] = proven
            kind = m.id.partition(":")[0]
            source[m.id] = "CORDIS (PIC)" if kind == "pic" else names.get(kind, kind)
    for mention, by_source in project_alignments(db_path).items():
        pics = set().union(*by_source.values())
        if len(pics) != 1 or mention not in named or f"pic:{next(iter(pics))}" not in identity:
            continue
        own = identity.setdefault(mention, set())
        if any(token.startswith("pic:") for token in own):
            continue  # a national row whose VAT already names a PIC keeps that label
        own.add(f"pic:{next(iter(pics))}")
        source.setdefault(mention, "/".join(sorted(by_source)))
    return Labels(_unambiguous(identity), source)


def _unambiguous(identity: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """The labels without mentions proven to be two PICs at once (a body registered twice, whose
    mentions no matcher can join to both): known duplicates are no test."""
    pics_of: dict[str, set[str]] = defaultdict(set)
    for mention, tokens in identity.items():
        if mention.startswith("pic:"):
            for token in tokens:
                pics_of[token].add(mention)
    kept = {}
    for mention, tokens in identity.items():
        pics = set().union(*(pics_of.get(t, set()) for t in tokens))
        if mention.startswith("pic:") or len(pics) <= 1:
            kept[mention] = frozenset(tokens)
    return kept


def same(a: frozenset[str], b: frozenset[str]) -> bool | None:
    """True when two identities share a value, False when they hold different values of one kind."""
    if a & b:
        return True
    kinds = {value.partition(":")[0]: value for value in a}
    if any(kinds.get(value.partition(":")[0], value) != value for value in b):
        return False
    return None


def half_of(pair: Pair) -> str:
    """The half a pair's labels fall in: by a hash of its first mention that is not a PIC."""
    labelled = sorted(m for m in pair if not m.startswith("pic:")) or sorted(pair)
    digest = hashlib.blake2b(labelled[0].encode(), digest_size=2).digest()
    return HALVES[digest[0] % 2]


def judge(clusters: Clusters, labels: Labels) -> list[tuple[Pair, bool, str]]:
    """Each pair of labelled mentions the matcher put in one organisation: right or wrong, half."""
    judged = []
    for members in clusters.groups().values():
        known = sorted(m for m in members if m in labels.identity)
        for a, b in combinations(known, 2):
            verdict = same(labels.identity[a], labels.identity[b])
            if verdict is not None:
                judged.append(((a, b), verdict, half_of((a, b))))
    return judged


def positive_pairs(labels: Labels) -> list[Pair]:
    by_value: dict[str, list[str]] = defaultdict(list)
    for mention, identity in labels.identity.items():
        for value in identity:
            by_value[value].append(mention)
    pairs = {tuple(sorted(p)) for found in by_value.values() for p in combinations(found, 2)}
    return sorted(p for p in pairs if not all(m.startswith("pic:") for m in p))  # type: ignore[misc]


def source_pair(pair: Pair, labels: Labels) -> str:
    return " + ".join(sorted({labels.source.get(m, "?") for m in pair}))


def method_of(pair: Pair, clusters: Clusters) -> str:
    """The weakest link of the two mentions (lowest confidence): what had to hold for them to meet."""
    links = [clusters.links.get(m, ("self", 1.0)) for m in pair]
    return min(links, key=lambda link: link[1])[0]


def _scores(half: str, judged: list[tuple[Pair, bool, str]], positives: list[Pair]) -> None:
    right = sum(1 for _, ok, _ in judged if ok)
    wrong = len(judged) - right
    precision, recall = _ratio(right, right + wrong), _ratio(right, len(positives))
    f1 = _ratio(2 * precision * recall, precision + recall)
    _row(f"{half}: labelled positive pairs", f"{len(positives):,}")
    _row(f"{half}: pairs joined by names, right / wrong", f"{right:,} / {wrong:,}")
    _row(f"{half}: precision / recall / F1", f"{precision:.3f} / {recall:.3f} / {f1:.3f}")


def _breakdown(title: str, judged: list[tuple[Pair, bool, str]], positives: list[Pair], key: object) -> None:
    keyed = key  # Callable[[Pair], str]
    right: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for pair, ok, _ in judged:
        (right if ok else wrong)[keyed(pair)] += 1  # type: ignore[operator]
    joined = {pair for pair, ok, _ in judged if ok}
    total: Counter[str] = Counter()
    for pair in positives:
        name = keyed(pair) if pair in joined else None  # type: ignore[operator]
        if name:
            found[name] += 1
        if title == "source pair":
            total[keyed(pair)] += 1  # type: ignore[operator]
    print(f"\nheld out, by {title}:")
    print(f"{title:<52} {'right':>6} {'wrong':>6} {'precision':>9} {'recall':>7}")
    for name in sorted(set(right) | set(wrong) | set(total)):
        recall = f"{_ratio(found[name], total[name]):.3f}" if total[name] else "—"
        precision = _ratio(right[name], right[name] + wrong[name])
        print(f"{name:<52} {right[name]:>6} {wrong[name]:>6} {precision:>9.3f} {recall:>7}")


def _print_errors(wrong: list[tuple[Pair, bool, str]], mentions: list[Mention], clusters: Clusters) -> None:
    by_id = {m.id: m for m in mentions}
    print("\nwrong pairs (tuning half):")
    for (a, b), _, _ in wrong:
        ma, mb = by_id[a], by_id[b]
        print(f"  {clusters.links.get(a)} {clusters.links.get(b)}")
        print(f"    {a} | {ma.name} | {ma.city}")
        print(f"    {b} | {mb.name} | {mb.city}")


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def _row(measure: str, value: str) -> None:
    print(f"{measure:<70} {value:>22}")


if __name__ == "__main__":
    main()
