"""Job title -> ESCO occupation: character n-grams and embeddings fused, with ESCO's own order.

A title is compared with every Danish ESCO label (occupations' preferred and alternative labels,
and the ISCO groups' labels) in two ways: character n-gram TF-IDF, which copes with compounds and
spelling ("lagermedarbejder" ~ "lagerarbejder"), and the embedding model's cosine, which copes with
synonyms that share no letters ("kassedame" ~ "kassemedarbejder"). The two are fused per label and
a concept takes its best label's score. Rules ESCO's structure supports come before similarity:
- a title equal to an occupation's preferred label is that occupation, before any occupation
  that carries it as an alternative label ("svejser" is ESCO's "svejser", not "punktsvejser",
  "lasersvejser" or ornamental metalwork, which all list "svejser" as an alternative label);
- among occupations sharing an alternative label the broader one wins (ESCO codes nest:
  7212.3 "svejser" is broader than 7212.3.4 "punktsvejser"), then the one whose preferred label
  is closest to the title;
- an apprentice or trainee title ("murerlærling", "social- og sundhedshjælper-elev",
  "elev som tømrer") belongs to its trade: the trade is normalised.
The method and its weights were chosen on an ESCO-built development set (held-out alternative
labels), then measured once on the public MELO benchmark: see docs/matching-quality.md and
bench/bench_melo.py.

Label vectors are cached on disk per model fingerprint and label text, so a start after the first
only reads a file; without a model (MATCHING_LOAD_MODEL=0) the normaliser uses n-grams alone.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from services.matching.esco.catalog import Catalog
from services.matching.esco.text import words


@dataclass(frozen=True)
class Params:
    # Weight of the character n-gram cosine in a label's fused score (the rest is the embedding).
    ngram_weight: float = 0.2
    # e5 cosines of unrelated short titles sit around 0.75-0.8; rescale [floor, 1] to [0, 1].
    embedding_floor: float = 0.85
    # Share of a 4-digit ISCO group's score an occupation in it inherits, and back.
    group_credit: float = 0.0
    # Per level of ESCO code depth (a specialism of a specialism), subtracted from the score.
    depth_penalty: float = 0.0
    # Epochs of the linear map trained on ESCO's own labels (0: plain model vectors).
    projection_epochs: int = 3
    # Weight of the cosine to a concept's centroid (mean of its labels' vectors), added.
    centroid_weight: float = 0.5
    # Trainee titles: normalise the trade.
    trainees: bool = True
    # Preferred label and broader occupation win exact-label ties.
    exact_rules: bool = True


EXACT_PREFERRED = 1.0
EXACT_ALTERNATIVE = 0.97
SIMILAR_CAP = 0.95

_TRAINEE_WORDS = ("lærling", "lærlinge", "elev", "elever", "praktikant", "trainee", "aspirant")
_TRAINEE_SUFFIX = re.compile(r"^(?P<trade>.{3,}?)[- ]?(?:lærlinge?|elever|elev|praktikant|trainee|aspirant)$")
_TRAINEE_PREFIX = re.compile(r"^(?:lærling|elev|praktikant|trainee)(?: (?:som|i|inden for|til|hos))? (?P<trade>.{3,})$")


def key_of(text: str) -> str:
    return " ".join(words(text))


def trade_of(key: str) -> str | None:
    """The trade of an apprentice/trainee title ("murerlærling" -> "murer"), else None."""
    m = _TRAINEE_PREFIX.match(key) or _TRAINEE_SUFFIX.match(key)
    if not m:
        return None
    trade = m.group("trade").strip(" -")
    return trade if len(trade) >= 3 and trade not in _TRAINEE_WORDS else None


@dataclass(frozen=True)
class ConceptScore:
    concept: int
    score: float


class TitleIndex:
    """Every ESCO occupation and ISCO group with its labels, scored against a title.

    Concepts 0..n_occupations-1 are the catalogue's occupations (same ids), the rest ISCO groups.
    `drop` removes (occupation id, label) pairs, which is how the development set holds labels out.
    """

    def __init__(self, catalog: Catalog, embedder=None, params: Params | None = None,
                 drop: set[tuple[int, str]] | None = None, vectors_dir: Path | None = None) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.params = params or Params()
        self.catalog = catalog
        self.embedder = embedder
        drop = drop or set()
        n_occ = len(catalog.occupations)
        self.n_occupations = n_occ
        groups = sorted(catalog.isco_groups)
        self.group_codes = groups
        group_index = {g: n_occ + i for i, g in enumerate(groups)}
        self.concept_labels: list[str] = [o.label for o in catalog.occupations] + [catalog.isco_groups[g] for g in groups]
        # ESCO occupation codes nest ("7212.3" > "7212.3.4"); an occupation's group is its 4-digit ISCO code.
        depth = [o.code.count(".") for o in catalog.occupations] + [0] * len(groups)
        self.depth = np.array(depth, dtype=np.float32)
        self.group_of = np.array([group_index.get(o.isco, -1) for o in catalog.occupations] + [-1] * len(groups),
                                 dtype=np.int64)
        by_code = {o.code: o.id for o in catalog.occupations}
        self.parent = np.array([by_code.get(o.code.rsplit(".", 1)[0], -1) if o.code.count(".") > 1 else -1
                                for o in catalog.occupations] + [-1] * len(groups), dtype=np.int64)

        raw: list[str] = []
        keys: list[str] = []
        owner: list[int] = []
        preferred: list[bool] = []
        for occ in catalog.occupations:
            seen: set[str] = set()
            for i, label in enumerate(occ.labels):
                k = key_of(label)
                if not k or k in seen or (occ.id, label) in drop:
                    continue
                seen.add(k)
                raw.append(label)
                keys.append(k)
                owner.append(occ.id)
                preferred.append(i == 0)
        for g in groups:
            raw.append(catalog.isco_groups[g])
            keys.append(key_of(catalog.isco_groups[g]))
            owner.append(group_index[g])
            preferred.append(True)
        self.raw = raw
        self.keys = keys
        self.owner = np.array(owner, dtype=np.int64)
        self.preferred = np.array(preferred, dtype=bool)
        self.n_concepts = n_occ + len(groups)
        self.preferred_label = np.full(self.n_concepts, -1, dtype=np.int64)
        for i in np.flatnonzero(self.preferred):
            self.preferred_label[self.owner[i]] = i
        self.exact: dict[str, list[int]] = {}
        for i, k in enumerate(keys):
            self.exact.setdefault(k, []).append(i)
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32)
        self.matrix = self.vectorizer.fit_transform(keys).tocsr()
        self.vectors = None
        self.projection = None
        self.centroids = None
        if embedder is not None and self.params.ngram_weight < 1.0:
            vectors = label_vectors(embedder, raw, vectors_dir)
            if self.params.projection_epochs:
                self.projection = train_projection(vectors, self.owner, self.params.projection_epochs,
                                                   embedder.fingerprint, vectors_dir)
                vectors = _unit(vectors @ self.projection)
            self.vectors = vectors
            cent = np.zeros((self.n_concepts, vectors.shape[1]), dtype=np.float32)
            np.add.at(cent, self.owner, vectors)
            self.centroids = _unit(cent)

    # -- similarity -------------------------------------------------------------------------------
    def label_similarity(self, keys: list[str], texts: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """Fused similarity of each query (row) to each label (column), in [0, 1], and the
        embedding similarity to each concept's centroid (None without a model)."""
        p = self.params
        sims = (self.vectorizer.transform(keys) @ self.matrix.T).toarray().astype(np.float32)
        if self.vectors is not None:
            q = self.embedder.queries(texts, batch_size=32)
            if self.projection is not None:
                q = _unit(q @ self.projection)
            floor = 0.0 if self.projection is not None else p.embedding_floor
            cos = q @ self.vectors.T
            emb = np.clip((cos - floor) / (1.0 - floor), 0.0, 1.0)
            sims = p.ngram_weight * sims + (1.0 - p.ngram_weight) * emb
            return sims, np.clip((q @ self.centroids.T - floor) / (1.0 - floor), 0.0, 1.0)
        return sims, None

    def concept_scores(self, label_sims: np.ndarray, centroid: np.ndarray | None = None) -> np.ndarray:
        p = self.params
        out = np.zeros((label_sims.shape[0], self.n_concepts), dtype=np.float32)
        for r in range(label_sims.shape[0]):
            np.maximum.at(out[r], self.owner, label_sims[r])
        if p.centroid_weight and centroid is not None:
            # A concept several of whose labels sit near the title is likelier than one stray label.
            out = (out + p.centroid_weight * (1.0 - p.ngram_weight) * centroid) / (
                1.0 + p.centroid_weight * (1.0 - p.ngram_weight))
        if p.group_credit:
            occ = np.arange(self.n_occupations)
            g = self.group_of[occ]
            has = g >= 0
            own = out[:, occ[has]].copy()
            out[:, occ[has]] += p.group_credit * out[:, g[has]]
            # A group is as good as its best occupation, a little less.
            for r in range(out.shape[0]):
                np.maximum.at(out[r], g[has], (1 - p.group_credit) * own[r])
        if p.depth_penalty:
            out -= p.depth_penalty * self.depth[None, :]
        return out

    # -- ranking ----------------------------------------------------------------------------------
    def _exact_order(self, key: str, label_row: np.ndarray) -> list[int]:
        """Concepts with a label equal to the title, best first (preferred, broader, closer)."""
        hits = self.exact.get(key)
        if not hits:
            return []
        cands: dict[int, bool] = {}
        for i in hits:
            c = int(self.owner[i])
            cands[c] = cands.get(c, False) or bool(self.preferred[i])
        if not self.params.exact_rules:
            return sorted(cands, key=lambda c: -self._pref_sim(label_row, c))
        # Preferred label first; then an occupation none of whose broader occupations is also a
        # candidate; then the shallower; then the one whose preferred label is closest to the title.
        return sorted(cands, key=lambda c: (not cands[c], any(a in cands for a in self._ancestors(c)),
                                            self.depth[c], -self._pref_sim(label_row, c)))

    def _pref_sim(self, label_row: np.ndarray, c: int) -> float:
        i = self.preferred_label[c]
        return float(label_row[i]) if i >= 0 else 0.0

    def _ancestors(self, c: int) -> list[int]:
        out = []
        a = int(self.parent[c]) if c < self.n_occupations else -1
        while a >= 0:
            out.append(a)
            a = int(self.parent[a])
        return out

    def rank(self, titles: list[str], k: int | None = None, occupations_only: bool = False) -> list[list[ConceptScore]]:
        """Per title, concepts best first with a score in [0, 1] (exact labels 0.97-1.0)."""
        p = self.params
        keys = [key_of(t) for t in titles]
        look = []
        for key in keys:
            trade = trade_of(key) if p.trainees else None
            # A trainee title that is itself an ESCO label stays that label.
            look.append(trade if trade and key not in self.exact else key)
        if not any(look):
            return [[] for _ in titles]
        safe = [x or "-" for x in look]
        label_sims, centroid = self.label_similarity(safe, safe)
        concept = np.minimum(self.concept_scores(label_sims, centroid), SIMILAR_CAP)
        if occupations_only:
            concept = concept[:, : self.n_occupations]
        n = concept.shape[1]
        out: list[list[ConceptScore]] = []
        for r, key in enumerate(look):
            if not key:
                out.append([])
                continue
            row = concept[r]
            exact = [c for c in self._exact_order(key, label_sims[r]) if c < n]
            for j, c in enumerate(exact):
                first = EXACT_PREFERRED if self._is_preferred_match(key, c) else EXACT_ALTERNATIVE
                row[c] = max(first - 0.005 * j, SIMILAR_CAP + 0.001)
            kk = n if k is None else min(k, n)
            idx = np.argpartition(-row, kk - 1)[:kk] if kk < n else np.arange(n)
            idx = idx[np.lexsort((self.depth[idx], -row[idx]))]
            vals = row[idx]
            keep = vals > 0
            out.append([ConceptScore(i, v) for i, v in zip(idx[keep].tolist(), np.round(vals[keep], 4).tolist())])
        return out

    def _is_preferred_match(self, key: str, c: int) -> bool:
        return any(int(self.owner[i]) == c and self.preferred[i] for i in self.exact.get(key, ()))


