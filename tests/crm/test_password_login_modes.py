"""Local passwords only for the bootstrap admin and the demo (issue 13): JOBBRO_PASSWORD_LOGIN."""

import pytest
from sqlmodel import select

from services.crm.users.models import User
from shared.audit import AuditLog
from shared.auth import hash_password
from shared.settings import get_settings

PASSWORD = "rigtigt-kodeord-123"


@pytest.fixture
def mode(monkeypatch):
    def _set(value: str) -> None:
        monkeypatch.setenv("JOBBRO_PASSWORD_LOGIN", value)
        monkeypatch.setenv("JOBBRO_ADMIN_EMAIL", "admin@jobbro.dk")
        get_settings.cache_clear()

    yield _set
    monkeypatch.undo()
    get_settings.cache_clear()


def _user(db, email, role, password=PASSWORD):
    user = User(email=email, password_hash=hash_password(password) if password else None, full_name="X", role=role)
    db.add(user)
    db.flush()
    return user


def _login(client, email, password=PASSWORD):
    return client.post("/api/v1/auth/token", data={"username": email, "password": password})


def test_admin_mode_lets_only_the_bootstrap_admin_use_a_password(crm_client, db, mode):
    _user(db, "admin@jobbro.dk", "admin")
    _user(db, "kari@jobbro.dk", "konsulent")
    mode("admin")
    assert _login(crm_client, "Admin@jobbro.dk").status_code == 200
    res = _login(crm_client, "kari@jobbro.dk")
    assert res.status_code == 401 and "slået fra" in res.json()["detail"]


def test_off_mode_refuses_every_password(crm_client, db, mode):
    _user(db, "admin@jobbro.dk", "admin")
    mode("off")
    assert _login(crm_client, "admin@jobbro.dk").status_code == 401


def test_a_user_without_a_password_cannot_log_in_with_one_and_a_login_is_audited(crm_client, db, mode):
    mode("all")
    sso = _user(db, "sso@jobbro.dk", "konsulent", password=None)
    res = _login(crm_client, "sso@jobbro.dk", "")
    assert res.status_code in (401, 422)
    assert _login(crm_client, "sso@jobbro.dk", "noget-helt-andet").status_code == 401
    kari = _user(db, "kari@jobbro.dk", "konsulent")
    assert _login(crm_client, "kari@jobbro.dk").status_code == 200
    rows = db.exec(select(AuditLog).where(AuditLog.entity == "signin")).all()
    assert [(r.action, r.actor_id, r.detail["method"]) for r in rows] == [("login", kari.id, "password")]
    assert sso.id not in {r.actor_id for r in rows}
