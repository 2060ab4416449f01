"""Danish evaluation set from ESCO and the quality figures of docs/matching-quality.md.

Seeded generator: for each sampled occupation a vacancy written from its preferred label and
one half of its essential skills; a relevant CV (grade 2) written with another label and the
other half of the skills; near-miss distractors (grade 1) from other occupations of the same
ISCO group; every other occupation's CV is irrelevant. The hard variant removes every vacancy
word from the relevant CV's material (no verbatim overlap). Methods on the same set, one run:
(a) character TF-IDF alone, (b) embeddings alone, (c) Jobbro's ranking (batch.run, the
production code). Metrics: MRR, nDCG@10, recall@50.

    python bench/matching_eval.py [--seed 42] [--occupations 60] [--write docs/matching-quality.md]
    python bench/matching_eval.py --export /tmp/eval   # then: python -m services.matching audit \
        --candidates /tmp/eval/candidates.jsonl --vacancies /tmp/eval/vacancies.jsonl --qrels /tmp/eval/qrels.json
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402


def _words(text: str) -> set[str]:
    from services.matching.esco.text import STOPWORDS, words

    return {w for w in words(text) if w not in STOPWORDS}


def build(seed: int, n_occ: int, hard: bool):
    from services.matching.esco.catalog import get_catalog

    cat = get_catalog()
    rng = random.Random(seed)
    by_isco: dict[str, list] = {}
    for o in cat.occupations:
        by_isco.setdefault(o.isco, []).append(o)
    eligible = [o for o in cat.occupations if len(o.essential) >= 8 and o.alt_labels and len(by_isco[o.isco]) >= 2]
    chosen = rng.sample(eligible, n_occ)
    vacancies, cvs, qrels = [], [], {}
    cv_of_occ: dict[str, str] = {}

    def cv_for(occ, exclude_words: set[str], skill_ids, tag):
        labels = occ.alt_labels or [occ.label]
        title = next((a for a in labels if not (_words(a) & exclude_words)), None) if exclude_words else \
            rng.choice(labels)
        skills = [cat.skills[s].label for s in skill_ids if not (_words(cat.skills[s].label) & exclude_words)][:5]
        if title is None or not skills:
            return None
        text = (f"Jeg har arbejdet som {title} i {rng.randint(2, 12)} år. I mit job har jeg skullet "
                + ", ".join(skills) + ". Jeg er pålidelig og god til samarbejde.")
        cid = f"{tag}-{occ.id}"
        cvs.append({"id": cid, "text": text})
        return cid

    for occ in chosen:
        ess = list(occ.essential)
        rng.shuffle(ess)
        half = len(ess) // 2
        vac_skills = [cat.skills[s].label for s in ess[:half]][:5]
        vtext = f"Vi søger en {occ.label}. Du skal kunne " + ", ".join(vac_skills) + "."
        vid = f"V-{occ.id}"
        excl = _words(occ.label + " " + vtext) if hard else set()
        rel = cv_for(occ, excl, ess[half:] + list(occ.optional), "R")
        if rel is None:
            continue
        vacancies.append({"id": vid, "title": occ.label, "text": vtext})
        qrels[vid] = {rel: 2}
        for near in [o for o in by_isco[occ.isco] if o.id != occ.id][:2]:
            key = f"N-{near.id}"
            if key not in cv_of_occ:
                cid = cv_for(near, set(), list(near.essential), "N")
                if cid:
                    cv_of_occ[key] = cid
            if key in cv_of_occ:
                qrels[vid][cv_of_occ[key]] = 1
    return vacancies, cvs, qrels


def metrics(rankings: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    mrr, ndcg, rec = [], [], []
    for vid, rel in qrels.items():
        ranked = rankings.get(vid, [])
        first = next((i for i, c in enumerate(ranked) if rel.get(c, 0) == 2), None)
        mrr.append(0.0 if first is None else 1.0 / (first + 1))
        dcg = sum((2 ** rel.get(c, 0) - 1) / math.log2(i + 2) for i, c in enumerate(ranked[:10]))
        ideal = sorted(rel.values(), reverse=True)[:10]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg.append(dcg / idcg if idcg else 0.0)
        top = set(ranked[:50])
        need = [c for c, g in rel.items() if g == 2]
        rec.append(sum(c in top for c in need) / len(need))
    return {"MRR": float(np.mean(mrr)), "nDCG@10": float(np.mean(ndcg)), "recall@50": float(np.mean(rec))}


def run_variant(seed: int, n_occ: int, hard: bool, emb) -> dict[str, dict[str, float]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from services.matching import batch

    vacancies, cvs, qrels = build(seed, n_occ, hard)
    ids = [c["id"] for c in cvs]
    vtexts = [(v["title"] + "\n" + v["text"]) for v in vacancies]
    tf = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit([c["text"] for c in cvs])
    sims = (tf.transform(vtexts) @ tf.transform([c["text"] for c in cvs]).T).toarray()
    tfidf = {v["id"]: [ids[j] for j in np.argsort(-sims[i])[:50]] for i, v in enumerate(vacancies)}
    cvec = emb.passages([c["text"] for c in cvs])
    vvec = emb.queries(vtexts)
    cos = vvec @ cvec.T
    embed = {v["id"]: [ids[j] for j in np.argsort(-cos[i])[:50]] for i, v in enumerate(vacancies)}
    jobbro = {}
    for v, result in batch.run(cvs, vacancies, 50, cand_vectors=cvec, vac_vectors=vvec):
        jobbro[v["id"]] = [cvs[it["candidate_id"]]["id"] for it in result.items]
    out = {"(a) character TF-IDF": metrics(tfidf, qrels), "(b) embeddings": metrics(embed, qrels),
           "(c) Jobbro": metrics(jobbro, qrels)}
    out["_size"] = {"vacancies": len(vacancies), "cvs": len(cvs)}
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--occupations", type=int, default=60)
    ap.add_argument("--write", default=None)
    ap.add_argument("--export", default=None, help="write the set (normal variant) as candidates.jsonl, "
                    "vacancies.jsonl and qrels.json into this folder, for `python -m services.matching audit`")
    args = ap.parse_args()
    if args.export:
        vacancies, cvs, qrels = build(args.seed, args.occupations, False)
        out = Path(args.export)
        out.mkdir(parents=True, exist_ok=True)
        (out / "candidates.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cvs),
                                              encoding="utf-8")
        (out / "vacancies.jsonl").write_text("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in vacancies),
                                             encoding="utf-8")
        (out / "qrels.json").write_text(json.dumps(qrels, ensure_ascii=False), encoding="utf-8")
        print(out)
        return 0
    from services.matching.embedding.model import get_embedder

    emb = get_embedder()
    started = time.time()
    results = {"normal": run_variant(args.seed, args.occupations, False, emb),
               "hard (no verbatim overlap)": run_variant(args.seed, args.occupations, True, emb)}
    for variant, res in results.items():
        for method, m in res.items():
            if method.startswith("_"):
                continue
            for k, val in m.items():
                print(json.dumps({"figure": f"{variant} {method} {k}", "value": round(val, 4), "unit": "",
                                  "target": None}, ensure_ascii=False))
    if args.write:
        lines = ["# Matching quality (ESCO-based Danish evaluation set)", "",
                 f"Generated by `python bench/matching_eval.py --seed {args.seed} --occupations {args.occupations} "
                 f"--write {args.write}` in {time.time() - started:.0f} s with the model `{emb.name}` "
                 f"(fingerprint {emb.fingerprint}). Generator, grades and methods: docstring of bench/matching_eval.py.",
                 ""]
        for variant, res in results.items():
            size = res["_size"]
            lines += [f"## {variant}: {size['vacancies']} vacancies, {size['cvs']} CVs", "",
                      "| method | MRR | nDCG@10 | recall@50 |", "|---|---|---|---|"]
            for method, m in res.items():
                if not method.startswith("_"):
                    lines.append(f"| {method} | {m['MRR']:.3f} | {m['nDCG@10']:.3f} | {m['recall@50']:.3f} |")
            best = max(res["(a) character TF-IDF"]["nDCG@10"], res["(b) embeddings"]["nDCG@10"])
            lines += ["", f"Jobbro − best baseline on nDCG@10: {res['(c) Jobbro']['nDCG@10'] - best:+.3f} "
                          "(target: ≥ +0.05).", ""]
        Path(args.write).write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
