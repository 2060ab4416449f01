"""Demo job seekers for the occupations the demo municipality's orders ask for, for `make run`.

What to make people for comes from `shared/demo_catalogue.py` (the titles crm's demo orders, each
with its ESCO occupation): matching never reads crm's tables, and the catalogue is there before
any order event has arrived. For every occupation there are
- good fits: that occupation, its essential skills in the CV, years of experience, living nearby,
  in different target groups, so each scheme has someone eligible: one recently unemployed, one
  unemployed long enough for løntilskud, one visiteret to fleksjob, and one more who shows a rule
  (IGU grounds, under 25 for voksenlærling, part time on sygedagpenge, another municipality with
  or without consent to be searched);
- a near miss: another occupation of the same ISCO group, sharing only some of the skills;
and a few people in unrelated occupations. Vacancies are not made here: each open demo order
reaches matching as an event (services/crm/demo/announce.py) and becomes its vacancy.

Seeded, so every run creates the same people. CVs are Danish, pseudonymous (a reference, never
a name or CPR number). Vectors are made by the RQ worker (`reembed_all`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlmodel import Session, func, select

from services.matching.candidates.models import Candidate
from services.matching.candidates.textcheck import detect_language, language_warning
from services.matching.esco.catalog import Catalog, Occupation, get_catalog
from services.matching.index import jobs, store
from services.matching.ranking.features import candidate_features
from shared.db import get_engine
from shared.demo_catalogue import job_for
from shared.demo_catalogue import occupations as demo_occupations
from shared.glossary import TARGET_GROUP_CODE_LIST_VERSION

SEED = 2026
THIS_YEAR = 2026  # ages in the CVs are counted from here, so the data do not change with the date
HOME = 330  # Slagelse, the demo municipality (crm's demo, settings.jobbro_municipality_code)
# (postcode, town, municipality code): where the job seekers live.
NEAR = (("4200", "Slagelse", HOME), ("4200", "Slagelse", HOME), ("4220", "Korsør", HOME),
        ("4230", "Skælskør", HOME), ("4241", "Vemmelev", HOME), ("4250", "Fuglebjerg", HOME),
        ("4261", "Dalmose", HOME), ("4262", "Sandved", HOME))
FARTHER = (("4180", "Sorø", 340), ("4293", "Dianalund", 340), ("4700", "Næstved", 370), ("4270", "Høng", 326))
# ISCO major groups of the unrelated job seekers (services, trades, operators, elementary).
UNRELATED_MAJOR = ("4", "5", "7", "8", "9")
UNRELATED = 20
APPRENTICE = ("lærling", "elev")

OPENINGS = ("Jeg har {years} års erfaring som {title}.", "Jeg har arbejdet som {title} i {years} år.",
            "De seneste {years} år har jeg været ansat som {title}.")
PLACES = ("senest hos en mindre virksomhed i {town}", "senest i et vikariat i {town}",
          "senest hos en større arbejdsplads i {town}", "i flere forskellige virksomheder omkring {town}")
CLOSINGS = ("Jeg er stabil, mødestabil og god til at samarbejde.", "Jeg trives med faste rutiner og et godt kollegaskab.",
            "Jeg er hurtig til at lære nyt og tager gerne ansvar.", "Jeg søger job i nærområdet og kan starte med det samme.",
            "Jeg er vant til at arbejde selvstændigt og holder af at have travlt.")
EDUCATION = {"ingen": "Jeg har ingen formel uddannelse, men har lært faget på jobbet.",
             "grundskole": "Jeg har folkeskolens afgangsprøve.",
             "gymnasial": "Jeg er student.",
             "erhvervsuddannelse": "Jeg har en erhvervsuddannelse inden for faget.",
             "kort_videregaaende": "Jeg har en kort videregående uddannelse.",
             "mellemlang_videregaaende": "Jeg har en professionsbachelor.",
             "lang_videregaaende": "Jeg har en kandidatuddannelse."}
# Education a person in each ISCO major group usually has.
EDUCATION_BY_MAJOR = {"2": ("mellemlang_videregaaende", "lang_videregaaende"),
                      "3": ("kort_videregaaende", "erhvervsuddannelse"),
                      "4": ("erhvervsuddannelse", "gymnasial"), "5": ("erhvervsuddannelse", "grundskole"),
                      "6": ("erhvervsuddannelse", "grundskole"), "7": ("erhvervsuddannelse",),
                      "8": ("erhvervsuddannelse", "grundskole"), "9": ("grundskole", "ingen", "erhvervsuddannelse")}
DRIVERS = ("8332", "8341", "8344")
MOTHER_TONGUES = ("arabisk", "tigrinya", "dari", "ukrainsk", "somali", "kurdisk")


@dataclass(frozen=True)
class Variant:
    """Who a job seeker is beside their work: the facts the scheme rules read."""

    name: str
    facts: dict


def _variants(rng: random.Random, age_from: int = 1966) -> dict[str, Variant]:
    near = rng.choice(NEAR)
    far = rng.choice(FARTHER)
    base = {"postcode": near[0], "municipality_code": near[2], "hours_available": 37,
            "birth_year": rng.randint(age_from, 1999), "single_parent": rng.random() < 0.08}
    return {
        # Recently unemployed: any ordinary job, not yet løntilskud (6 months, LAB § 55).
        "ledig": Variant("ledig", {**base, "target_group": "a_dagpenge",
                                   "months_unemployed": rng.choice([1, 2, 3, 4])}),
        "laengere_ledig": Variant("laengere_ledig", {
            **base, "target_group": rng.choice(["a_dagpenge", "kontanthjaelp_jobparat"]),
            "months_unemployed": rng.choice([7, 8, 10, 13, 18])}),
        "fleksjob": Variant("fleksjob", {
            **base, "target_group": "ledighedsydelse", "fleksjob_visiteret": True,
            "fleksjob_hours": (h := rng.choice([15, 18, 20, 25])), "hours_available": h,
            "months_unemployed": rng.choice([3, 6, 11, 20]), "birth_year": rng.randint(1964, 1990)}),
        "integration": Variant("integration", {
            **base, "target_group": "integration", "igu_basis": rng.choice(["flygtning", "familiesammenfoert"]),
            "years_in_denmark": rng.randint(2, 7), "birth_year": rng.randint(1988, 2003),
            "months_unemployed": rng.choice([4, 7, 10])}),
        # Under 25: not yet a voksenlærling (LAB § 98 a).
        "ung": Variant("ung", {**base, "target_group": "uddannelseshjaelp", "birth_year": rng.randint(2003, 2006),
                               "months_unemployed": rng.choice([2, 4, 6])}),
        "sygedagpenge": Variant("sygedagpenge", {
            **base, "target_group": "sygedagpenge", "hours_available": rng.choice([20, 25]),
            "months_unemployed": rng.choice([3, 5, 8])}),
        # Lives in a neighbour municipality and has not consented to being searched: never ranked.
        "anden_kommune": Variant("anden_kommune", {
            **base, "target_group": "a_dagpenge", "postcode": "4100", "municipality_code": 329,
            "consent_other_municipalities": False, "months_unemployed": rng.choice([2, 5])}),
        "anden_kommune_samtykke": Variant("anden_kommune_samtykke", {
            **base, "target_group": "a_dagpenge", "postcode": far[0], "municipality_code": far[2],
            "consent_other_municipalities": True, "months_unemployed": rng.choice([3, 9])}),
    }


# The fourth good fit of each occupation shows one more rule, in turn.
FOURTH = ("integration", "ung", "sygedagpenge", "anden_kommune", "anden_kommune_samtykke")


def _town(facts: dict) -> str:
    for code, town, _ in (*NEAR, *FARTHER, ("4100", "Ringsted", 329)):
        if code == facts["postcode"]:
            return town
    return "Slagelse"


def _sentence_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def _skills(cat: Catalog, occ: Occupation, rng: random.Random, n: int,
            first: tuple[int, ...] = ()) -> tuple[list[str], list[str]]:
    """The skills in `first`, then up to `n` in all of the occupation's essential skills (verbs) in a
    random order, and two knowledge areas."""
    picked = [cat.skills[s] for s in (*first, *rng.sample(occ.essential, min(len(occ.essential), n + 3)))]
    skills = list(dict.fromkeys(k.label for k in picked if k.kind != "knowledge"))[:max(n, len(first))]
    knowledge = [k.label for k in picked if k.kind == "knowledge"][:2]
    return skills, knowledge


def _asked_for(cat: Catalog, occ: Occupation, titles: list[str]) -> tuple[int, ...]:
    """The skills of the occupation that the demo orders for it describe (their `duties`): what a
    person who fits the order has done, and so names in the CV."""
    from services.matching.esco.recognise import get_recogniser

    text = "\n".join(job.duties for t in titles if (job := job_for(t)) is not None)
    own = set(occ.essential) | set(occ.optional)
    return tuple(dict.fromkeys(h.id for h in get_recogniser().skill_hits(text) if h.id in own))


def _cv(rng: random.Random, title: str, years: int, facts: dict, skills: list[str], knowledge: list[str],
        education: str, isco: str, extra: str = "") -> str:
    parts = [rng.choice(OPENINGS).format(years=years, title=title).rstrip(".") + ", " +
             rng.choice(PLACES).format(town=_town(facts)) + "."]
    if skills:
        parts.append("I mit arbejde har jeg bl.a. skullet " + _sentence_list(skills) + ".")
    if knowledge:
        parts.append("Jeg har kendskab til " + _sentence_list(knowledge) + ".")
    if extra:
        parts.append(extra)
    parts.append(EDUCATION[education])
    if facts.get("fleksjob_visiteret"):
        parts.append(f"Jeg er visiteret til fleksjob og kan arbejde {facts['fleksjob_hours']:g} timer om ugen.")
    if facts.get("target_group") == "integration":
        parts.append(f"Jeg kom til Danmark for {facts['years_in_denmark']} år siden og har taget danskuddannelse.")
    parts.append(rng.choice(CLOSINGS))
    if isco in DRIVERS:
        parts.append("Jeg har kørekort B og C/E, gyldigt kvalifikationsbevis og truckcertifikat.")
    else:
        parts.append(rng.choice(("Jeg har kørekort B.", "Jeg har kørekort B og egen bil.", "Jeg har ikke kørekort.",
                                 "Jeg taler dansk og engelsk.")))
    return " ".join(parts)


def _person(ref: str, occ: Occupation, cv: str, facts: dict, education: str, rng: random.Random) -> dict:
    languages = ["dansk"]
    if facts.get("target_group") == "integration":
        languages = [rng.choice(MOTHER_TONGUES), "dansk", "engelsk"]
    elif rng.random() < 0.5:
        languages.append("engelsk")
    licences = ["B", "C", "CE"] if occ.isco in DRIVERS else (["B"] if "kørekort B" in cv else [])
    return {"candidate_ref": ref, "desired_occupations": [occ.label], "cv_text": cv, "education_level": education,
            "languages": languages, "driving_licences": licences, **facts}


def generate(seed: int = SEED, catalog: Catalog | None = None) -> list[dict]:
    """The demo's job seekers as candidate fields, the same for the same seed and ESCO files."""
    cat = catalog or get_catalog()
    rng = random.Random(seed)
    by_uri = cat.occupation_by_uri
    wanted = [(cat.occupations[by_uri[uri]], titles) for uri, titles in demo_occupations().items() if uri in by_uri]
    wanted_ids = {occ.id for occ, _ in wanted}
    people: list[dict] = []

    def ref() -> str:
        return f"DEMO-{len(people) + 1:04d}"

    for k, (occ, titles) in enumerate(wanted):
        trade_titles = [t for t in titles if not t.lower().endswith(APPRENTICE)] or [occ.label]
        asked = _asked_for(cat, occ, titles)
        kinds = ["ledig", "laengere_ledig", "fleksjob", FOURTH[k % len(FOURTH)]]
        if occ.isco.startswith("9") and "integration" not in kinds:
            kinds.append("integration")  # elementary jobs are where IGU and integration jobs mostly are
        for kind in kinds:
            facts = dict(_variants(rng)[kind].facts)
            education = rng.choice(EDUCATION_BY_MAJOR.get(occ.isco[:1], ("grundskole",)))
            if kind == "integration":
                education = rng.choice(("ingen", "grundskole"))
            title = rng.choice([*trade_titles, occ.label]).lower()
            skills, knowledge = _skills(cat, occ, rng, rng.randint(4, 6), asked)
            years = rng.randint(1, 4) if kind in ("ung", "integration") else rng.randint(3, 20)
            years = max(1, min(years, THIS_YEAR - facts["birth_year"] - 18))
            cv = _cv(rng, title, years, facts, skills, knowledge, education, occ.isco)
            people.append(_person(ref(), occ, cv, facts, education, rng))
        # A near miss: the same ISCO group, another occupation, a skill or two in common at most.
        group = [o for o in cat.occupations if o.isco == occ.isco and o.id not in wanted_ids and len(o.essential) >= 4]
        if group:
            other = rng.choice(group)
            facts = dict(_variants(rng)[rng.choice(["ledig", "laengere_ledig"])].facts)
            if rng.random() < 0.5:
                facts.update(postcode=(far := rng.choice(FARTHER))[0], municipality_code=far[2],
                             consent_other_municipalities=True)
            skills, knowledge = _skills(cat, other, rng, 3)
            shared = [cat.skills[s].label for s in other.essential if s in set(occ.essential)
                      and cat.skills[s].kind != "knowledge"][:1]
            education = rng.choice(EDUCATION_BY_MAJOR.get(other.isco[:1], ("grundskole",)))
            # (No occupation named here: the text's occupations count as the person's own.)
            extra = rng.choice(("Jeg er åben for nye opgaver i faget.", "Jeg vil gerne lære nyt inden for faget."))
            years = max(1, min(rng.randint(2, 15), THIS_YEAR - facts["birth_year"] - 18))
            cv = _cv(rng, other.label, years, facts, skills + [s for s in shared if s not in skills], knowledge,
                     education, other.isco, extra)
            people.append(_person(ref(), other, cv, facts, education, rng))
    groups = {occ.isco for occ, _ in wanted}
    pool = [o for o in cat.occupations if o.isco[:1] in UNRELATED_MAJOR and o.isco not in groups
            and len(o.essential) >= 5]
    for occ in rng.sample(pool, min(UNRELATED, len(pool))):
        facts = dict(_variants(rng)[rng.choice(["ledig", "laengere_ledig", "fleksjob", "integration"])].facts)
        education = rng.choice(EDUCATION_BY_MAJOR.get(occ.isco[:1], ("grundskole",)))
        skills, knowledge = _skills(cat, occ, rng, 4)
        cv = _cv(rng, rng.choice(occ.labels).lower(), rng.randint(1, 15), facts, skills, knowledge, education, occ.isco)
        people.append(_person(ref(), occ, cv, facts, education, rng))
    return people


