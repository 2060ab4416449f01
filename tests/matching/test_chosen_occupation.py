"""A consultant corrects how matching read a vacancy's title (EU AI Act art. 14): they choose the
ESCO occupation from the ones offered, the ranking follows it, the choice is audited and stands
over later text changes until they clear it."""

from __future__ import annotations

from sqlmodel import select

from shared.audit import AuditLog
from tests.matching.test_matching import vacancy

TEXT = ("Vi søger en pedel til skolen: du holder bygningerne ved lige, laver små reparationer, "
        "passer udenomsarealerne og hjælper ved arrangementer.")


def test_a_consultant_chooses_the_occupation_and_the_ranking_follows_it(matching_client, konsulent, leder, login, db):
    v = vacancy(matching_client, konsulent, title="Pedel", text=TEXT)
    read = [o["uri"] for o in v["occupations"]]
    assert v["occupation_uri"] is None and read

    choices = matching_client.get(f"/api/v1/vacancies/{v['id']}/occupation-choices", headers=konsulent)
    assert choices.status_code == 200, choices.text
    options = choices.json()
    assert [o["uri"] for o in options if o["current"]] == read  # the current reading comes first
    assert [o["uri"] for o in options[:len(read)]] == read
    other = next(o for o in options if not o["current"])
    # A word of the consultant's own, for titles Danish ESCO has no label near.
    searched = matching_client.get(f"/api/v1/vacancies/{v['id']}/occupation-choices", params={"q": "vicevært"},
                                   headers=konsulent).json()
    assert searched[len(read)]["label"] == "vicevært" and not searched[len(read)]["current"]

    res = matching_client.put(f"/api/v1/vacancies/{v['id']}/occupation", json={"uri": other["uri"]},
                              headers=konsulent)
    assert res.status_code == 200, res.text
    chosen = res.json()
    assert [o["uri"] for o in chosen["occupations"]] == [other["uri"]]
    assert chosen["occupation_uri"] == other["uri"] and chosen["occupation_chosen_by"] is not None
    matches = matching_client.get(f"/api/v1/vacancies/{v['id']}/matches", headers=konsulent).json()
    assert [o["label"] for o in matches["occupations"]] == [other["label"]] and matches["occupation_chosen"] is True
    record = matching_client.get(f"/api/v1/ranking-records/{matches['ranking_record_id']}", headers=leder).json()
    assert record["filters"]["read_as"] == f"{other['label']} (valgt af en konsulent)"  # the record says whose reading
    entry = db.exec(select(AuditLog).where(AuditLog.entity == "vacancy", AuditLog.action == "choose_occupation")).all()
    assert [(e.detail["from"], e.detail["to"]) for e in entry] == [(None, other["uri"])]

    # A changed text is read again, but the consultant's occupation stands.
    edited = matching_client.patch(f"/api/v1/vacancies/{v['id']}", json={"text": TEXT + " Kørekort er en fordel."},
                                   headers=konsulent).json()
    assert [o["uri"] for o in edited["occupations"]] == [other["uri"]]

    cleared = matching_client.put(f"/api/v1/vacancies/{v['id']}/occupation", json={"uri": None}, headers=konsulent)
    assert cleared.status_code == 200
    assert cleared.json()["occupation_uri"] is None and [o["uri"] for o in cleared.json()["occupations"]] == read
    assert matching_client.get(f"/api/v1/vacancies/{v['id']}/matches",
                               headers=konsulent).json()["occupation_chosen"] is False


def test_an_unknown_occupation_is_refused_and_changes_nothing(matching_client, konsulent, login):
    v = vacancy(matching_client, konsulent, title="Svejser", text="MIG/MAG-svejsning af stålkonstruktioner.")
    res = matching_client.put(f"/api/v1/vacancies/{v['id']}/occupation",
                              json={"uri": "http://data.europa.eu/esco/occupation/findes-ikke"}, headers=konsulent)
    assert res.status_code == 422 and "ESCO" in res.json()["detail"]
    after = matching_client.get(f"/api/v1/vacancies/{v['id']}", headers=konsulent).json()
    assert after["occupation_uri"] is None and after["occupations"] == v["occupations"]
    _, firma = login("virksomhed")
    assert matching_client.put(f"/api/v1/vacancies/{v['id']}/occupation", json={"uri": None},
                               headers=firma).status_code == 403
    assert matching_client.get(f"/api/v1/vacancies/999999/occupation-choices", headers=konsulent).status_code == 404
