"""Job-title normalisation: MELO's Danish set (public benchmark) and an ESCO-built development set.

MELO (Avature's `melo-benchmark`, set `dnk_q_da_c_da`, MIT License): 734 Danish titles from the
Danish national occupation crosswalk, ranked against 10,410 Danish ESCO labels (occupations and
ISCO groups); metric MRR of the first relevant label. Read from `MELO_DIR` (default
../shared/melo-da); nothing of it is copied into this repository.

How Jobbro's normaliser, which ranks concepts, is mapped onto MELO's corpus elements: every label
of a concept takes the concept's score (so a concept's labels stand together, in MELO's element
order), concepts in the normaliser's order. The first relevant label's rank is therefore one plus
the number of labels of every concept ranked above the relevant one: a concept with many labels
ranked just above costs as much as it would in MELO's own label-by-label baselines. The figure
counting each concept once (its best label only) is printed too, for information.

Development set (method choice happens here, never on MELO): held-out ESCO alternative labels.
One alternative label of a seeded sample of occupations is removed from the index and used as the
query; the relevant concept is its occupation (same metric, same mapping, over the index's labels).

    python bench/bench_melo.py                # figures of the production normaliser (make bench)
    python bench/bench_melo.py --methods      # the method table of docs/matching-quality.md
    python bench/bench_melo.py --dev-only --methods   # choose a method without touching MELO
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEV_SEED = 16
DEV_SIZE = 800


def melo_dir() -> Path:
    return Path(os.environ.get("MELO_DIR") or REPO.parent / "shared" / "melo-da")


def _tsv(path: Path) -> list[list[str]]:
    return [line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_melo(folder: Path):
    queries = dict(_tsv(folder / "queries.tsv"))
    mapping = dict(_tsv(folder / "concept_mapping.tsv"))
    elements = [row[0] for row in _tsv(folder / "corpus_elements.tsv")]
    relevant: dict[str, set[str]] = {}
    for q, _, e, grade in _tsv(folder / "annotations.tsv"):
        if int(grade) > 0:
            relevant.setdefault(q, set()).add(mapping[e])
    labels_per_uri = Counter(mapping[e] for e in elements)
    return queries, relevant, labels_per_uri


def concept_uris(index) -> list[str]:
    cat = index.catalog
    return [o.uri for o in cat.occupations] + [f"http://data.europa.eu/esco/isco/C{g}" for g in index.group_codes]


def reciprocal_ranks(ranked: list[int], relevant: set[int], labels_per_concept: np.ndarray) -> tuple[float, float]:
    """(labels share their concept's score, each concept once) reciprocal ranks of the first hit."""
    before_labels = 0
    for pos, c in enumerate(ranked):
        if c in relevant:
            return 1.0 / (before_labels + 1), 1.0 / (pos + 1)
        before_labels += int(labels_per_concept[c])
    return 0.0, 0.0


def evaluate(index, titles: list[str], relevant: list[set[int]], labels_per_concept: np.ndarray,
             batch: int = 64) -> dict[str, float]:
    shared, once = [], []
    started = time.perf_counter()
    for i in range(0, len(titles), batch):
        for ranked, rel in zip(index.rank(titles[i : i + batch]), relevant[i : i + batch]):
            order = [x.concept for x in ranked]
            a, b = reciprocal_ranks(order, rel, labels_per_concept)
            shared.append(a)
            once.append(b)
    return {"mrr": float(np.mean(shared)), "mrr_concepts": float(np.mean(once)),
            "ms_per_title": 1000 * (time.perf_counter() - started) / max(len(titles), 1)}


def dev_set(catalog, seed: int = DEV_SEED, size: int = DEV_SIZE):
    """Held-out alternative labels: [(occupation id, label)], seeded."""
    from services.matching.esco.titles import key_of

    rng = random.Random(seed)
    pool = []
    for occ in catalog.occupations:
        own = {key_of(x) for x in occ.labels}
        alts = [a for a in occ.alt_labels if key_of(a) and key_of(a) != key_of(occ.label)]
        if alts and len(own) >= 2:
            pool.append((occ.id, rng.choice(alts)))
    rng.shuffle(pool)
    return sorted(pool[:size])


def run_dev(catalog, embedder, params) -> dict[str, float]:
    from services.matching.esco.titles import TitleIndex

    held = dev_set(catalog)
    index = TitleIndex(catalog, embedder, params, drop=set(held))
    per = np.bincount(index.owner, minlength=index.n_concepts)
    return evaluate(index, [label for _, label in held], [{o} for o, _ in held], per)


def run_melo(catalog, embedder, params, folder: Path) -> dict[str, float]:
    from services.matching.esco.titles import TitleIndex

    queries, relevant, labels_per_uri = load_melo(folder)
    index = TitleIndex(catalog, embedder, params)
    uris = concept_uris(index)
    by_uri = {u: i for i, u in enumerate(uris)}
    missing = set(labels_per_uri) - set(by_uri)
    if missing:
        raise SystemExit(f"MELO concepts not in ESCO_DIR's catalogue: {len(missing)}, e.g. {sorted(missing)[:3]}")
    per = np.array([labels_per_uri.get(u, 0) for u in uris], dtype=np.int64)
    ids = sorted(queries)
    return evaluate(index, [queries[q] for q in ids], [{by_uri[u] for u in relevant[q]} for q in ids], per)


def methods():
    from services.matching.esco.titles import Params

    best = Params()
    plain = dict(trainees=False, exact_rules=False, group_credit=0.0, depth_penalty=0.0)
    return [
        ("character TF-IDF", replace(best, ngram_weight=1.0, **plain), False),
        ("embeddings (e5-small)", replace(best, ngram_weight=0.0, projection_epochs=0, centroid_weight=0.0,
                                         **plain), True),
        ("fused 0.2/0.8 + concept centroid", replace(best, projection_epochs=0, **plain), True),
        ("embeddings through the ESCO-trained map", replace(best, ngram_weight=0.0, centroid_weight=0.0, **plain), True),
        ("map + centroid, no n-grams", replace(best, ngram_weight=0.0, **plain), True),
        ("map + centroid + n-grams 0.2", replace(best, **plain), True),
        ("Jobbro: map + centroid + n-grams + ESCO rules", best, True),
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--methods", action="store_true", help="evaluate every method of the table")
    ap.add_argument("--dev-only", action="store_true", help="development set only (method choice)")
    ap.add_argument("--melo-only", action="store_true", help="MELO only (the development figures known)")
    args = ap.parse_args()
    from services.matching.embedding.model import get_embedder
    from services.matching.esco.catalog import get_catalog
    from services.matching.esco.titles import Params

    folder = melo_dir()
    if not args.dev_only and not (folder / "queries.tsv").exists():
        print(f"bench_melo: no MELO data in {folder} (set MELO_DIR, see the docstring); skipped", file=sys.stderr)
        return 0
    catalog = get_catalog()
    embedder = get_embedder()
    todo = methods() if args.methods else methods()[-1:]
    rows = []
    for name, params, needs_model in todo:
        emb = embedder if needs_model else None
        dev = {"mrr": float("nan"), "mrr_concepts": float("nan")} if args.melo_only else run_dev(catalog, emb, params)
        melo = None if args.dev_only else run_melo(catalog, emb, params, folder)
        rows.append((name, dev, melo))
        print(f"{name}: dev {dev['mrr']:.3f} ({dev['mrr_concepts']:.3f})"
              + ("" if melo is None else f"; MELO {melo['mrr']:.3f} ({melo['mrr_concepts']:.3f}), "
                 f"{melo['ms_per_title']:.1f} ms/title"), file=sys.stderr, flush=True)
    name, dev, melo = rows[-1]
    if not args.melo_only:
        print(json.dumps({"figure": "titles_dev_mrr", "value": round(dev["mrr"], 4), "unit": "MRR", "target": None}))
    if melo is not None:
        print(json.dumps({"figure": "melo_da_mrr", "value": round(melo["mrr"], 4), "unit": "MRR", "target": ">= 0.65"}))
        print(json.dumps({"figure": "melo_da_mrr_concepts_once", "value": round(melo["mrr_concepts"], 4),
                          "unit": "MRR", "target": None}))
        print(json.dumps({"figure": "titles_ms_per_title_batch64", "value": round(melo["ms_per_title"], 2),
                          "unit": "ms", "target": None}))
    if args.methods:
        print("| method | dev MRR | dev MRR, concepts once | MELO-da MRR | MELO-da, concepts once |", file=sys.stderr)
        print("|---|---|---|---|---|", file=sys.stderr)
        for name, dev, melo in rows:
            m = ("–", "–") if melo is None else (f"{melo['mrr']:.3f}", f"{melo['mrr_concepts']:.3f}")
            print(f"| {name} | {dev['mrr']:.3f} | {dev['mrr_concepts']:.3f} | {m[0]} | {m[1]} |", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
