import pytest
from sqlmodel import select

from services.matching.index.models import StoredVector
from shared.audit import AuditLog

CV = ("Jeg har arbejdet seks år som lagermedarbejder med plukning og pakning af varer og betjening af "
      "gaffeltruck. Jeg har truckcertifikat og kørekort B.")


def cand(ref="K-100", **kw):
    return {"candidate_ref": ref, "postcode": "4200", "municipality_code": 330, "target_group": "a_dagpenge",
            "months_unemployed": 8, "hours_available": 37, "desired_occupations": ["lagermedarbejder"],
            "cv_text": CV, **kw}


def test_create_read_recognises_skills_and_audits_every_read(matching_client, konsulent, db):
    res = matching_client.post("/api/v1/candidates", json=cand(), headers=konsulent)
    assert res.status_code == 201, res.text
    body = res.json()
    assert "betjene gaffeltruck" in [s["label"] for s in body["skills"]]
    assert any("lager" in o["label"] for o in body["occupations"])
    got = matching_client.get("/api/v1/candidates/K-100", headers=konsulent)
    assert got.status_code == 200 and got.json()["cv_text"] == CV
    reads = db.exec(select(AuditLog).where(AuditLog.service == "matching", AuditLog.action == "read",
                                           AuditLog.entity_id == "K-100")).all()
    assert len(reads) == 1
    listing = matching_client.get("/api/v1/candidates", headers=konsulent).json()
    assert listing["total"] == 1
    logged = db.exec(select(AuditLog).where(AuditLog.service == "matching", AuditLog.entity_id.is_(None))).all()
    assert any(a.detail and a.detail.get("candidate_refs") == ["K-100"] for a in logged)


@pytest.mark.parametrize("ref", ["0101901234", "010190-1234", "K0101901234"])
def test_cpr_looking_refs_are_refused(matching_client, konsulent, ref):
    res = matching_client.post("/api/v1/candidates", json=cand(ref), headers=konsulent)
    assert res.status_code == 422
    assert res.json()["errors"][0]["field"] == "candidate_ref"
    assert "CPR" in res.json()["errors"][0]["message"]


def test_virksomhed_is_forbidden_and_leder_allowed(matching_client, login, factories, leder):
    company = factories.CompanyFactory()
    _, virk = login("virksomhed", company)
    for method, path in [("get", "/api/v1/candidates"), ("post", "/api/v1/candidates"),
                         ("get", "/api/v1/candidates/K-1"), ("post", "/api/v1/match"),
                         ("get", "/api/v1/vacancies/1/matches")]:
        res = getattr(matching_client, method)(path, headers=virk, **({"json": cand()} if method == "post" else {}))
        assert res.status_code == 403, path
    assert matching_client.post("/api/v1/candidates", json=cand("L-1"), headers=leder).status_code == 201
    assert matching_client.get("/api/v1/candidates").status_code == 401


@pytest.mark.parametrize(("text", "fragment"), [("", "mindst 20 tegn"), ("x" * 100_001, "for lang")])
def test_empty_or_huge_cv_is_422_and_nothing_written(matching_client, konsulent, text, fragment, db):
    from services.matching.candidates.models import Candidate

    res = matching_client.post("/api/v1/candidates", json=cand(cv_text=text), headers=konsulent)
    assert res.status_code == 422
    assert fragment in res.json()["detail"] and res.json()["field"] == "cv_text"
    assert db.exec(select(Candidate)).all() == []


def test_two_mb_cv_is_a_clear_422(matching_client, konsulent):
    res = matching_client.post("/api/v1/candidates", json=cand(cv_text="ord " * 550_000), headers=konsulent)
    assert res.status_code == 422


def test_english_cv_is_accepted_with_a_warning(matching_client, konsulent):
    text = "I have worked for six years in a warehouse with picking and packing and I have a forklift licence."
    res = matching_client.post("/api/v1/candidates", json=cand("E-1", cv_text=text), headers=konsulent)
    assert res.status_code == 201
    assert "ikke ud til at være på dansk" in res.json()["warnings"][0]


def test_duplicate_ref_is_409(matching_client, konsulent):
    matching_client.post("/api/v1/candidates", json=cand(), headers=konsulent)
    res = matching_client.post("/api/v1/candidates", json=cand(), headers=konsulent)
    assert res.status_code == 409 and res.json()["existing"]["candidate_ref"] == "K-100"


def test_erasure_removes_text_features_vectors_and_unknown_ref_is_404(matching_client, konsulent, db, embed_all):
    from services.matching.candidates.models import Candidate

    cid = matching_client.post("/api/v1/candidates", json=cand(), headers=konsulent).json()["id"]
    embed_all()
    assert db.exec(select(StoredVector).where(StoredVector.entity_id == cid, StoredVector.kind == "candidate")).all()
    assert matching_client.delete("/api/v1/candidates/K-100", headers=konsulent).status_code == 204
    assert db.get(Candidate, cid) is None
    assert db.exec(select(StoredVector).where(StoredVector.entity_id == cid, StoredVector.kind == "candidate")).all() == []
    assert db.exec(select(AuditLog).where(AuditLog.action == "erase", AuditLog.entity_id == "K-100")).first()
    res = matching_client.delete("/api/v1/candidates/K-100", headers=konsulent)
    assert res.status_code == 404 and "findes ikke" in res.json()["detail"]


def test_upload_docx_pdf_txt_and_unreadable(matching_client, konsulent):
    import io

    import docx

    matching_client.post("/api/v1/candidates", json=cand(), headers=konsulent)
    d = docx.Document()
    d.add_paragraph("Uddannet kok med erfaring fra storkøkken. Jeg bruger madlavningsmetoder hver dag.")
    buf = io.BytesIO()
    d.save(buf)
    res = matching_client.post("/api/v1/candidates/K-100/cv", headers=konsulent,
                               files={"file": ("cv.docx", buf.getvalue(), "application/octet-stream")})
    assert res.status_code == 200, res.text
    assert "storkøkken" in res.json()["cv_text"]
    assert "bruge madlavningsmetoder" in [s["label"] for s in res.json()["skills"]]
    bad = matching_client.post("/api/v1/candidates/K-100/cv", headers=konsulent,
                               files={"file": ("cv.pdf", b"%PDF-1.4 broken", "application/pdf")})
    assert bad.status_code == 422 and bad.json()["field"] == "file"
    other = matching_client.post("/api/v1/candidates/K-100/cv", headers=konsulent,
                                 files={"file": ("cv.exe", b"MZ", "application/octet-stream")})
    assert other.status_code == 422


@pytest.mark.redis
def test_saving_a_cv_enqueues_reembedding_on_the_matching_queue(matching_client, konsulent, redis_conn):
    from services.matching.index.jobs import queue

    matching_client.post("/api/v1/candidates", json=cand(), headers=konsulent)
    jobs = queue().get_jobs()
    assert [j.func_name for j in jobs] == ["services.matching.index.jobs.embed_candidate"]
