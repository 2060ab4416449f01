"""What Jobbro reads out of a CV or a vacancy: ESCO skills and occupations, lexical profile.

Features are stored with the candidate/vacancy (JSON) by ESCO URI, so the index reloads them
without re-reading the texts and an explanation can name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from services.matching.esco.catalog import Catalog
from services.matching.esco.recognise import Recogniser, get_recogniser
from services.matching.esco.text import words
from services.matching.esco.titles import EXACT_PREFERRED, SIMILAR_CAP
from services.matching.ranking.lexical import CharNgrams, Profile, get_ngrams
from shared.glossary import SCHEME_TITLE_WORDS

LEXICAL_TERMS = 64
MAX_ESSENTIAL_FALLBACK = 12
OCCUPATION_IN_TEXT_SCORE = 0.8
# An occupation label found in a CV's text whose ESCO skills the CV shows none of, while another
# found occupation's skills are there: a shared or loose label ("industrioperatør" names a dozen
# occupations), trusted this much less. Chosen on the development seed, docs/matching-quality.md.
UNSUPPORTED_TEXT_OCCUPATION = 0.75
# An order's title, unless it is an occupation's own ESCO name, is read together with its text:
# the title's nearest occupations, those named in the text and those whose description the text
# reads most like compete on title score + TEXT_WEIGHT x text likeness (relative to the best).
# Chosen on the demo catalogue's orders (shared/demo_catalogue.py, our own set); the ESCO-built
# evaluation set's titles are preferred labels and are unaffected. docs/matching-quality.md.
TITLE_POOL = 30
TEXT_POOL = 10
TEXT_WEIGHT = 0.5
# Occupations whose combined score is this close to the best are kept beside it (up to 3).
KEEP_NEAR_BEST = 0.9
# A title that is an ESCO label keeps its occupation unless the text reads less than this much
# like it as like the likeliest candidate: text that fits a specialism a bit better ("opretning af
# motorer") should not turn a generic title ("mekaniker") into that specialism. A title that only
# resembles labels is a guess, and the text always has its say.
TEXT_VETO = 0.6
# What the order page offers a consultant who corrects how matching read a title: the title's
# ten nearest occupations, and the five the text reads most like.
CHOICES = 10
CHOICES_BY_TEXT = 5


@dataclass
class TextFeatures:
    skills: list[int]  # ESCO skill ids found
    skill_kinds: dict[int, str]
    occupations: list[tuple[int, float]]  # (occupation id, score)
    essential: list[int]  # for vacancies: the skills a candidate must share
    lexical: Profile

    def to_json(self, catalog: Catalog) -> dict[str, Any]:
        return {
            "skills": [{"uri": catalog.skills[s].uri, "label": catalog.skills[s].label, "kind": self.skill_kinds.get(s, "")}
                       for s in self.skills],
            "occupations": [{"uri": catalog.occupations[o].uri, "label": catalog.occupations[o].label,
                             "score": round(sc, 4)} for o, sc in self.occupations],
            "essential": [catalog.skills[s].uri for s in self.essential],
            "lexical": {"idx": self.lexical.idx.tolist(), "w": [round(float(x), 5) for x in self.lexical.w]},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], catalog: Catalog) -> TextFeatures:
        import numpy as np

        skills = [catalog.skill_by_uri[s["uri"]] for s in data.get("skills", []) if s["uri"] in catalog.skill_by_uri]
        kinds = {catalog.skill_by_uri[s["uri"]]: s.get("kind", "") for s in data.get("skills", [])
                 if s["uri"] in catalog.skill_by_uri}
        occs = [(catalog.occupation_by_uri[o["uri"]], float(o["score"])) for o in data.get("occupations", [])
                if o["uri"] in catalog.occupation_by_uri]
        essential = [catalog.skill_by_uri[u] for u in data.get("essential", []) if u in catalog.skill_by_uri]
        lex = data.get("lexical") or {"idx": [], "w": []}
        return cls(skills, kinds, occs, essential,
                   Profile(np.array(lex["idx"], dtype=np.int32), np.array(lex["w"], dtype=np.float32)))


def _merge_occupations(pairs: list[tuple[int, float]], limit: int = 5) -> list[tuple[int, float]]:
    best: dict[int, float] = {}
    for o, s in pairs:
        best[o] = max(best.get(o, 0.0), s)
    return sorted(best.items(), key=lambda kv: -kv[1])[:limit]


def _text_occupations(found: list, skills: set[int], cat: Catalog) -> list[tuple[int, float]]:
    """Occupations named in a CV's text, those whose ESCO skills the CV also shows first.

    A label can name several occupations; the CV's own skills say which one is meant, so the
    supported ones survive the cut in `_merge_occupations` and the others count less."""
    ids = list(dict.fromkeys(h.id for h in found))
    support = {o: len(skills.intersection(cat.occupations[o].essential))
               + 0.5 * len(skills.intersection(cat.occupations[o].optional)) for o in ids}
    if not any(support.values()):
        return [(o, OCCUPATION_IN_TEXT_SCORE) for o in ids]
    ids.sort(key=lambda o: -support[o])
    return [(o, OCCUPATION_IN_TEXT_SCORE * (1.0 if support[o] else UNSUPPORTED_TEXT_OCCUPATION)) for o in ids]


def candidate_features(cv_text: str, desired_occupations: list[str], rec: Recogniser | None = None,
                       ngrams: CharNgrams | None = None) -> TextFeatures:
    rec = rec or get_recogniser()
    ngrams = ngrams or get_ngrams()
    hits = rec.skill_hits(cv_text + "\n" + "\n".join(desired_occupations))
    occs: list[tuple[int, float]] = []
    for title in desired_occupations:
        occs += title_occupations(title, cv_text, rec)[:1]
    occs += _text_occupations(rec.occupation_hits(cv_text), {h.id for h in hits}, rec.catalog)
    lex_text = cv_text + " " + " ".join(desired_occupations)
    return TextFeatures([h.id for h in hits], {h.id: h.kind for h in hits}, _merge_occupations(occs), [],
                        ngrams.profile(lex_text, LEXICAL_TERMS))


def without_scheme(title: str) -> str:
    """The job title of an order titled with its scheme first ("Praktikplads: Tømrerlærling")."""
    head, sep, rest = title.partition(":")
    if sep and rest.strip() and set(words(head)) <= SCHEME_TITLE_WORDS and words(head):
        return rest.strip()
    return title


def title_occupations(title: str, text: str, rec: Recogniser) -> list[tuple[int, float]]:
    """The ESCO occupations a title means, read with the text around it (an order's description of
    the work, a CV), with a score in [0, 1], best first (at most 3)."""
    title = without_scheme(title)
    top = rec.normalise_title(title, k=TITLE_POOL) if title.strip() else []
    if not top:
        return [(h.id, OCCUPATION_IN_TEXT_SCORE) for h in rec.occupation_hits(text)][:3]
    first = [(o.id, o.score) for o in top[:3]]
    if top[0].score >= EXACT_PREFERRED or not text.strip():
        return _exact_only(first)
    likeness = rec.descriptions.similarity(title + "\n" + text)
    by_title = {o.id: o.score for o in top}
    pool = set(by_title) | {h.id for h in rec.occupation_hits(text)}
    pool |= set(np.argpartition(-likeness, TEXT_POOL)[:TEXT_POOL].tolist())
    best_likeness = float(max(likeness[o] for o in pool))
    exact = top[0].score > SIMILAR_CAP
    if best_likeness <= 0 or (exact and likeness[top[0].id] >= TEXT_VETO * best_likeness):
        return _exact_only(first)
    # What the text reads clearly unlike is not what the title means here, however close the title.
    pool = {o for o in pool if likeness[o] >= TEXT_VETO * best_likeness}
    combined = {o: (by_title.get(o, 0.0) + TEXT_WEIGHT * float(likeness[o]) / best_likeness) / (1 + TEXT_WEIGHT)
                for o in pool}
    ranked = sorted(pool, key=lambda o: (-combined[o], o))[:3]
    top_score = combined[ranked[0]]
    return [(o, round(combined[o], 4)) for o in ranked if combined[o] >= KEEP_NEAR_BEST * top_score]


def occupation_choices(title: str, text: str, rec: Recogniser, limit: int = CHOICES) -> list[int]:
    """The occupations a consultant correcting a misread title picks from, most likely first: the
    title's nearest ESCO labels, the occupations the text names, and those it reads most like."""
    title = without_scheme(title)
    found = [o.id for o in rec.normalise_title(title, k=limit)] if title.strip() else []
    found += [h.id for h in rec.occupation_hits(text)]
    if text.strip() or title.strip():
        likeness = rec.descriptions.similarity(title + "\n" + text)
        found += [int(o) for o in np.argsort(-likeness)[:CHOICES_BY_TEXT] if likeness[o] > 0]
    return list(dict.fromkeys(found))[:limit + CHOICES_BY_TEXT]


