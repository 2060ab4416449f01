import pytest

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


@pytest.fixture
def login_limits(monkeypatch, redis_conn):
    from shared.settings import get_settings

    monkeypatch.setenv("LOGIN_ATTEMPTS_PER_EMAIL_PER_MINUTE", "3")
    monkeypatch.setenv("LOGIN_ATTEMPTS_PER_CLIENT_PER_MINUTE", "5")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _window_start():
    # The limit counts per clock minute: start at the beginning of one, so the test cannot span two.
    import time

    left = 60 - time.time() % 60
    if left < 10:
        time.sleep(left + 0.05)


def test_too_many_login_attempts_for_one_address_are_429_with_retry_after(crm_client, db, login_limits):
    _make(db)
    _window_start()
    for _ in range(3):
        assert crm_client.post("/api/v1/auth/token", data={"username": "kari@jobbro.dk", "password": "forkert"}).status_code == 401
    res = crm_client.post("/api/v1/auth/token", data={"username": "KARI@jobbro.dk", "password": "rigtigt-kodeord-123"})
    assert res.status_code == 429
    assert "For mange loginforsøg" in res.json()["detail"]
    assert 0 < int(res.headers["Retry-After"]) <= 60
    # Another person's login is not held up by it (the client's own limit is 5).
    _make(db, email="ole@jobbro.dk")
    other = crm_client.post("/api/v1/auth/token", data={"username": "ole@jobbro.dk", "password": "rigtigt-kodeord-123"})
    assert other.status_code == 200


def test_one_client_trying_many_accounts_is_stopped(crm_client, db, login_limits):
    _window_start()
    codes = [crm_client.post("/api/v1/auth/token", data={"username": f"gaet{i}@jobbro.dk", "password": "x"}).status_code
             for i in range(7)]
    assert codes == [401] * 5 + [429] * 2


def test_a_manager_looks_up_users_names_and_roles_by_id_and_nothing_more(crm_client, login, leder, konsulent, db):
    mette, _ = login("konsulent")
    helle, _ = login("leder")
    mette.full_name = "Mette Kjær"
    mette.is_active = False
    db.add(mette)
    db.flush()
    res = crm_client.get("/api/v1/users", params=[("id", mette.id), ("id", helle.id), ("id", 987654)], headers=leder)
    assert res.status_code == 200, res.text
    items = {u["id"]: u for u in res.json()["items"]}
    # the id no user has is left out: the page says the user is deleted
    assert set(items) == {mette.id, helle.id}
    assert items[mette.id] == {"id": mette.id, "full_name": "Mette Kjær", "role": "konsulent", "is_active": False}
    assert items[helle.id]["role"] == "leder"
    assert "email" not in items[helle.id]
    assert crm_client.get("/api/v1/users", headers=leder).json() == {"items": []}
    # a consultant reads no one's records, so has no use for the look-up
    assert crm_client.get("/api/v1/users", params={"id": mette.id}, headers=konsulent).status_code == 403
    too_many = crm_client.get("/api/v1/users", params=[("id", i) for i in range(101)], headers=leder)
    assert too_many.status_code == 422
