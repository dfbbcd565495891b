"""Entity resolution of organisations: pair precision, recall and F1 of the name matcher against
labels the data gives itself, and the time to resolve every mention of a full ingest.

Labels: mentions whose identity an identifier proves, independently of their names: a Norwegian
register row (organisation number) and a CORDIS record whose VAT number is that organisation
number, a Croatian list row (OIB) and a CORDIS record with VAT HR+OIB, and every PIC (a PIC is one
registration: two PIC records are two bodies). The matcher runs with every identifier held out, on
names, countries and cities alone (a PIC is kept as what it is to the matcher: a registration no
other PIC joins); a pair of labelled mentions it puts in one organisation is
right when the identifiers say they are one body, wrong when they carry two different PICs (or
two different national numbers).

    python -m bench.orgs [STORE.db]   # default: $EUPROJECTS_HOME/euprojects.db, after an ingest of ../shared/data
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import msgspec

from euprojects.orgs import overrides
from euprojects.orgs.resolve import _read, cluster, resolve
from euprojects.store import open_store


def main() -> None:
    home = Path(os.environ.get("EUPROJECTS_HOME", "~/.local/share/euprojects")).expanduser()
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else home / "euprojects.db"
    store = open_store(f"sqlite:///{path}")
    load = os.getloadavg()[0]
    started = time.perf_counter()
    report = resolve(store, None, rebuild=True)
    rebuild_s = time.perf_counter() - started
    started = time.perf_counter()
    resolve(store, None)
    unchanged_s = time.perf_counter() - started
    mentions, _ = _read(list(store.organisation_mentions()))
    truth = {m.id: _identity(m.identifiers) for m in mentions}
    # the identifier step held out: national numbers and VAT numbers removed; a PIC stays, since
    # the matcher never joins two registrations (that rule is part of it, not a label)
    blind = [
        msgspec.structs.replace(m, identifiers={k: v for k, v in m.identifiers.items() if k == "pic"}) for m in mentions
    ]
    clusters = cluster(blind, {m.id for m in blind}, overrides.Overrides(), None)
    tp, fp, positives = _pairs(clusters.groups(), truth)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"machine: 2 vCPU, load average {load:.1f} at the start")
    print(f"{'measure':<44} {'value':>12}")
    print(f"{'mentions (organisations as sources key them)':<44} {report.mentions:>12,}")
    print(f"{'organisations after resolution':<44} {report.organisations:>12,}")
    print(f"{'full resolution (--rebuild), s':<44} {rebuild_s:>12.1f}")
    print(f"{'after an ingest that changed nothing, s':<44} {unchanged_s:>12.1f}")
    print(f"{'labelled positive pairs (identifier-proven)':<44} {positives:>12,}")
    print(f"{'pairs joined by names: right / wrong':<44} {f'{tp:,} / {fp:,}':>12}")
    print(f"{'pair precision (names only)':<44} {precision:>12.3f}")
    print(f"{'pair recall (names only)':<44} {recall:>12.3f}")
    print(f"{'F1':<44} {f1:>12.3f}")


def _identity(identifiers: dict[str, str]) -> tuple[str, ...]:
    """What the identifiers prove of a mention: its PIC and national numbers."""
    return tuple(f"{kind}:{identifiers[kind]}" for kind in ("pic", "no-orgnr", "hr-oib") if kind in identifiers)


def _same(a: tuple[str, ...], b: tuple[str, ...]) -> bool | None:
    """True when they share an identifier, False when they hold different values of one kind."""
    if set(a) & set(b):
        return True
    kinds_a = {value.partition(":")[0]: value for value in a}
    if any(kinds_a.get(value.partition(":")[0], value) != value for value in b):
        return False
    return None


def _pairs(groups: dict[str, list[str]], truth: dict[str, tuple[str, ...]]) -> tuple[int, int, int]:
    by_value: dict[str, list[str]] = defaultdict(list)
    for mention, identity in truth.items():
        for value in identity:
            by_value[value].append(mention)
    positives = {tuple(sorted(p)) for found in by_value.values() for p in combinations(found, 2)}
    tp = fp = 0
    for members in groups.values():
        labelled = [m for m in members if truth[m]]
        for a, b in combinations(labelled, 2):
            same = _same(truth[a], truth[b])
            tp += same is True
            fp += same is False
    return tp, fp, len(positives)


if __name__ == "__main__":
    main()
