"""Recognising ESCO occupations and skills in Danish text, and normalising job titles.

Skills and occupations are found from their Danish labels in three ways, each reported as the
`kind` of a hit so an explanation can say how sure it is:
- `eksakt`: the label's words stand in the text as written;
- `bøjet`: the label's content words occur, inflected and perhaps reordered, within a short
  window ("betjening af gaffeltrucks" for "betjene gaffeltruck");
- `fuzzy`: a one-word label is spelled nearly the same (rapidfuzz ratio >= 88), e.g. typos.
Titles are normalised with character n-gram TF-IDF over every Danish occupation label, which
copes with compounds ("lagermedarbejder" ~ "lagerarbejder") where word matching fails.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from services.matching.esco.catalog import Catalog, get_catalog
from services.matching.esco.text import STOPWORDS, stem, tokens_with_stems, words

MAX_LABEL_STEMS = 5
FUZZY_MIN_LEN = 7
FUZZY_CUTOFF = 88.0


@dataclass(frozen=True)
class Hit:
    id: int
    kind: str  # eksakt, bøjet, fuzzy
    text: str


@dataclass(frozen=True)
class LabelEntry:
    concept: int
    words: tuple[str, ...]
    stems: tuple[str, ...]


class LabelMatcher:
    """Finds concepts (skills or occupations) whose Danish labels occur in a text."""

    def __init__(self, labelled: list[tuple[int, list[str]]]) -> None:
        entries: list[LabelEntry] = []
        seen: set[tuple[int, tuple[str, ...]]] = set()
        for concept, labels in labelled:
            for label in labels:
                ws = tuple(words(label))
                stems = tuple(dict.fromkeys(stem(w) for w in ws if w not in STOPWORDS))
                if not stems or len(stems) > MAX_LABEL_STEMS or (concept, stems) in seen:
                    continue
                if len(stems) == 1 and len(stems[0]) < 3:
                    continue
                seen.add((concept, stems))
                entries.append(LabelEntry(concept, ws, stems))
        df: dict[str, int] = defaultdict(int)
        for e in entries:
            for s in e.stems:
                df[s] += 1
        self.anchored: dict[str, list[LabelEntry]] = defaultdict(list)
        for e in entries:
            anchor = min(e.stems, key=lambda s: (df[s], s))
            self.anchored[anchor].append(e)
        single = sorted({e.stems[0] for e in entries if len(e.stems) == 1 and len(e.stems[0]) >= FUZZY_MIN_LEN - 1})
        self.fuzzy_blocks: dict[str, list[str]] = defaultdict(list)
        for s in single:
            self.fuzzy_blocks[s[:3]].append(s)

    def find(self, text: str, fuzzy: bool = True) -> list[Hit]:
        toks = tokens_with_stems(text)
        if not toks:
            return []
        positions: dict[str, list[int]] = defaultdict(list)
        for i, (_, s) in enumerate(toks):
            if s:
                positions[s].append(i)
        all_words = [w for w, _ in toks]
        joined = " " + " ".join(all_words) + " "
        best: dict[int, Hit] = {}
        rank = {"eksakt": 0, "bøjet": 1, "fuzzy": 2}

        def keep(hit: Hit) -> None:
            old = best.get(hit.id)
            if old is None or rank[hit.kind] < rank[old.kind]:
                best[hit.id] = hit

        for anchor, plist in positions.items():
            for entry in self.anchored.get(anchor, ()):
                if len(entry.stems) == 1:
                    phrase = " ".join(entry.words)
                    kind = "eksakt" if f" {phrase} " in joined else "bøjet"
                    keep(Hit(entry.concept, kind, phrase if kind == "eksakt" else all_words[plist[0]]))
                    continue
                window = 2 + 2 * len(entry.words)
                others = [positions.get(s) for s in entry.stems if s != anchor]
                if any(o is None for o in others):
                    continue
                for p in plist:
                    if all(any(abs(q - p) <= window for q in o) for o in others):
                        phrase = " ".join(entry.words)
                        if f" {phrase} " in joined:
                            keep(Hit(entry.concept, "eksakt", phrase))
                        else:
                            lo = min([p] + [min(o, key=lambda q: abs(q - p)) for o in others])
                            hi = max([p] + [min(o, key=lambda q: abs(q - p)) for o in others])
                            keep(Hit(entry.concept, "bøjet", " ".join(all_words[lo : hi + 1])))
                        break
        if fuzzy:
            for s, plist in positions.items():
                if len(s) < FUZZY_MIN_LEN - 1 or s in self.anchored:
                    continue
                for cand in self.fuzzy_blocks.get(s[:3], ()):
                    if abs(len(cand) - len(s)) <= 2 and fuzz.ratio(s, cand) >= FUZZY_CUTOFF:
                        for entry in self.anchored.get(cand, ()):
                            if len(entry.stems) == 1:
                                keep(Hit(entry.concept, "fuzzy", all_words[plist[0]]))
        return sorted(best.values(), key=lambda h: (rank[h.kind], h.id))


@dataclass(frozen=True)
class OccupationScore:
    id: int
    score: float


class TitleNormaliser:
    """Top-k ESCO occupations for a title by character n-gram TF-IDF over the Danish labels."""

    def __init__(self, catalog: Catalog) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        labels: list[str] = []
        owners: list[int] = []
        self.exact: dict[str, int] = {}
        for occ in catalog.occupations:
            for label in occ.labels:
                key = " ".join(words(label))
                labels.append(key)
                owners.append(occ.id)
                self.exact.setdefault(key, occ.id)
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32)
        self.matrix = self.vectorizer.fit_transform(labels).tocsr()
        self.owners = np.array(owners, dtype=np.int32)
        self.n_occupations = len(catalog.occupations)

    def top(self, title: str, k: int = 3) -> list[OccupationScore]:
        key = " ".join(words(title))
        if not key:
            return []
        sims = (self.matrix @ self.vectorizer.transform([key]).T).toarray().ravel()
        per_occ = np.zeros(self.n_occupations, dtype=np.float32)
        np.maximum.at(per_occ, self.owners, sims)
        if key in self.exact:
            per_occ[self.exact[key]] = 1.0
        idx = np.argpartition(-per_occ, min(k, len(per_occ) - 1))[:k]
        idx = idx[np.argsort(-per_occ[idx])]
        return [OccupationScore(int(i), round(float(per_occ[i]), 4)) for i in idx if per_occ[i] > 0]


class Recogniser:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        # A one-word alternative label of a longer skill ("betjene" for "betjene elektroniske
        # måleinstrumenter") is too vague to claim the skill on its own.
        self.skills = LabelMatcher([
            (s.id, [s.label, *[a for a in s.alt_labels if len(a.split()) > 1 or len(s.label.split()) == 1]])
            for s in catalog.skills
        ])
        self.occupations = LabelMatcher([(o.id, o.labels) for o in catalog.occupations])
        self.titles = TitleNormaliser(catalog)

    def skill_hits(self, text: str) -> list[Hit]:
        return self.skills.find(text)

    def occupation_hits(self, text: str) -> list[Hit]:
        return self.occupations.find(text, fuzzy=False)

    def normalise_title(self, title: str, k: int = 3) -> list[OccupationScore]:
        return self.titles.top(title, k)


@lru_cache
def get_recogniser() -> Recogniser:
    return Recogniser(get_catalog())
