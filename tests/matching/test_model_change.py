"""Changing the embedding model, end to end on real PostgreSQL and Redis: `reembed` queues the work
on RQ, a real worker process does it, and until every candidate has a vector of the new model the
index keeps answering from the old model's vectors (docs/matching.md, "Model")."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.matching.conftest import run_matching

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CANDIDATES = [
    ("MS-lager", "Jeg har arbejdet seks år som lagermedarbejder med plukning og pakning af varer og betjening af "
                 "gaffeltruck. Jeg har truckcertifikat.", "4200"),
    ("MS-kok", "Uddannet kok fra et storkøkken. Jeg bruger madlavningsmetoder og kan rengøre område til "
               "tilberedning af mad.", "4220"),
    ("MS-sosu", "Social- og sundhedshjælper i hjemmeplejen med personlig pleje af ældre borgere og praktisk "
                "hjælp.", "4700"),
    ("MS-chauffoer", "Chauffør med kørekort kategori C; har kørt varer ud til butikker og hjulpet med at "
                     "læsse og losse på lageret.", "4200"),
    ("MS-butik", "Butiksassistent i et supermarked: har fyldt varer op på hylderne, talt lager og betjent "
                 "kunder ved kassen.", "4100"),
]


def _model_b(tmp_path: Path) -> Path:
    """A second model folder: the default one with another name in `jobbro_model.json`, which the
    fingerprint hashes. The weights are the same (hard-linked when the file system allows), so the
    folder loads as before but its vectors are a different model's to the index."""
    from shared.settings import get_settings

    src = Path(get_settings().matching_model)
    dst = tmp_path / "e5-small-model-b"

    def _link_or_copy(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    shutil.copytree(src, dst, copy_function=_link_or_copy)
    meta_file = dst / "jobbro_model.json"
    meta = json.loads(meta_file.read_text())
    meta["name"] = "model B (test copy of " + meta["name"] + ")"
    meta_file.unlink()  # a hard link: write a new file, never into the original's
    meta_file.write_text(json.dumps(meta, indent=1))
    return dst


@pytest.fixture
def switch_model(monkeypatch):
    """`switch_model(folder)`: MATCHING_MODEL for the worker processes started from here on and for
    this process's cached settings, embedder and index; the default model again afterwards."""
    from services.matching.embedding.model import get_embedder
    from services.matching.index.memory import INDEX
    from shared.settings import get_settings

    def _clear() -> None:
        get_settings.cache_clear()
        get_embedder.cache_clear()
        INDEX.invalidate()

    def _switch(folder: Path) -> None:
        monkeypatch.setenv("MATCHING_MODEL", str(folder))
        _clear()

    # Replicas poll the shared version counter; here on every request instead of every 2 s.
    monkeypatch.setenv("MATCHING_INDEX_REFRESH_SECONDS", "0")
    _clear()
    yield _switch
    monkeypatch.undo()
    _clear()


@pytest.fixture
def api():
    """The matching app on the test database through its own sessions (what the worker commits is
    visible to it), called by a consultant."""
    from services.matching.main import app
    from shared.auth import Principal, create_access_token
    from shared.glossary import Role

    token = create_access_token(Principal(user_id=990001, email="konsulent@test.invalid", role=Role.konsulent))
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def _get(api, path: str) -> dict:
    res = api.get(path)
    assert res.status_code == 200, res.text
    return res.json()


def _ranking(body: dict) -> list[tuple[str, float]]:
    return [(it["candidate_ref"], round(it["score"], 5)) for it in body["items"]]


def test_a_model_change_reembeds_through_rq_while_the_old_vectors_keep_serving(
        committed, redis_conn, switch_model, api, tmp_path):
    from services.matching.index import jobs
    from shared.settings import get_settings

    model_a = Path(get_settings().matching_model)
    model_b = _model_b(tmp_path)
    switch_model(model_a)

    # Candidates and a vacancy under model A.
    ids = {}
    for ref, text, postcode in CANDIDATES:
        res = api.post("/api/v1/candidates", json={
            "candidate_ref": ref, "cv_text": text, "postcode": postcode, "municipality_code": 330,
            "hours_available": 37, "target_group": "a_dagpenge", "months_unemployed": 9})
        assert res.status_code == 201, res.text
        ids[ref] = res.json()["id"]
    res = api.post("/api/v1/vacancies", json={
        "title": "Lagermedarbejder", "postcode": "4200", "hours_per_week": 37,
        "text": "Vi søger en lagermedarbejder til pluk og pak, som kan betjene gaffeltruck."})
    assert res.status_code == 201, res.text
    vacancy_id = res.json()["id"]
    matches_path = f"/api/v1/vacancies/{vacancy_id}/matches?limit=10"
    # The API queued one embedding job per record. They run here, in this process, where model A
    # is loaded already: a worker forks a process per job, which reads the model again each time
    # (seconds apiece); the worker process proper does the re-embedding below.
    q = jobs.queue()
    assert sorted(job.func_name.rsplit(".", 1)[1] for job in q.jobs) == (
        ["embed_candidate"] * len(CANDIDATES) + ["embed_vacancy"])
    for cid in ids.values():
        assert jobs.embed_candidate(cid) is True
    assert jobs.embed_vacancy(vacancy_id) is True
    q.empty()

    status_a = _get(api, "/api/v1/matching/status")
    fp_a, name_a = status_a["model_fingerprint"], status_a["model"]
    assert status_a["serving_fingerprint"] == fp_a
    assert status_a["coverage"] == {fp_a: {"candidate": len(CANDIDATES), "vacancy": 1}}
    before = _get(api, matches_path)
    assert before["model_fingerprint"] == fp_a and "note" not in before
    assert len(before["items"]) == len(CANDIDATES) and before["items"][0]["candidate_ref"] == "MS-lager"
    assert all(it["explanation"]["scoredele"]["semantic"]["vaerdi"] > 0 for it in before["items"])

    # The operator points MATCHING_MODEL at model B and runs `reembed`: the work goes onto the queue.
    switch_model(model_b)
    res = run_matching("reembed")
    assert res.returncode == 0 and "enqueued" in res.stdout, res.stderr[-2000:]
    assert [job.func_name for job in q.jobs] == ["services.matching.index.jobs.reembed_all"]
    # Meanwhile one candidate has got a model-B vector (its own embedding job, as after a CV edit);
    # the queued re-embedding has not started.
    assert jobs.embed_candidate(ids["MS-butik"]) is True

    mid = _get(api, "/api/v1/matching/status")
    fp_b = mid["model_fingerprint"]
    assert fp_b != fp_a and mid["model"] == "model B (test copy of " + name_a + ")"
    assert mid["coverage"][fp_b] == {"candidate": 1}
    assert mid["coverage"][fp_b]["candidate"] / mid["candidates"] < 1  # progress < 100 %
    assert mid["reembed_progress"] is None
    # ... so model A's vectors still answer: same ranking, same scores, semantic part included.
    assert mid["serving_fingerprint"] == fp_a
    during = _get(api, matches_path)
    assert during["model_fingerprint"] == fp_a and "note" not in during
    assert _ranking(during) == _ranking(before)
    # Ad-hoc text would need a model-A query vector, which this process no longer makes: it ranks
    # without the semantic part and says so (it still answers).
    res = api.post("/api/v1/match", json={"text": "Lagermedarbejder til pluk og pak med gaffeltruck."})
    assert res.status_code == 200 and res.json()["items"] and "note" in res.json(), res.text

    # The worker runs the queued `reembed_all`: model B covers everyone and takes over.
    done = run_matching("worker", "--burst")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "re-embedding (model B" in done.stderr
    after = _get(api, "/api/v1/matching/status")
    assert after["coverage"][fp_b] == {"candidate": len(CANDIDATES), "vacancy": 1}
    assert after["reembed_progress"] == {"model": mid["model"], "fingerprint": fp_b,
                                         "total": len(CANDIDATES), "done": len(CANDIDATES)}
    assert after["serving_fingerprint"] == fp_b and after["model"] == mid["model"]
    served = _get(api, matches_path)
    assert served["model_fingerprint"] == fp_b and "note" not in served
    # Same weights under another name: the same ranking, now from model B's vectors.
    assert [r for r, _ in _ranking(served)] == [r for r, _ in _ranking(before)]
