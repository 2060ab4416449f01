"""Lexical match by character n-grams (3-5, within words): Danish compounds such as
"lagermedarbejder" and "lagerarbejde" share most of their n-grams where word matching fails.

Weights are TF-IDF with the IDF taken from a fixed Danish corpus (ESCO's Danish labels and skill
descriptions), so a candidate's profile does not change when other candidates come and go and
each replica computes the same numbers. A candidate keeps its `max_terms` strongest n-grams
(memory per candidate is bounded); the query keeps all of its n-grams.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from shared.settings import get_settings

N_FEATURES = 1 << 20


def _vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=N_FEATURES, alternate_sign=False,
                             norm=None, lowercase=True, dtype=np.float32)


@dataclass
class Profile:
    idx: np.ndarray  # int32 feature ids, sorted
    w: np.ndarray  # float32 weights, L2-normalised


class CharNgrams:
    def __init__(self, idf: np.ndarray) -> None:
        self.idf = idf.astype(np.float32)
        self.vec = _vectorizer()

    @classmethod
    def fit(cls, corpus: list[str]) -> CharNgrams:
        counts = _vectorizer().transform(corpus)
        df = np.bincount(counts.indices, minlength=N_FEATURES).astype(np.float64)
        idf = np.log((1 + len(corpus)) / (1 + df)) + 1.0
        return cls(idf.astype(np.float32))

    def _weights(self, texts: list[str]):
        m = self.vec.transform(texts).tocsr()
        m.data = (1 + np.log(m.data)) * self.idf[m.indices]  # sublinear tf
        return m

    def profile(self, text: str, max_terms: int | None = 96) -> Profile:
        row = self._weights([text or ""])
        idx, w = row.indices.astype(np.int32), row.data.astype(np.float32)
        if max_terms and len(w) > max_terms:
            keep = np.argpartition(-w, max_terms)[:max_terms]
            idx, w = idx[keep], w[keep]
        order = np.argsort(idx)
        idx, w = idx[order], w[order]
        n = float(np.linalg.norm(w))
        return Profile(idx, w / n if n > 0 else w)

    def profiles(self, texts: list[str], max_terms: int | None = 96) -> list[Profile]:
        return [self.profile(t, max_terms) for t in texts]


def score(query: Profile, idx_rows: list[np.ndarray], w_rows: list[np.ndarray]) -> np.ndarray:
    """Cosine-like dot product of the query with each candidate profile."""
    out = np.zeros(len(idx_rows), dtype=np.float32)
    if len(query.idx) == 0:
        return out
    for i, (idx, w) in enumerate(zip(idx_rows, w_rows)):
        if len(idx) == 0:
            continue
        pos = np.searchsorted(query.idx, idx)
        pos[pos >= len(query.idx)] = 0
        hit = query.idx[pos] == idx
        out[i] = float(np.dot(query.w[pos[hit]], w[hit]))
    return out


def _corpus() -> list[str]:
    from services.matching.esco.catalog import get_catalog

    cat = get_catalog()
    docs = [" ".join(o.labels) for o in cat.occupations]
    docs += [" ".join(s.labels) + " " + s.description for s in cat.skills]
    return docs


@lru_cache
def get_ngrams() -> CharNgrams:
    settings = get_settings()
    from services.matching.esco.catalog import _cache_key

    key = hashlib.sha256((_cache_key(settings.esco_dir) + ":ngrams1").encode()).hexdigest()[:16]
    path = settings.matching_cache_dir / f"idf-{key}.pickle"
    if path.exists():
        try:
            with open(path, "rb") as fh:
                return CharNgrams(pickle.load(fh))
        except Exception:
            path.unlink(missing_ok=True)
    model = CharNgrams.fit(_corpus())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(model.idf, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return model
