from services.crm.users.models import User
from shared.auth import hash_password


def _make(db, email="kari@jobbro.dk", password="rigtigt-kodeord-123", role="konsulent"):
    user = User(email=email, password_hash=hash_password(password), full_name="Kari", role=role)
    db.add(user)
    db.flush()
    return user


def test_password_flow_returns_bearer_token_that_other_calls_accept(crm_client, db):
    _make(db)
    res = crm_client.post("/api/v1/auth/token", data={"username": "Kari@jobbro.dk", "password": "rigtigt-kodeord-123"})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["token_type"] == "bearer"
    me = crm_client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == "kari@jobbro.dk"
    assert me.json()["role"] == "konsulent"


def test_wrong_password_is_401_in_danish_and_locks_after_five(crm_client, db):
    _make(db)
    for _ in range(5):
        res = crm_client.post("/api/v1/auth/token", data={"username": "kari@jobbro.dk", "password": "forkert"})
        assert res.status_code == 401
        assert "Forkert" in res.json()["detail"]
    res = crm_client.post("/api/v1/auth/token", data={"username": "kari@jobbro.dk", "password": "rigtigt-kodeord-123"})
    assert res.status_code == 401
    assert "låst" in res.json()["detail"]


def test_password_is_stored_hashed_with_argon2(db):
    user = _make(db)
    assert user.password_hash.startswith("$argon2")
    assert "rigtigt-kodeord-123" not in user.password_hash


def test_calls_without_or_with_bad_token_are_401(crm_client):
    assert crm_client.get("/api/v1/companies").status_code == 401
    res = crm_client.get("/api/v1/companies", headers={"Authorization": "Bearer nonsense"})
    assert res.status_code == 401
    assert res.json()["detail"] == "Ugyldigt login-token."


def test_only_admin_creates_users_and_virksomhed_needs_a_company(crm_client, konsulent, admin, factories):
    payload = {"email": "ny@jobbro.dk", "password": "langt-kodeord-1", "full_name": "Ny", "role": "leder"}
    assert crm_client.post("/api/v1/users", json=payload, headers=konsulent).status_code == 403
    res = crm_client.post("/api/v1/users", json=payload, headers=admin)
    assert res.status_code == 201, res.text
    assert res.json()["role"] == "leder"
    dup = crm_client.post("/api/v1/users", json=payload, headers=admin)
    assert dup.status_code == 409
    bad = crm_client.post("/api/v1/users", headers=admin,
                          json={**payload, "email": "firma@x.dk", "role": "virksomhed"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "company_id"
    company = factories.CompanyFactory()
    ok = crm_client.post("/api/v1/users", headers=admin,
                         json={**payload, "email": "firma@x.dk", "role": "virksomhed", "company_id": company.id})
    assert ok.status_code == 201
    assert ok.json()["company_id"] == company.id


def test_configured_admin_is_created_at_start_up_once(db):
    from services.crm.users.service import ensure_admin, get_by_email

    ensure_admin(db, "Chef@Kommune.dk", "et-langt-kodeord")
    ensure_admin(db, "chef@kommune.dk", "et-langt-kodeord")
    user = get_by_email(db, "chef@kommune.dk")
    assert user is not None and user.role == "admin"
    assert db.query(User).filter(User.role == "admin").count() == 1
