"""Job-title normalisation: titles a new user tried, ESCO's own tie rules, trainee titles.

Production code end to end: the recogniser the service loads (with the embedding model when it is
there, n-grams alone otherwise), and the vacancy features ranking reads.
"""

import pytest

from services.matching.esco.titles import trade_of


@pytest.fixture(scope="module")
def rec():
    from services.matching.esco.recognise import get_recogniser

    return get_recogniser()


def _top(rec, title: str, k: int = 3) -> list[str]:
    return [rec.catalog.occupations[o.id].label for o in rec.normalise_title(title, k)]


@pytest.mark.parametrize("title, occupation", [
    # Six occupations carry "svejser" as an alternative label; ESCO's occupation "svejser" must win.
    ("Svejser", "svejser"),
    ("svejser", "svejser"),
    # "murer" is also an alternative label of "bygmester" and "terrazzoarbejder".
    ("Murer", "murer"),
    ("Lagerarbejder", "lagerarbejder"),
    # Apprentices and trainees belong to their trade.
    ("Murerlærling", "murer"),
    ("Tømrerlærling", "tømrer"),
    ("Social- og sundhedshjælper-elev", "social- og sundhedshjælper"),
    ("Elektrikerlærling", "elektriker"),
    ("Lærling som tømrer", "tømrer"),
])
def test_title_goes_to_esco_occupation(rec, title, occupation):
    assert _top(rec, title)[0] == occupation


def test_a_preferred_label_outscores_every_alternative_label_holder(rec):
    top = rec.normalise_title("Svejser", 6)
    assert top[0].score == 1.0
    assert all(o.score < 1.0 for o in top[1:])
    labels = _top(rec, "Svejser", 6)
    # The broader welder comes before the ornamental metalworker, whatever the tie order of ids.
    assert labels.index("svejser") < labels.index("metalarbejder inden for ornamental udsmykning")


def test_shared_alternative_label_goes_to_the_broader_occupation():
    from services.matching.esco.catalog import Catalog, Occupation
    from services.matching.esco.titles import Params, TitleIndex

    occs = [
        Occupation(0, "u:0", "punktsvejser", ["svejser"], "7212", "7212.3.4"),
        Occupation(1, "u:1", "metalarbejder inden for ornamental udsmykning", ["svejser"], "7223", "7223.14"),
        Occupation(2, "u:2", "svejsearbejder", ["svejser"], "7212", "7212.3"),
    ]
    cat = Catalog(occs, [], {"7212": "Svejsere", "7223": "Metalarbejdere"}, {o.uri: o.id for o in occs}, {}, "test")
    index = TitleIndex(cat, None, Params(ngram_weight=1.0))
    ranked = [x.concept for x in index.rank(["Svejser"], occupations_only=True)[0]]
    assert ranked[0] == 2  # 7212.3 is broader than its own specialism 7212.3.4
    assert ranked.index(0) > 0 and ranked.index(1) > 0


@pytest.mark.parametrize("key, trade", [
    ("murerlærling", "murer"),
    ("social- og sundhedshjælper-elev", "social- og sundhedshjælper"),
    ("sosu-elev", "sosu"),
    ("elev som tømrer", "tømrer"),
    ("kontorelev", "kontor"),
    ("elev", None),
    ("lærling", None),
    ("tømrer", None),
])
def test_trade_of_trainee_titles(key, trade):
    assert trade_of(key) == trade


def test_apprentice_vacancy_takes_its_trades_skills(rec):
    """The demo order "Murerlærling" once read as "bygmester" with labour law as its one skill."""
    from services.matching.ranking.features import vacancy_features

    feats = vacancy_features("Murerlærling", "Vi søger en lærling til vores murerfirma.", rec=rec)
    cat = rec.catalog
    assert cat.occupations[feats.occupations[0][0]].label == "murer"
    essential = {cat.skills[s].label for s in feats.essential}
    assert "arbejdsmarkedsret" not in essential


def test_welder_vacancy_skills_are_not_ornamental(rec):
    from services.matching.ranking.features import vacancy_features

    feats = vacancy_features("Svejser", "Vi søger en svejser til vores værksted.", rec=rec)
    cat = rec.catalog
    assert cat.occupations[feats.occupations[0][0]].label == "svejser"
    essential = {cat.skills[s].label for s in feats.essential}
    assert "udforme dekorativt design" not in essential
    assert feats.essential, "a welder vacancy must still name the skills a candidate shares"


def _vacancy_occupation(rec, title: str, text: str) -> str:
    from services.matching.ranking.features import vacancy_features

    feats = vacancy_features(title, text, rec=rec)
    return rec.catalog.occupations[feats.occupations[0][0]].label


@pytest.mark.parametrize("title, text, occupation, not_", [
    # In Danish ESCO "udvikler" is only an alternative label of "bygherre" (property developer).
    ("Udvikler", "Du skal udvikle software, programmere og teste programmer.", "softwareudvikler", "bygherre"),
    # "maler" is an alternative label of the artist before the house painter.
    ("Maler", "Du skal male facader og indvendige vægge, spartle og forberede overflader.",
     "bygningsmaler", "kunstmaler"),
    # A title that only resembles labels ("lokomotivfører") is a guess; the text decides.
    ("Truckfører", "Du skal køre gaffeltruck, laste og losse lastbiler og stable gods på lageret.",
     "gaffeltruckfører", "lokomotivfører"),
])
def test_the_orders_text_decides_what_an_ambiguous_title_means(rec, title, text, occupation, not_):
    assert _vacancy_occupation(rec, title, text) == occupation
    # Without the text the title alone still reads the other way: the text is what decided.
    assert _vacancy_occupation(rec, title, "") == not_


def test_text_that_fits_a_specialism_a_bit_better_keeps_a_generic_title_generic(rec):
    # "mekaniker" is an alternative label of the generic mechanic and of a motor specialist; a
    # description of ordinary car work must not turn the apprentice into the specialist.
    assert _vacancy_occupation(
        rec, "Mekanikerlærling",
        "Du kommer i lære som automekaniker: servicere biler og reparere motorer og bremser.") == "automekaniker"


def test_a_preferred_label_title_is_not_overruled_by_its_text(rec):
    assert _vacancy_occupation(rec, "Svejser", "Du skal svejse og male dekorative porte.") == "svejser"


def test_a_job_seekers_desired_title_is_read_with_their_cv(rec):
    from services.matching.ranking.features import candidate_features

    cv = "Jeg har fem års erfaring med at udvikle software og programmere webapplikationer i Python."
    feats = candidate_features(cv, ["Udvikler"], rec=rec)
    labels = [rec.catalog.occupations[o].label for o, _ in feats.occupations]
    assert labels[0] == "softwareudvikler", labels


@pytest.mark.parametrize("title, occupation", [
    ("Praktikplads: Tømrerlærling", "tømrer"),
    ("Vikar (jobrotation): Køkkenmedhjælper", "køkkenassistent"),
])
def test_an_orders_scheme_before_the_colon_is_not_the_job(rec, title, occupation):
    assert _vacancy_occupation(rec, title, "") == occupation


def test_a_colon_after_a_job_title_keeps_the_job():
    from services.matching.ranking.features import without_scheme

    assert without_scheme("Sygeplejerske: nattevagt") == "Sygeplejerske: nattevagt"
    assert without_scheme("Løntilskud: VVS-montør") == "VVS-montør"
