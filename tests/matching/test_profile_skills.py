"""The skills part credits the vacancy occupation's other ESCO skills; occupations named in a CV
are ordered and trusted by the CV's own skills."""

import numpy as np

from services.matching.esco.catalog import get_catalog
from services.matching.ranking import engine
from services.matching.ranking.engine import CandidateRecord, Pool, Query, _occupation_target, _skill_target, \
    context_for, score_rows
from services.matching.ranking.features import (OCCUPATION_IN_TEXT_SCORE, UNSUPPORTED_TEXT_OCCUPATION,
                                                TextFeatures, _text_occupations)
from services.matching.ranking.lexical import Profile
from services.matching.ranking.scoring import get_weights


def _features(skills, occupations=(), essential=()):
    empty = Profile(np.zeros(0, np.int32), np.zeros(0, np.float32))
    return TextFeatures(list(skills), {}, list(occupations), list(essential), empty)


def _occupation_with_profile(cat):
    return next(o for o in cat.occupations if len(o.essential) >= 6)


def test_a_cv_with_other_skills_of_the_vacancy_occupation_scores_above_one_without(monkeypatch):
    cat = get_catalog()
    occ = _occupation_with_profile(cat)
    named, others = occ.essential[:3], occ.essential[3:6]
    profile = set(occ.essential) | set(occ.optional)
    unrelated = [s.id for s in cat.skills if s.id not in profile][:3]
    query = Query(occ.label, _features(named, [(occ.id, 1.0)], named), context_for("ordinaer"), None, None, 1)
    pool = Pool.build([CandidateRecord(1, "a", {}, _features(others), None, None),
                       CandidateRecord(2, "b", {}, _features(unrelated), None, None),
                       CandidateRecord(3, "c", {}, _features(named + others), None, None)], 384, cat)
    rows = np.arange(3)
    skills = score_rows(pool, query, rows, get_weights(), _occupation_target(query, cat),
                        skill_target=_skill_target(query, cat))["skills"]
    assert skills[0] == np.float32(engine.PROFILE_SKILL_CREDIT)  # 3 profile skills of 3 named, half each
    assert skills[1] == 0.0
    assert skills[2] == 1.0  # capped: the named ones already make it whole
    # Without the target only the named (essential) skills count, as before.
    plain = score_rows(pool, query, rows, get_weights(), _occupation_target(query, cat))["skills"]
    assert list(plain) == [0.0, 0.0, 1.0]
    monkeypatch.setattr(engine, "PROFILE_SKILL_CREDIT", 0.0)
    assert _skill_target(query, cat)[others].sum() == 0


def test_a_label_shared_by_occupations_is_read_by_the_cvs_skills():
    cat = get_catalog()
    b = _occupation_with_profile(cat)
    a = next(o for o in cat.occupations if o.id != b.id and not set(b.essential) & (set(o.essential) | set(o.optional)))

    class Found:
        def __init__(self, i):
            self.id = i

    found = [Found(a.id), Found(b.id)]
    got = _text_occupations(found, set(b.essential[:2]), cat)
    assert got == [(b.id, OCCUPATION_IN_TEXT_SCORE), (a.id, OCCUPATION_IN_TEXT_SCORE * UNSUPPORTED_TEXT_OCCUPATION)]
    # No skill evidence either way: the text order and the full score stay.
    assert _text_occupations(found, set(), cat) == [(a.id, OCCUPATION_IN_TEXT_SCORE), (b.id, OCCUPATION_IN_TEXT_SCORE)]


def test_the_explanation_names_the_skills_credited_through_the_occupation_profile():
    from services.matching.ranking.engine import rank
    from shared.rules import get_rulebook

    cat = get_catalog()
    occ = _occupation_with_profile(cat)
    named, others = occ.essential[:3], occ.essential[3:6]
    query = Query(occ.label, _features(named, [(occ.id, 1.0)], named), context_for("ordinaer"), None, None, 1)
    pool = Pool.build([CandidateRecord(1, "a", {}, _features(others), None, None)], 384, cat)
    item = rank(pool, query, get_weights(), get_rulebook(), cat, top=1).items[0]
    ex = item["explanation"]
    assert ex["kompetencer_fra_stillingens_profil"] == sorted(cat.skills[s].label for s in others)
    assert ex["fælles_kompetencer"] == []
    assert "3 andre kompetencer fra stillingens ESCO-profil" in ex["resume"]
