"""Demo candidates and vacancies generated from ESCO (Danish labels), for `make run`.

Seeded, so every run creates the same people: CVs written from an occupation's labels and
essential skills, eligibility facts spread so that every scheme has candidates (and some who
are not eligible, to show the explanations). Vectors are made by the RQ worker (`reembed_all`).
"""

from __future__ import annotations

import random

from sqlmodel import Session, func, select

from services.matching.candidates.models import Candidate
from services.matching.esco.catalog import get_catalog
from services.matching.index import jobs, store
from services.matching.ranking.features import candidate_features, vacancy_features
from services.matching.vacancies.models import Vacancy
from shared.db import get_engine
from shared.glossary import TARGET_GROUP_CODE_LIST_VERSION, EducationLevel, Scheme, TargetGroup

SEED = 2026
# ISCO major groups where jobcentre placements mostly happen (services, trades, operators, elementary).
ISCO_MAJOR = ("4", "5", "7", "8", "9")
POSTCODES = ("4200", "4200", "4200", "4220", "4230", "4241", "4250", "4270", "4293", "4180", "4100", "4700")
OPENINGS = ("Jeg har {years} års erfaring som {title}.", "Jeg har arbejdet som {title} i {years} år.",
            "De seneste {years} år har jeg været ansat som {title}.")
CLOSINGS = ("Jeg er stabil, mødestabil og god til at samarbejde.", "Jeg trives med faste rutiner og et godt kollegaskab.",
            "Jeg er hurtig til at lære nyt og tager gerne ansvar.", "Jeg søger job i nærområdet og kan starte med det samme.")


def _cv(rng: random.Random, title: str, skills: list[str], years: int, knowledge: list[str] = ()) -> str:
    parts = [rng.choice(OPENINGS).format(years=years, title=title)]
    if knowledge:
        parts.append("Jeg har kendskab til " + " og ".join(knowledge) + ".")
    if skills:
        parts.append("I mit arbejde har jeg bl.a. skullet " + ", ".join(skills[:-1]) +
                     (f" og {skills[-1]}." if len(skills) > 1 else f"{skills[0]}."))
    parts.append(rng.choice(CLOSINGS))
    parts.append(rng.choice(("Jeg har kørekort B.", "Jeg taler dansk og engelsk.", "Jeg har ikke kørekort.")))
    return " ".join(parts)


def _facts(rng: random.Random, i: int) -> dict:
    groups = list(TargetGroup)
    tg = groups[i % len(groups)]
    f = {"target_group": tg.value, "months_unemployed": rng.choice([1, 3, 5, 7, 9, 14, 24]),
         "birth_year": rng.randint(1966, 2005), "hours_available": rng.choice([37, 37, 30, 25, 20]),
         "education_level": rng.choice(list(EducationLevel)).value, "postcode": rng.choice(POSTCODES),
         "municipality_code": 330, "single_parent": rng.random() < 0.1}
    if tg in (TargetGroup.ledighedsydelse,) or i % 9 == 0:
        f.update(fleksjob_visiteret=True, fleksjob_hours=rng.choice([8, 12, 15, 20]))
    if tg is TargetGroup.integration or i % 11 == 0:
        f.update(igu_basis=rng.choice(["flygtning", "familiesammenfoert"]), years_in_denmark=rng.randint(1, 9),
                 birth_year=rng.randint(1980, 2004))
    if i % 13 == 0:
        f.update(municipality_code=329, postcode="4100", consent_other_municipalities=i % 2 == 0)
    return f


def generate(count: int, seed: int = SEED):
    cat = get_catalog()
    rng = random.Random(seed)
    pool = [o for o in cat.occupations if o.isco[:1] in ISCO_MAJOR and len(o.essential) >= 5]
    chosen = rng.sample(pool, min(count, len(pool)))
    people, vacancies = [], []
    for i, occ in enumerate(chosen):
        titles = occ.labels
        picked = [cat.skills[s] for s in rng.sample(occ.essential, min(5, len(occ.essential)))]
        skills = [k.label for k in picked if k.kind != "knowledge"]
        knowledge = [k.label for k in picked if k.kind == "knowledge"][:2]
        people.append({"candidate_ref": f"DEMO-{i + 1:04d}", "desired_occupations": [occ.label],
                       "cv_text": _cv(rng, rng.choice(titles), skills, rng.randint(1, 15), knowledge),
                       **_facts(rng, i)})
    schemes = [s.value for s in (Scheme.ordinaer, Scheme.virksomhedspraktik, Scheme.loentilskud, Scheme.igu,
                                  Scheme.fleksjob)]
    for j, occ in enumerate(chosen[: max(10, count // 6)]):
        skills = [cat.skills[s].label for s in occ.essential[:4]]
        scheme = schemes[j % len(schemes)]
        vacancies.append({"title": occ.label.capitalize(), "scheme": scheme,
                          "text": f"Vi søger en {occ.label}. Du skal kunne " + ", ".join(skills) + ".",
                          "hours_per_week": 12 if scheme == "fleksjob" else 37, "postcode": rng.choice(POSTCODES),
                          "duration_weeks": 4 if scheme == "virksomhedspraktik" else None})
    return people, vacancies


def load_demo(count: int = 120, if_empty: bool = True) -> str:
    cat = get_catalog()
    with Session(get_engine()) as s:
        if if_empty and s.exec(select(func.count()).select_from(Candidate)).one():
            return "matching demo: candidates exist, nothing loaded"
        people, vacs = generate(count)
        for p in people:
            c = Candidate(**p, code_list_version=TARGET_GROUP_CODE_LIST_VERSION)
            c.features = candidate_features(c.cv_text, c.desired_occupations).to_json(cat)
            c.features["warnings"] = []
            c.version = store.bump_version(s)
            s.add(c)
        for v in vacs:
            row = Vacancy(**v)
            row.features = vacancy_features(row.title, row.text).to_json(cat)
            s.add(row)
        s.commit()
    try:
        jobs.queue().enqueue(jobs.reembed_all, job_timeout=24 * 3600)
    except Exception as exc:
        return f"matching demo: {len(people)} candidates, {len(vacs)} vacancies; embedding not queued ({exc})"
    return f"matching demo: {len(people)} candidates, {len(vacs)} vacancies; embedding queued on `matching`"
