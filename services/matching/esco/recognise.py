"""Recognising ESCO occupations and skills in Danish text, and normalising job titles.

Skills and occupations are found from their Danish labels in three ways, each reported as the
`kind` of a hit so an explanation can say how sure it is:
- `eksakt`: the label's words stand in the text as written;
- `bøjet`: the label's content words occur, inflected and perhaps reordered, within a short
  window ("betjening af gaffeltrucks" for "betjene gaffeltruck");
- `fuzzy`: a one-word label is spelled nearly the same (rapidfuzz ratio >= 88), e.g. typos.
Titles are normalised by `titles.TitleIndex`: character n-grams and the embedding model fused over
every Danish ESCO label, with ESCO's own rules for ties and trainee titles.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from rapidfuzz import fuzz

from services.matching.esco.occupation_text import OccupationDescriptions
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


_RANK = {"eksakt": 0, "bøjet": 1, "fuzzy": 2}
# A sentence ends at . ! or ? before white space, or at a line break ("m.fl." inside a line stays).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


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
        # A label's words are looked for within one sentence: "... en stabil medarbejder. Oplæring
        # gives." does not name the skill "uddanne medarbejdere".
        best: dict[int, Hit] = {}
        for sentence in _SENTENCE_END.split(text or ""):
            self._find_in(sentence, fuzzy, best)
        return sorted(best.values(), key=lambda h: (_RANK[h.kind], h.id))

    def _find_in(self, text: str, fuzzy: bool, best: dict[int, Hit]) -> None:
        toks = tokens_with_stems(text)
        if not toks:
            return
        positions: dict[str, list[int]] = defaultdict(list)
        for i, (_, s) in enumerate(toks):
            if s:
                positions[s].append(i)
        all_words = [w for w, _ in toks]
        joined = " " + " ".join(all_words) + " "

        def keep(hit: Hit) -> None:
            old = best.get(hit.id)
            if old is None or _RANK[hit.kind] < _RANK[old.kind]:
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


@dataclass(frozen=True)
class OccupationScore:
    id: int
    score: float


class TitleNormaliser:
    """Top-k ESCO occupations for a job title (services/matching/esco/titles.py says how)."""

    def __init__(self, catalog: Catalog, embedder=None) -> None:
        from services.matching.esco.titles import TitleIndex

        self.index = TitleIndex(catalog, embedder)
        self._cache: dict[tuple[str, int], list[OccupationScore]] = {}

    def top(self, title: str, k: int = 3) -> list[OccupationScore]:
        key = (" ".join(words(title)), k)
        if not key[0]:
            return []
        got = self._cache.get(key)
        if got is None:
            ranked = self.index.rank([title], k, occupations_only=True)[0]
            got = [OccupationScore(x.concept, x.score) for x in ranked]
            if len(self._cache) > 4096:  # titles repeat (desired occupations, orders): keep a bounded few
                self._cache.clear()
            self._cache[key] = got
        return list(got)


def _title_embedder():
    """The embedding model for titles, or None (n-grams alone) when disabled or missing."""
    from shared.settings import get_settings

    if not get_settings().matching_load_model:
        return None
    try:
        from services.matching.embedding.model import get_embedder

        return get_embedder()
    except Exception as exc:  # /ready reports the missing model; titles still normalise by n-grams
        logging.getLogger(__name__).warning("titles: no embedding model (%s); character n-grams only", exc)
        return None


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
        self.titles = TitleNormaliser(catalog, _title_embedder())

    def skill_hits(self, text: str) -> list[Hit]:
        return self.skills.find(text)

    def occupation_hits(self, text: str) -> list[Hit]:
        return self.occupations.find(text, fuzzy=False)

    def normalise_title(self, title: str, k: int = 3) -> list[OccupationScore]:
        return self.titles.top(title, k)

    @cached_property
    def descriptions(self) -> OccupationDescriptions:
        return OccupationDescriptions(self.catalog)


@lru_cache
def get_recogniser() -> Recogniser:
    return Recogniser(get_catalog())