def add_people(session: Session, people: list[dict], catalog: Catalog | None = None) -> int:
    """Store the job seekers with their text features, in `session` (no commit; vectors come later)."""
    cat = catalog or get_catalog()
    for p in people:
        c = Candidate(**p, code_list_version=TARGET_GROUP_CODE_LIST_VERSION)
        c.features = candidate_features(c.cv_text, c.desired_occupations).to_json(cat)
        # As the candidates API stores a CV: its detected language is what the bias audit groups by.
        c.cv_language = detect_language(c.cv_text)
        warning = language_warning(c.cv_text)
        c.features["warnings"] = [warning] if warning else []
        c.version = store.bump_version(session)
        session.add(c)
    return len(people)


def load_demo(count: int | None = None, if_empty: bool = True) -> str:
    cat = get_catalog()
    with Session(get_engine()) as s:
        if if_empty and s.exec(select(func.count()).select_from(Candidate)).one():
            return "matching demo: candidates exist, nothing loaded"
        n = add_people(s, generate(catalog=cat)[:count], cat)
        s.commit()
    done = (f"matching demo: {n} job seekers for the demo orders' occupations; the open orders' "
            "vacancies arrive as crm's events")
    try:
        from rq import Retry

        jobs.queue().enqueue(jobs.reembed_all, job_timeout=24 * 3600,
            # idempotent (it embeds only what lacks a vector): a failed run is simply run again
            retry=Retry(max=3, interval=[30, 120, 600]))
    except Exception as exc:
        return f"{done}; embedding not queued ({exc})"
    return f"{done}; embedding queued on `matching`"