def _unit(m: np.ndarray) -> np.ndarray:
    return (m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)).astype(np.float32)


PROJECTION_VERSION = 1


def train_projection(vectors: np.ndarray, owner: np.ndarray, epochs: int, model_fingerprint: str,
                     folder: Path | None = None) -> np.ndarray:
    """A linear map of the model's vectors under which labels of the same ESCO concept meet.

    Trained on ESCO alone (pairs of labels of one occupation, the others in the batch as
    negatives, InfoNCE), seeded and single-threaded so it is repeatable; cached on disk keyed by
    the labels, their owners and the model, so only the first start after an ESCO or model change
    pays for it.
    """
    import torch

    from shared.settings import get_settings

    folder = Path(folder or get_settings().matching_cache_dir)
    h = hashlib.sha256(f"{PROJECTION_VERSION}:{epochs}:{model_fingerprint}".encode())
    h.update(np.ascontiguousarray(owner).tobytes())
    h.update(np.ascontiguousarray(vectors[:, :8]).tobytes())
    path = folder / f"title-projection-{h.hexdigest()[:16]}.npy"
    if path.exists():
        try:
            return np.load(path, allow_pickle=False)
        except Exception:
            path.unlink(missing_ok=True)
    members: dict[int, list[int]] = {}
    for i, c in enumerate(owner.tolist()):
        members.setdefault(c, []).append(i)
    pairs = [(a, b) for m in members.values() if len(m) > 1 for a in m for b in m if a != b]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        gen = torch.Generator().manual_seed(0)
        v = torch.from_numpy(np.ascontiguousarray(vectors, dtype=np.float32))
        own = torch.from_numpy(np.ascontiguousarray(owner))
        w = torch.nn.Parameter(torch.eye(v.shape[1]))
        opt = torch.optim.Adam([w], lr=1e-3)
        all_pairs = torch.tensor(pairs, dtype=torch.long)
        batch, tau = 512, 0.05
        for _ in range(epochs):
            order = torch.randperm(len(all_pairs), generator=gen)
            for s in range(0, len(all_pairs), batch):
                b = all_pairs[order[s : s + batch]]
                qa = torch.nn.functional.normalize(v[b[:, 0]] @ w, dim=1)
                qb = torch.nn.functional.normalize(v[b[:, 1]] @ w, dim=1)
                logits = qa @ qb.T / tau
                ob = own[b[:, 1]]
                # Another pair of the same concept in the batch is no negative.
                clash = (ob[None, :] == ob[:, None]) & ~torch.eye(len(b), dtype=torch.bool)
                loss = torch.nn.functional.cross_entropy(logits.masked_fill(clash, -1e4), torch.arange(len(b)))
                opt.zero_grad()
                loss.backward()
                opt.step()
    finally:
        torch.set_num_threads(threads)
    out = w.detach().numpy().astype(np.float32)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npy")
    np.save(tmp, out)
    tmp.replace(path)
    return out


def label_vectors(embedder, texts: list[str], folder: Path | None = None) -> np.ndarray:
    """Vectors of `texts` (query prompt: titles are compared with titles), cached per model and text."""
    from shared.settings import get_settings

    folder = Path(folder or get_settings().matching_cache_dir)
    path = folder / f"title-vectors-{embedder.fingerprint}.npz"
    known: dict[str, np.ndarray] = {}
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as data:
                known = dict(zip(data["texts"].tolist(), data["vecs"]))
        except Exception:
            known = {}
    missing = sorted({t for t in texts if t not in known})
    if missing:
        vecs = embedder.queries(missing, batch_size=64)
        known.update(zip(missing, vecs.astype(np.float32)))
        folder.mkdir(parents=True, exist_ok=True)
        all_texts = sorted(known)
        tmp = path.with_name(path.name + f".{hashlib.sha1(str(len(all_texts)).encode()).hexdigest()[:6]}.tmp.npz")
        np.savez(tmp, texts=np.array(all_texts), vecs=np.stack([known[t] for t in all_texts]))
        tmp.replace(path)
    return np.stack([known[t] for t in texts]).astype(np.float32)