def _exact_only(occs: list[tuple[int, float]]) -> list[tuple[int, float]]:
    if occs and occs[0][1] > SIMILAR_CAP:
        # The title is an ESCO label: its occupations (ties included) are the vacancy's; merely
        # similar occupations would lend their candidates occupation credit they have not earned.
        return [(o, s) for o, s in occs if s > SIMILAR_CAP]
    return occs


def vacancy_features(title: str, text: str, rec: Recogniser | None = None,
                     ngrams: CharNgrams | None = None, occupation: int | None = None) -> TextFeatures:
    """`occupation`: the one a consultant chose for this vacancy, which replaces the title's reading."""
    rec = rec or get_recogniser()
    ngrams = ngrams or get_ngrams()
    cat = rec.catalog
    occs = [(occupation, 1.0)] if occupation is not None else title_occupations(title, text, rec)
    hits = rec.skill_hits(title + "\n" + text)
    found = [h.id for h in hits]
    related: set[int] = set()
    for o, _ in occs:
        related.update(cat.occupations[o].essential)
        related.update(cat.occupations[o].optional)
    essential = [s for s in found if s in related] or found
    if not essential and occs and occs[0][1] >= 0.6:
        essential = cat.occupations[occs[0][0]].essential[:MAX_ESSENTIAL_FALLBACK]
    return TextFeatures(found, {h.id: h.kind for h in hits}, occs, essential,
                        ngrams.profile(title + " " + text, None))
