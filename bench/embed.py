#!/usr/bin/env python3
"""What embedding costs on this machine: texts per second for a sample of real projects, in one
process with two threads and in two worker processes with one thread each (as ``euprojects
embed`` runs), the time of one query, and what all of ``../shared/data`` would take.

``python bench/embed.py [--home DIR] [--sample 2000]`` reads the projects from the store of
bench/relevance.py (or ``--home``). Wall times on a shared machine depend on the other work
running; the CPU seconds (this process and its workers) do much less, so the table gives both and
the estimate for two idle cores (CPU seconds / 2). Loading the model costs each process a few
CPU seconds whatever it embeds: a first run of a few texts measures it, and the rates are those
of the embedding alone (with a small sample, that load dominated the earlier figures).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path.append(sys.path.pop(0))
if str(_HERE) not in sys.path:
    sys.path.append(str(_HERE))

from common import load, machine, percentile, table  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _embed_batch(texts: list[str]) -> Iterator[int]:
    from euprojects.semantic import embed

    rows = [(str(i), "", t) for i, t in enumerate(texts)]
    for batch in embed._embed_task(rows):
        yield len(batch)


def in_workers(texts: Sequence[str], workers: int) -> float:
    from euprojects.workers import stream

    ordered = sorted(texts, key=len)
    tasks = [list(ordered[i : i + 64]) for i in range(0, len(ordered), 64)]
    started = time.perf_counter()
    done = sum(n for _, n in stream(tasks, _embed_batch, workers=workers, parallel=workers > 1))
    assert done == len(texts)
    return time.perf_counter() - started


def measured(texts: Sequence[str], workers: int) -> tuple[float, float]:
    """Wall and CPU seconds (this process and its workers, reaped when the pool ends) of one run."""
    cpu_before = cpu_seconds()
    wall = in_workers(texts, workers)
    return wall, cpu_seconds() - cpu_before


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=None, help="folder with store.db (default: relevance's cache)")
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    from euprojects.semantic.encoder import Encoder
    from euprojects.semantic.text import project_text
    from euprojects.store import open_store
    from relevance import home, store_file

    print(f"machine: {machine()}", flush=True)
    folder = args.home or home()
    store = open_store(f"sqlite:///{store_file(folder)}", migrate=False)
    texts = [project_text(p) for p in store.iter_projects() if p.unlisted is None]
    texts = [t for t in texts if t]
    sample = random.Random(args.seed).sample(texts, min(args.sample, len(texts)))
    words = sum(len(t.split()) for t in sample) / len(sample)
    print(f"{len(texts):,} projects to embed; sample {len(sample):,}, {words:.0f} words each on average")
    rows = []
    for label, workers in (("1 process × 2 threads", 1), ("2 processes × 1 thread", 2)):
        load_before = load()
        small = sample[: 16 * workers]
        first_wall, first_cpu = measured(small, workers)  # loads the model (in each worker)
        wall, cpu = measured(sample, workers)
        if workers == 1:  # the model stays loaded in this process: the sample's run is all embedding
            per_text, per_text_wall = cpu / len(sample), wall / len(sample)
        else:  # each run starts its workers anew: the difference is the embedding of the rest
            per_text = (cpu - first_cpu) / (len(sample) - len(small))
            per_text_wall = (wall - first_wall) / (len(sample) - len(small))
        fixed = max(first_cpu - len(small) * per_text, 0.0)
        rows.append(
            [
                label,
                f"{1 / per_text_wall:.0f}",
                f"{1 / per_text:.1f}",
                f"{fixed:.1f}",
                f"{(first_wall + len(texts) * per_text_wall) / 60:.1f}",
                f"{(fixed + len(texts) * per_text) / 2 / 60:.1f}",
                load_before,
            ]
        )
        print(rows[-1], flush=True)
    encoder = Encoder()
    queries = [" ".join(t.split()[:6]) for t in sample[:200]]
    encoder.texts(queries[:5])
    spent = []
    for query in queries:
        started = time.perf_counter()
        encoder.texts([query])
        spent.append((time.perf_counter() - started) * 1000)
    header = [
        "how",
        "texts/s",
        "texts per CPU-second",
        "model load, CPU s",
        "all: min (wall)",
        "all: min on 2 idle cores",
        "load",
    ]
    print("\n" + table(header, rows))
    print(
        f"\none query of six words: p50 {percentile(spent, 0.5):.1f} ms, p95 {percentile(spent, 0.95):.1f} ms "
        f"(load {load()})"
    )


if __name__ == "__main__":
    main()
